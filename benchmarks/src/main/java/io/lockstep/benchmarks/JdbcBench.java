package io.lockstep.benchmarks;

import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop JDBC load: {@code CLIENTS} connections to {@code URL}, each inserting rows one
 * commit at a time, for {@code SECONDS} after {@code WARMUP} seconds. Prints requests per second
 * and the latency of an insert (HdrHistogram) in microseconds.
 * Usage: {@code JdbcBench URL USER CLIENTS SECONDS WARMUP LABEL}
 */
public final class JdbcBench {
    private JdbcBench() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        int clients = Integer.parseInt(args[2]);
        long measureNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        String label = args.length > 5 ? args[5] : "";
        try (Connection setup = DriverManager.getConnection(url, user, "");
             Statement statement = setup.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS bench (client INT, n BIGINT, payload VARCHAR(64), PRIMARY KEY (client, n))");
        }
        Histogram[] latencies = new Histogram[clients];
        long[] counts = new long[clients];
        long measureFrom = System.nanoTime() + warmupNanos;
        long end = measureFrom + measureNanos;
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            latencies[c] = new Histogram(3);
            threads[c] = new Thread(() -> {
                try (Connection connection = DriverManager.getConnection(url, user, "");
                     PreparedStatement insert = connection.prepareStatement("INSERT INTO bench VALUES (?, ?, ?)")) {
                    for (long n = 0; ; n++) {
                        long sent = System.nanoTime();
                        if (sent - end > 0) {
                            break;
                        }
                        insert.setInt(1, client);
                        insert.setLong(2, n);
                        insert.setString(3, "row " + n);
                        insert.executeUpdate();
                        long done = System.nanoTime();
                        if (sent - measureFrom >= 0) {
                            latencies[client].recordValue(done - sent);
                            counts[client]++;
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "jdbc-" + c);
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
