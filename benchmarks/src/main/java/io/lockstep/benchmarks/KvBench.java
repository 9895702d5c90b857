package io.lockstep.benchmarks;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop load on the demo's key-value server: {@code CLIENTS} connections, each sending
 * "SET key value" and waiting for its reply, for {@code SECONDS} after {@code WARMUP} seconds.
 * Prints requests per second and the latency of a request (HdrHistogram) in microseconds.
 * Usage: {@code KvBench HOST PORT CLIENTS SECONDS WARMUP LABEL}
 */
public final class KvBench {
    private KvBench() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int clients = Integer.parseInt(args[2]);
        long measureNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        String label = args.length > 5 ? args[5] : "";
        Histogram[] latencies = new Histogram[clients];
        long[] counts = new long[clients];
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + measureNanos;
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            latencies[c] = new Histogram(3);
            threads[c] = new Thread(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(server, 5000);
                    socket.setTcpNoDelay(true);
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
                    for (long n = 0; ; n++) {
                        long sent = System.nanoTime();
                        if (sent - end > 0) {
                            break;
                        }
                        out.write("SET b" + client + "-" + (n % 1000) + " value" + n + "\n");
                        out.flush();
                        if (in.readLine() == null) {
                            throw new IOException("the server closed the connection");
                        }
                        long done = System.nanoTime();
                        if (sent - measureFrom >= 0) {
                            latencies[client].recordValue(done - sent);
                            counts[client]++;
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "bench-" + c);
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
