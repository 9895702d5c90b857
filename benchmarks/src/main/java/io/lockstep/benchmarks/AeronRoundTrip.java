package io.lockstep.benchmarks;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The raw Aeron round trip the output rule is compared with: 32-byte ping and pong back to back,
 * in one JVM with one embedded driver (SHARED threading with a back-off idle strategy, 1 MiB
 * terms) and threads that never sleep, over UDP loopback and over IPC: the network's share of a
 * round trip with nothing waiting to be woken. {@link LinkRoundTrip} is the same with Lockstep's
 * link threads, which sleep. Prints p50/p99/p99.9 in microseconds.
 * Usage: {@code AeronRoundTrip MESSAGES UDP_PORT}
 */
public final class AeronRoundTrip {
    private AeronRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        int port = Integer.parseInt(args[1]);
        Path dir = Files.createTempDirectory("lockstep-rtt");
        MediaDriver.Context context = new MediaDriver.Context().aeronDirectoryName(dir.resolve("aeron").toString())
            .dirDeleteOnStart(true).dirDeleteOnShutdown(true).threadingMode(ThreadingMode.SHARED)
            // Lockstep's driver setting until stop 15 (its link threads have run the driver and slept since).
            .sharedIdleStrategy(new BackoffIdleStrategy(100, 2_000, 1_000, TimeUnit.MICROSECONDS.toNanos(100)))
            .publicationTermBufferLength(1 << 20).ipcTermBufferLength(1 << 20).termBufferSparseFile(true)
            .printConfigurationOnStart(false);
        try (MediaDriver driver = MediaDriver.launch(context);
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(context.aeronDirectoryName()))) {
            run(aeron, "udp", "aeron:udp?endpoint=127.0.0.1:" + port, "aeron:udp?endpoint=127.0.0.1:" + (port + 1), messages);
            run(aeron, "ipc", "aeron:ipc", "aeron:ipc", messages);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void run(Aeron aeron, String label, String pingChannel, String pongChannel, int messages) throws Exception {
        try (Publication ping = aeron.addPublication(pingChannel, 10); Subscription pingIn = aeron.addSubscription(pingChannel, 10);
             Publication pong = aeron.addPublication(pongChannel, 11); Subscription pongIn = aeron.addSubscription(pongChannel, 11)) {
            while (!ping.isConnected() || !pong.isConnected()) {
                Thread.sleep(1);
            }
            Thread echo = new Thread(() -> {
                UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
                int[] left = {messages};
                while (left[0] > 0) {
                    // Yield, not spin: on 2 cores two spinning threads would starve the driver's.
                    Thread.yield();
                    pingIn.poll((buffer, offset, length, header) -> {
                        reply.putBytes(0, buffer, offset, length);
                        while (pong.offer(reply, 0, length) < 0) {
                            Thread.onSpinWait();
                        }
                        left[0]--;
                    }, 1);
                }
            }, "pong");
            echo.start();
            Histogram histogram = new Histogram(3);
            UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
            boolean[] back = new boolean[1];
            for (int i = 0; i < messages; i++) {
                long sent = System.nanoTime();
                message.putLong(0, sent);
                while (ping.offer(message, 0, 32) < 0) {
                    Thread.onSpinWait();
                }
                back[0] = false;
                while (!back[0]) {
                    if (pongIn.poll((buffer, offset, length, header) -> back[0] = true, 1) == 0) {
                        Thread.yield();
                    }
                }
                if (i >= messages / 10) {
                    histogram.recordValue(System.nanoTime() - sent);
                }
            }
            echo.join();
            System.out.printf("raw Aeron round trip %s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us (%d)%n", label,
                histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
                histogram.getValueAtPercentile(99.9) / 1000.0, histogram.getTotalCount());
        }
    }
}
