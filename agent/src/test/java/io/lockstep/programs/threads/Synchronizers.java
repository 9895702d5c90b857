package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Exchanger;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** CountDownLatch, CyclicBarrier with an action, Semaphore, Phaser, Exchanger. */
public final class Synchronizers {
    public static void main(String[] args) throws Exception {
        StringBuffer log = new StringBuffer();
        CountDownLatch ready = new CountDownLatch(3);
        CountDownLatch go = new CountDownLatch(1);
        CyclicBarrier barrier = new CyclicBarrier(3, () -> log.append("| "));
        Semaphore permits = new Semaphore(2);
        Phaser phaser = new Phaser(3);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int me = t;
            threads.add(new Thread(() -> {
                try {
                    ready.countDown();
                    go.await();
                    for (int round = 0; round < 3; round++) {
                        permits.acquire();
                        try {
                            log.append(me).append("s").append(round).append(' ');
                        } finally {
                            permits.release();
                        }
                        barrier.await();
                    }
                    for (int phase = 0; phase < 3; phase++) {
                        log.append(me).append("p").append(phaser.getPhase()).append(' ');
                        phaser.arriveAndAwaitAdvance();
                    }
                    phaser.arriveAndDeregister();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "party" + t));
        }
        threads.forEach(Thread::start);
        System.out.println("all ready: " + ready.await(10, TimeUnit.SECONDS));
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.println(log);

        Exchanger<String> exchanger = new Exchanger<>();
        StringBuffer swaps = new StringBuffer();
        List<Thread> traders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int me = t;
            traders.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        String got = exchanger.exchange(me + "." + i, 5, TimeUnit.SECONDS);
                        swaps.append(me).append("<-").append(got).append(' ');
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        traders.forEach(Thread::start);
        for (Thread trader : traders) {
            trader.join();
        }
        System.out.println(swaps);
    }
}
