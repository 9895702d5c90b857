package io.lockstep.demo;

import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A multithreaded program whose every line depends on randomness, time and the interleaving of
 * its threads: producers race to put random numbers into a queue, the main thread takes them and
 * prints a numbered line with a running digest of everything printed before it. Any line that
 * differs, is missing or comes out of order breaks the digest chain of the lines after it.
 * <p>
 * Usage: {@code Ticker [LINES] [PAUSE_MILLIS]} (defaults 1000 lines, 2 ms between lines).
 */
public final class Ticker {
    private Ticker() {
    }

    public static void main(String[] args) throws InterruptedException {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        long pauseMillis = args.length > 1 ? Long.parseLong(args[1]) : 2;
        BlockingQueue<long[]> queue = new ArrayBlockingQueue<>(16);
        AtomicLong produced = new AtomicLong();
        for (int p = 0; p < 3; p++) {
            int producer = p;
            Thread thread = new Thread(() -> {
                try {
                    while (true) {
                        long value = ThreadLocalRandom.current().nextLong(1_000_000);
                        queue.put(new long[] {producer, value, produced.incrementAndGet()});
                    }
                } catch (InterruptedException e) {
                    // done
                }
            }, "producer-" + p);
            thread.setDaemon(true);
            thread.start();
        }
        long digest = 17;
        long start = System.nanoTime();
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 1; i <= lines; i++) {
            long[] item = queue.take();
            long elapsedMicros = (System.nanoTime() - start) / 1000;
            String line = String.format("%06d run=%s producer=%d value=%06d seq=%d t=%dus wall=%d", i, run, item[0], item[1],
                item[2], elapsedMicros, System.currentTimeMillis() % 100_000);
            digest = digest * 31 + line.hashCode();
            System.out.println(line + " digest=" + Long.toHexString(digest));
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
        }
        System.out.println("done " + lines + " lines digest=" + Long.toHexString(digest));
    }
}
