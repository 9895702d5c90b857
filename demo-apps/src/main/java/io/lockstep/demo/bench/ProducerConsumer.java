package io.lockstep.demo.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-heavy workload for the scheduler benchmark: two producers and two consumers hand
 * small items through a bounded blocking queue (a ReentrantLock and two conditions), and every
 * consumer also updates a shared total under a monitor. Prints a checksum on stdout and the
 * workload's own time on stderr.
 */
public final class ProducerConsumer {
    private static final int DEFAULT_ITEMS = 40_000_000;
    private static final int CAPACITY = 1024;

    public static void main(String[] args) throws InterruptedException {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ITEMS;
        BlockingQueue<Long> queue = new ArrayBlockingQueue<>(CAPACITY);
        Object totalLock = new Object();
        long[] total = new long[1];
        AtomicLong cpuNanos = new AtomicLong();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread[] workers = new Thread[4];
        long started = System.nanoTime();
        for (int p = 0; p < 2; p++) {
            long seed = p + 1;
            workers[p] = new Thread(() -> {
                long cpu = threads.getCurrentThreadCpuTime();
                long x = seed;
                try {
                    for (int i = 0; i < items / 2; i++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                        queue.put(x >>> 40);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                cpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - cpu);
            }, "producer-" + p);
        }
        for (int c = 0; c < 2; c++) {
            workers[2 + c] = new Thread(() -> {
                long cpu = threads.getCurrentThreadCpuTime();
                try {
                    for (int i = 0; i < items / 2; i++) {
                        long item = queue.take();
                        synchronized (totalLock) {
                            total[0] += item;
                        }
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                cpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - cpu);
            }, "consumer-" + c);
        }
        for (Thread worker : workers) {
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.println("items " + items + " total " + total[0]);
        System.err.println("workload-ms " + (System.nanoTime() - started) / 1_000_000);
        System.err.println("workload-cpu-ms " + cpuNanos.get() / 1_000_000);
    }
}
