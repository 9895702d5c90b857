package io.lockstep.benchmarks;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * A closed-loop load: each of {@code clients} threads opens its own connection and makes one
 * request after another, each waiting for its reply; the requests made in the measured window
 * (after the warm-up) are counted and their latencies recorded (HdrHistogram). Prints one line:
 * requests per second, p50 and p99 in microseconds.
 */
final class ClosedLoop {
    /** One client's connection to the server under load. */
    interface Connection extends AutoCloseable {
        /** Makes the {@code n}-th request of this client and waits for its reply. */
        void request(long n) throws Exception;
    }

    interface Connector {
        Connection open(int client) throws Exception;
    }

    private ClosedLoop() {
    }

    static void run(int clients, long seconds, long warmupSeconds, String label, Connector connector) throws InterruptedException {
        long measureNanos = TimeUnit.SECONDS.toNanos(seconds);
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = measureFrom + measureNanos;
        Histogram[] latencies = new Histogram[clients];
        long[] counts = new long[clients];
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            latencies[c] = new Histogram(3);
            threads[c] = new Thread(() -> {
                try (Connection connection = connector.open(client)) {
                    for (long n = 0; ; n++) {
                        long sent = System.nanoTime();
                        if (sent - end > 0) {
                            break;
                        }
                        connection.request(n);
                        if (sent - measureFrom >= 0) {
                            latencies[client].recordValue(System.nanoTime() - sent);
                            counts[client]++;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("client " + client + " failed", e);
                }
            }, "client-" + c);
            threads[c].start();
        }
        Histogram all = new Histogram(3);
        long total = 0;
        for (int c = 0; c < clients; c++) {
            threads[c].join();
            all.add(latencies[c]);
            total += counts[c];
        }
        System.out.printf("%s %d clients: %.0f requests/s, p50 %.1f us, p99 %.1f us%n", label, clients,
            total * 1e9 / measureNanos, all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0);
    }
}
