package io.lockstep.benchmarks;

import io.lockstep.log.link.Link;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The round trip of Lockstep's own link, paced like {@code OutputLatency}'s lines, with nothing
 * of the log or the output rule: the yardstick for what the output rule adds beyond a round trip
 * between two threads that sleep between messages, as the link threads do. ({@link AeronRoundTrip}
 * is the other yardstick: back to back, on threads that never sleep.)
 * <p>
 * Two {@link Link}s in one JVM, over UDP loopback, each with an embedded driver. A "pinger"
 * thread offers a small block every PERIOD microseconds and runs the duty cycle that sends it
 * itself, as the primary's output thread does when nothing is in flight; the other side's link
 * thread wakes for it and answers at once, as the backup acknowledges; this side's link thread
 * wakes for the answer, as the primary's does for an acknowledgement. Both link threads run
 * {@link Link#poll} and sleep in {@link Link#idle}, as Lockstep's do ({@code idle=backoff}).
 * Prints p50/p99/p99.9 in microseconds.
 * Usage: {@code LinkRoundTrip MESSAGES PERIOD_US UDP_PORT}
 */
public final class LinkRoundTrip {
    private LinkRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        long periodNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[1]));
        int port = Integer.parseInt(args[2]);
        String pingEnd = "127.0.0.1:" + port;
        String pongEnd = "127.0.0.1:" + (port + 1);
        Path dir = Files.createTempDirectory("lockstep-link-rtt");
        Histogram histogram = new Histogram(3);
        long[] sentAt = new long[messages];
        AtomicLong answered = new AtomicLong();
        try (Link ping = Link.open(dir.resolve("ping"), pingEnd, Link.CONTROL_STREAM, pongEnd, Link.LOG_STREAM, 1, Throwable::printStackTrace);
             Link pong = Link.open(dir.resolve("pong"), pongEnd, Link.LOG_STREAM, pingEnd, Link.CONTROL_STREAM, 2, Throwable::printStackTrace)) {
            UnsafeBuffer reply = new UnsafeBuffer(new byte[Long.BYTES]);
            // Answers reach this handler on the ping side's link thread or on the pinger (its own duty
            // cycle): under the link's duty-cycle lock either way, one at a time.
            var answers = ping.handler((type, sender, buffer, offset, length) -> {
                if (type == Link.ACK) {
                    int number = (int) buffer.getLong(offset);
                    if (number >= messages / 10) {
                        histogram.recordValue(System.nanoTime() - sentAt[number]);
                    }
                    answered.set(number + 1);
                }
            });
            java.util.ArrayDeque<Long> toAnswer = new java.util.ArrayDeque<>();
            var pings = pong.handler((type, sender, buffer, offset, length) -> {
                if (type == Link.LOG_PIECE) {
                    toAnswer.addLast(buffer.getLong(offset + 8)); // the block's first word: the ping's number
                }
            });
            // As the backup: each answer is offered after the poll that received its ping, and
            // offered again on the next round if Aeron pushed back (a link thread never waits to send).
            LinkThread pongThread = new LinkThread(pong, pings, "pong-link", () -> {
                while (!toAnswer.isEmpty()) {
                    reply.putLong(0, toAnswer.peekFirst());
                    if (!pong.send(Link.ACK, reply, 0, Long.BYTES, () -> true)) {
                        break;
                    }
                    toAnswer.removeFirst();
                }
            });
            LinkThread pingThread = new LinkThread(ping, answers, "ping-link", () -> { });
            byte[] block = new byte[64];
            UnsafeBuffer blockView = new UnsafeBuffer(block);
            for (int i = 0; i < messages; i++) {
                blockView.putLong(0, i);
                sentAt[i] = System.nanoTime();
                // As the primary: the pinger sends itself only when nothing is in flight, else the link thread does.
                ping.sendBlock(block, block.length, () -> false, answered.get() == i ? answers : null);
                LockSupport.parkNanos(periodNanos);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (answered.get() < messages && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            pingThread.stop();
            pongThread.stop();
            if (answered.get() < messages) {
                throw new IllegalStateException("answers to " + answered.get() + " of " + messages + " pings");
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        System.out.printf("Lockstep link round trip, UDP, %d us apart, sleeping link threads: p50 %.1f us, p99 %.1f us, "
                + "p99.9 %.1f us (%d)%n", TimeUnit.NANOSECONDS.toMicros(periodNanos), histogram.getValueAtPercentile(50) / 1000.0,
            histogram.getValueAtPercentile(99) / 1000.0, histogram.getValueAtPercentile(99.9) / 1000.0, histogram.getTotalCount());
    }

    /** A thread that runs the link's duty cycles and sleeps when there is nothing to do, as Lockstep's link threads do. */
    private static final class LinkThread {
        private final Link link;
        private final Thread thread;
        private volatile boolean stopping;

        LinkThread(Link link, io.aeron.logbuffer.FragmentHandler handler, String name, Runnable afterPoll) {
            this.link = link;
            // Stopped by a flag, never interrupted: an interrupt would close the driver's mapped files.
            this.thread = new Thread(() -> {
                while (!stopping) {
                    int work = link.poll(handler, 64);
                    afterPoll.run();
                    link.idle(work);
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stopping = true;
            link.wake();
            thread.join();
        }
    }
}
