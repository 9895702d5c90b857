package io.lockstep.programs.threads;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A server's graceful stop on SIGTERM: its shutdown hook stops a pool whose idle workers are
 * parked, interrupts a thread in Object.wait and one asleep, unparks one parked on a flag, and
 * waits for them all, and for one in a timed Object.wait that nobody wakes (it waits out its
 * 4 s). Prints "ready" once everything waits; the hook then reports what stopped, as a plain
 * JVM does.
 */
public final class StoppedFromOutside {
    private static volatile boolean stopping;
    private static final long TIMED_WAIT_MILLIS = 4_000;

    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        for (int i = 0; i < 3; i++) {
            System.out.println(pool.submit(() -> Thread.currentThread().getName() + " drew "
                + ThreadLocalRandom.current().nextInt(1000)).get());
        }
        Object lock = new Object();
        Object timedLock = new Object();
        CountDownLatch waiting = new CountDownLatch(4);
        Thread waiter = new Thread(() -> {
            synchronized (lock) {
                waiting.countDown();
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    System.out.println("waiter interrupted");
                }
            }
        }, "waiter");
        Thread timedWaiter = new Thread(() -> {
            synchronized (timedLock) {
                waiting.countDown();
                long start = System.nanoTime();
                try {
                    timedLock.wait(TIMED_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    System.out.println("timed waiter interrupted");
                }
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println("timed waiter " + (waited >= TIMED_WAIT_MILLIS - 100 ? "waited it all" : "woke early"));
            }
        }, "timed waiter");
        Thread sleeper = new Thread(() -> {
            waiting.countDown();
            try {
                Thread.sleep(TimeUnit.HOURS.toMillis(1));
            } catch (InterruptedException e) {
                System.out.println("sleeper interrupted");
            }
        }, "sleeper");
        Thread parker = new Thread(() -> {
            waiting.countDown();
            while (!stopping) {
                LockSupport.park();
            }
        }, "parker");
        waiter.start();
        timedWaiter.start();
        sleeper.start();
        parker.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pool.shutdownNow();
                boolean poolStopped = pool.awaitTermination(20, TimeUnit.SECONDS);
                waiter.interrupt();
                sleeper.interrupt();
                stopping = true;
                LockSupport.unpark(parker);
                waiter.join(20_000);
                sleeper.join(20_000);
                parker.join(20_000);
                timedWaiter.join(20_000);
                System.out.println("stopped: pool " + poolStopped + ", waiter " + !waiter.isAlive() + ", sleeper " + !sleeper.isAlive()
                    + ", parker " + !parker.isAlive() + ", timed waiter " + !timedWaiter.isAlive());
            } catch (InterruptedException e) {
                System.out.println("hook interrupted");
            }
        }, "stopper"));
        waiting.await();
        synchronized (lock) {
            synchronized (timedLock) {
                System.out.println("ready"); // the waiters are in wait() once this thread holds their locks
            }
        }
        new CountDownLatch(1).await();
    }
}
