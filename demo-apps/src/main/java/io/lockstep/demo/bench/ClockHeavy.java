package io.lockstep.demo.bench;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A single-threaded loop that reads the clocks and the random generators on every iteration,
 * for the record-mode overhead benchmark: the worst case for the agent, where nearly all the
 * work is nondeterministic input to record or replay. Each iteration calls
 * {@code System.nanoTime()} and {@code System.currentTimeMillis()} (two journal entries), and
 * {@code ThreadLocalRandom.current().nextInt()} and {@code Math.random()} (seeded once; their
 * seeds are recorded, not each value). The checksum it prints combines them all, so a replay
 * must reproduce every value to print the same line.
 * <p>
 * Usage: {@code ClockHeavy [iterations]}, default {@value #DEFAULT_ITERATIONS} (a journal of
 * roughly 30 bytes per clock read, about 170 MB on disk by default).
 */
public final class ClockHeavy {
    static final int DEFAULT_ITERATIONS = 3_000_000;

    private ClockHeavy() {
    }

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ITERATIONS;
        long checksum = 0;
        long previousNanos = System.nanoTime();
        long firstMillis = System.currentTimeMillis();
        long lastMillis = firstMillis;
        for (int i = 0; i < iterations; i++) {
            long nanos = System.nanoTime();
            long millis = System.currentTimeMillis();
            int random = ThreadLocalRandom.current().nextInt();
            double unit = Math.random();
            checksum = checksum * 1_000_003L + (nanos - previousNanos) + millis + random + (long) (unit * 1_000_000);
            previousNanos = nanos;
            lastMillis = millis;
        }
        System.out.println("ClockHeavy iterations=" + iterations + " checksum=" + checksum
            + " elapsedMillis=" + (lastMillis - firstMillis));
    }
}
