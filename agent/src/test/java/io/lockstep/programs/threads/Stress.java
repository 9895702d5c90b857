package io.lockstep.programs.threads;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/** 32 threads, 10,000 synchronisation operations each: monitors, a lock, a queue hand-off, waits. */
public final class Stress {
    static final int THREADS = 32;
    static final int OPERATIONS = 10_000;

    public static void main(String[] args) throws Exception {
        Object monitor = new Object();
        ReentrantLock lock = new ReentrantLock();
        BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(8);
        long[] guarded = new long[2];
        AtomicLong checksum = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < OPERATIONS / 4; i++) {
                        synchronized (monitor) {
                            guarded[0] += me;
                            if (i % 97 == 0) {
                                monitor.notifyAll();
                                monitor.wait(1);
                            }
                        }
                        lock.lock();
                        try {
                            guarded[1] = guarded[1] * 31 + me;
                        } finally {
                            lock.unlock();
                        }
                        if (me % 2 == 0) {
                            queue.put(me * OPERATIONS + i);
                        } else {
                            checksum.addAndGet(queue.take() * (long) me);
                        }
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "stress-" + t);
            threads[t].start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.println("guarded " + guarded[0] + " " + guarded[1] + " checksum " + checksum.get() + " left " + queue.size());
    }
}
