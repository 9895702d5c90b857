package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/** Every BlockingQueue of java.util.concurrent, between two producers and two consumers. */
public final class Queues {
    public static void main(String[] args) throws Exception {
        List<BlockingQueue<Integer>> queues = List.of(new ArrayBlockingQueue<>(3), new LinkedBlockingQueue<>(2),
            new LinkedBlockingDeque<>(4), new SynchronousQueue<>(), new SynchronousQueue<>(true), new LinkedTransferQueue<>(),
            new PriorityBlockingQueue<>());
        for (BlockingQueue<Integer> queue : queues) {
            System.out.println(queue.getClass().getSimpleName() + " " + exchange(queue));
        }
        DelayQueue<Delayed> delays = new DelayQueue<>();
        long now = System.nanoTime();
        for (int millis : new int[] {15, 5, 10}) {
            delays.put(new Delayed() {
                final long due = now + TimeUnit.MILLISECONDS.toNanos(millis);

                @Override
                public long getDelay(TimeUnit unit) {
                    return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
                }

                @Override
                public int compareTo(Delayed other) {
                    return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
                }

                @Override
                public String toString() {
                    return millis + "ms";
                }
            });
        }
        StringBuilder taken = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            taken.append(delays.take()).append(' ');
        }
        System.out.println("DelayQueue " + taken + "late by " + (System.nanoTime() - now - 15_000_000) / 1_000_000 + " ms");
    }

    private static String exchange(BlockingQueue<Integer> queue) throws InterruptedException {
        StringBuffer log = new StringBuffer();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int base = p * 10;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 8; i++) {
                        queue.put(base + i);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int c = 0; c < 2; c++) {
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 8; i++) {
                        Integer item = queue.poll(1, TimeUnit.SECONDS);
                        log.append(Thread.currentThread().getName().replace("Thread-", "t")).append(':').append(item).append(' ');
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        return log.toString();
    }
}
