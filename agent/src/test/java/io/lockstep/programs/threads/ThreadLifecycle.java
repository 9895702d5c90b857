package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;

/** start, join (plain and timed), sleep, yield, interrupt of sleeping, waiting and parked threads, ids and names. */
public final class ThreadLifecycle {
    static final StringBuffer events = new StringBuffer();

    static class Sleeper extends Thread {
        private final int millis;

        Sleeper(int millis) {
            this.millis = millis;
        }

        @Override
        public void run() {
            try {
                sleep(millis); // a static call through the subclass
                events.append(getName()).append(" woke after ").append(millis).append("; ");
            } catch (InterruptedException e) {
                events.append(getName()).append(" interrupted; ");
            }
        }
    }

    public static void main(String[] args) throws Exception {
        List<Thread> sleepers = new ArrayList<>();
        for (int millis : new int[] {30, 10, 20, 5}) {
            Sleeper sleeper = new Sleeper(millis);
            sleepers.add(sleeper);
            sleeper.start();
        }
        Thread longSleeper = new Sleeper(60_000);
        longSleeper.start();
        Thread.sleep(15);
        longSleeper.interrupt();
        for (Thread sleeper : sleepers) {
            sleeper.join();
        }
        longSleeper.join(5_000);
        System.out.println("alive after join: " + longSleeper.isAlive());

        Object lock = new Object();
        Thread waiter = new Thread(() -> {
            synchronized (lock) {
                try {
                    lock.wait();
                    events.append("waiter notified; ");
                } catch (InterruptedException e) {
                    events.append("waiter interrupted, flag ").append(Thread.currentThread().isInterrupted()).append("; ");
                }
            }
        }, "waiter");
        waiter.start();
        Thread parker = new Thread(() -> {
            java.util.concurrent.locks.LockSupport.park();
            events.append("parker back, interrupted ").append(Thread.interrupted()).append("; ");
        }, "parker");
        parker.start();
        Thread.yield();
        waiter.interrupt();
        parker.interrupt();
        waiter.join();
        parker.join();

        StringBuffer yields = new StringBuffer();
        Thread[] yielders = new Thread[3];
        for (int i = 0; i < yielders.length; i++) {
            int me = i;
            yielders[i] = new Thread(() -> {
                for (int round = 0; round < 5; round++) {
                    yields.append(me);
                    Thread.yield();
                }
            });
        }
        for (Thread yielder : yielders) {
            yielder.start();
        }
        for (Thread yielder : yielders) {
            yielder.join(0, 500);
            yielder.join();
        }
        Thread unstarted = new Thread(() -> { });
        unstarted.join();
        System.out.println(events);
        System.out.println("yields " + yields);
        System.out.println("ids " + yielders[0].getId() + " " + yielders[2].getId() + " names " + yielders[0].getName()
            + " " + unstarted.getName() + " state " + unstarted.getState() + " " + yielders[1].getState());
        System.out.println("main id " + Thread.currentThread().getId());
    }
}
