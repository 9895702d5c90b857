package io.lockstep.demo.kv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load client for {@link KvServer} that survives a failover: {@code CLIENTS} threads each write
 * {@code WRITES} keys, one request at a time, and remember which writes the server acknowledged
 * (an "OK id" came back). A connection that breaks is opened again (for up to {@code RETRY}
 * seconds) and the unacknowledged write sent again. At the end every acknowledged key is read
 * back on a new connection: one that is missing, or holds another id, is a lost write.
 * Prints a summary line and exits 1 if anything was lost.
 * Usage: {@code KvLoad HOST PORT CLIENTS WRITES [RETRY_SECONDS] [SHUTDOWN]}
 */
public final class KvLoad {
    private final InetSocketAddress server;
    private final long retryNanos;
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    /** When a write was last acknowledged, by any client, and the longest time with none (a failover's gap as clients see it). */
    private final AtomicLong lastAcknowledged = new AtomicLong(System.nanoTime());
    private final AtomicLong longestGap = new AtomicLong();

    private KvLoad(InetSocketAddress server, long retrySeconds) {
        this.server = server;
        this.retryNanos = TimeUnit.SECONDS.toNanos(retrySeconds);
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int clients = Integer.parseInt(args[2]);
        int writes = Integer.parseInt(args[3]);
        long retry = args.length > 4 ? Long.parseLong(args[4]) : 30;
        boolean shutdown = args.length > 5 && args[5].equals("SHUTDOWN");
        KvLoad load = new KvLoad(server, retry);
        long start = System.nanoTime();
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads[c] = new Thread(() -> load.writeAll(client, writes), "load-" + c);
            threads[c].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long elapsed = System.nanoTime() - start;
        int lost = load.verify();
        System.out.printf("acknowledged %d writes in %d ms (%.0f requests/s), %d reconnect(s), %d lost; longest time without "
                + "an acknowledgement %d ms%n", load.acknowledged.size(), TimeUnit.NANOSECONDS.toMillis(elapsed),
            load.requests.get() * 1e9 / elapsed, load.reconnects.get(), lost, TimeUnit.NANOSECONDS.toMillis(load.longestGap.get()));
        if (shutdown) {
            load.request("SHUTDOWN");
        }
        System.exit(lost == 0 ? 0 : 1);
    }

    private void writeAll(int client, int writes) {
        Connection connection = null;
        for (int n = 0; n < writes; n++) {
            String key = "c" + client + "-" + n;
            long giveUpAt = System.nanoTime() + retryNanos;
            while (true) {
                try {
                    if (connection == null) {
                        connection = new Connection(server);
                    }
                    String reply = connection.call("SET " + key + " v" + n);
                    requests.incrementAndGet();
                    if (!reply.startsWith("OK ")) {
                        throw new IOException("unexpected reply to SET: " + reply);
                    }
                    acknowledged.put(key, reply.substring(3));
                    long now = System.nanoTime();
                    long gap = now - lastAcknowledged.getAndSet(now);
                    longestGap.accumulateAndGet(gap, Math::max);
                    break;
                } catch (IOException e) {
                    if (connection != null) {
                        connection.close();
                        connection = null;
                        reconnects.incrementAndGet();
                    }
                    if (System.nanoTime() - giveUpAt > 0) {
                        throw new IllegalStateException("no server at " + server + " for " + retryNanos / 1_000_000_000 + " s", e);
                    }
                    sleep(20);
                }
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    /** Reads every acknowledged key back. @return how many are missing or hold another write's id */
    private int verify() throws IOException {
        int lost = 0;
        try (Connection connection = connectPatiently()) {
            for (Map.Entry<String, String> write : acknowledged.entrySet()) {
                String reply = connection.call("GET " + write.getKey());
                String[] words = reply.split(" ");
                if (!words[0].equals("VALUE") || words.length < 3 || !words[2].equals(write.getValue())) {
                    System.out.println("lost: " + write.getKey() + " (acknowledged as " + write.getValue() + "), server says: "
                        + reply);
                    lost++;
                }
            }
        }
        return lost;
    }

    private void request(String line) throws IOException {
        try (Connection connection = connectPatiently()) {
            connection.call(line);
        }
    }

    private Connection connectPatiently() throws IOException {
        long giveUpAt = System.nanoTime() + retryNanos;
        while (true) {
            try {
                return new Connection(server);
            } catch (IOException e) {
                if (System.nanoTime() - giveUpAt > 0) {
                    throw e;
                }
                sleep(20);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final Writer out;

        Connection(InetSocketAddress server) throws IOException {
            socket = new Socket();
            socket.connect(server, 1000);
            socket.setSoTimeout(5000);
            socket.setTcpNoDelay(true);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
        }

        String call(String line) throws IOException {
            out.write(line);
            out.write('\n');
            out.flush();
            String reply = in.readLine();
            if (reply == null) {
                throw new IOException("the server closed the connection");
            }
            return reply;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
