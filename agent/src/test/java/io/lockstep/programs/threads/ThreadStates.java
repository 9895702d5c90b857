package io.lockstep.programs.threads;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Thread.getState of threads that sleep, wait, park, compute and block on a monitor, read
 * every few milliseconds: what it says depends on timing. Under the agent it is the scheduler's
 * model of each thread (the JVM would report how each waits for its turn).
 */
public final class ThreadStates {
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        Object lock = new Object();
        Object busy = new Object();
        List<Thread> threads = List.of(
            new Thread(() -> sleep(200), "sleeper"),
            new Thread(() -> {
                synchronized (lock) {
                    try {
                        lock.wait(150);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "waiter"),
            new Thread(() -> LockSupport.parkNanos(100_000_000), "parker"),
            new Thread(() -> {
                long sum = 0;
                for (int i = 0; i < 100_000_000; i++) {
                    sum += i % 7;
                }
                sink = sum;
            }, "computer"),
            new Thread(() -> {
                synchronized (busy) {
                    sink++;
                }
            }, "blocked"));
        states(List.of()); // its first call loads classes for longer than some of the threads last
        synchronized (busy) {
            threads.forEach(Thread::start);
            for (int round = 0; round < 4; round++) {
                System.out.println(states(threads));
                sleep(40);
            }
        }
        for (int round = 0; round < 4; round++) {
            System.out.println(states(threads));
            sleep(40);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.println(states(threads));
    }

    private static String states(List<Thread> threads) {
        return threads.stream().map(thread -> thread.getName() + " " + thread.getState()).collect(Collectors.joining(", "));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
