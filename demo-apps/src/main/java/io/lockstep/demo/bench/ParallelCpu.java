package io.lockstep.demo.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An embarrassingly parallel CPU workload for the scheduler benchmark: two threads each run
 * {@link CpuBound}'s work on their own data, sharing nothing until the end. Without the agent
 * they use both cores; under the one-token scheduler they take turns, so the expected price on
 * two cores is about 2x. Prints the checksums on stdout and the workload's own time on stderr.
 */
public final class ParallelCpu {
    private static final int DEFAULT_ROUNDS = 40;

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ROUNDS;
        long[] checksums = new long[2];
        AtomicLong cpuNanos = new AtomicLong();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread[] workers = new Thread[2];
        long started = System.nanoTime();
        for (int t = 0; t < workers.length; t++) {
            int me = t;
            workers[t] = new Thread(() -> {
                long cpu = threads.getCurrentThreadCpuTime();
                CpuBound work = new CpuBound(42 + me);
                long checksum = 0;
                for (int round = 0; round < rounds; round++) {
                    checksum = checksum * 31 + work.round(round);
                }
                checksums[me] = checksum;
                cpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - cpu);
            }, "cpu-" + t);
        }
        for (Thread worker : workers) {
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.println("checksums " + checksums[0] + " " + checksums[1]);
        System.err.println("workload-ms " + (System.nanoTime() - started) / 1_000_000);
        System.err.println("workload-cpu-ms " + cpuNanos.get() / 1_000_000);
    }
}
