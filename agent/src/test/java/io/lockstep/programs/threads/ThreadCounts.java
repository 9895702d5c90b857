package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Counts and lists the threads of main's group while three workers wait, and again once they
 * ended: without the agent, main and its workers only. The agent's own threads (its journal,
 * scheduler and link threads, Chronicle's) once showed here, other ones on each side.
 */
public final class ThreadCounts {
    public static void main(String[] args) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "worker-" + i);
            workers.add(worker);
            worker.start();
        }
        report("waiting");
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        report("ended");
    }

    private static void report(String when) {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        Thread[] threads = new Thread[64];
        int listed = group.enumerate(threads);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < listed; i++) {
            names.add(threads[i].getName());
        }
        names.sort(null);
        System.out.println(when + ": " + Thread.activeCount() + " active, group " + group.getName() + " holds " + names);
    }
}
