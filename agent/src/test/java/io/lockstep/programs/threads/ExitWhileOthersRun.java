package io.lockstep.programs.threads;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker calls System.exit while a scheduled pool prints every few milliseconds and main
 * sleeps in a loop: the other threads stop wherever the exit finds them.
 */
public final class ExitWhileOthersRun {
    private static int line;

    private static synchronized void print(String what) {
        System.out.println(line++ + " " + what);
    }

    public static void main(String[] args) throws Exception {
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(3);
        pool.scheduleAtFixedRate(() -> print("fixed rate"), 0, 3, TimeUnit.MILLISECONDS);
        pool.scheduleWithFixedDelay(() -> print("fixed delay"), 1, 7, TimeUnit.MILLISECONDS);
        new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            print("exiting");
            System.exit(0);
        }, "exiter").start();
        while (true) {
            Thread.sleep(2);
        }
    }
}
