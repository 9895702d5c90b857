package io.lockstep.log.link;

import io.aeron.Aeron;
import io.aeron.ConcurrentPublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One side's end of the primary/backup link: an embedded Aeron media driver of its own (a
 * directory no other process uses, small buffers), a subscription on this side's endpoint and a
 * publication to the peer's.
 * <p>
 * The driver and the Aeron client have no threads of their own: the side's one link thread runs
 * their duty cycles in {@link #poll} (Aeron's INVOKER mode). A message then crosses one thread per
 * side, not three (driver, client, link thread each backing off in turn), and a sender on another
 * thread {@linkplain #wake wakes} the link thread instead of waiting for it to poll.
 * <p>
 * The primary publishes the log on {@link #LOG_STREAM}; the backup publishes acknowledgements
 * and heartbeats on {@link #CONTROL_STREAM}. Every message starts with {@link #MAGIC}, a type
 * and the sender's run id; anything else (another program's traffic, garbage that Aeron still
 * framed) is dropped and counted, never fatal.
 * <pre>
 *   0  int   magic "LSK1"
 *   4  int   type
 *   8  long  run id of the sender
 *  16  ...   body
 * </pre>
 */
public final class Link implements AutoCloseable {
    public static final int LOG_STREAM = 1001;
    public static final int CONTROL_STREAM = 1002;
    public static final int MAGIC = 0x314B534C; // "LSK1" little-endian
    public static final int HEADER_LENGTH = 16;

    /** Primary to backup: a piece of a log block. Body: int block length, int offset of the piece, bytes. */
    public static final int LOG_PIECE = 1;
    /** Backup to primary: body: long highest position received (and journaled), long position replayed. */
    public static final int ACK = 2;
    /** Either way. Body: int flags ({@link #DROPPED}: the primary no longer waits for this backup). */
    public static final int HEARTBEAT = 3;
    /** Primary to backup: body: long N, every output to stdout and stderr up to the N-th the primary has written out. */
    public static final int RELEASED = 4;
    /** Backup to primary: body: UTF-8 text saying why this backup refuses the primary's log. */
    public static final int REFUSED = 5;

    public static final int DROPPED = 1;
    /** Largest piece of a block in one message: well under Aeron's limit for 1 MiB terms (128 KiB). */
    public static final int MAX_PIECE = 60 * 1024;

    private static final int TERM_LENGTH = 1024 * 1024;
    private static final long DRAIN_AT_CLOSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long OFFER_PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final MediaDriver driver;
    private final AgentInvoker driverDutyCycle;
    private final Aeron aeron;
    private final AgentInvoker clientDutyCycle;
    /** The thread that runs the duty cycles ({@link #poll}); senders on other threads wake it. */
    private volatile Thread linkThread;
    /** While a message is due from the peer: it arrives unannounced, so the link thread keeps looking. */
    private final IdleStrategy awaitingPeer = idleStrategy();
    /** While nothing is due: the link thread sleeps until a sender wakes it or a heartbeat is due. */
    private final IdleStrategy resting = new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MILLISECONDS.toNanos(1));
    private final ConcurrentPublication publication;
    private final Subscription subscription;
    private final long runId;
    /** Each sending thread has its own buffer: the publication is thread-safe, and a heartbeat must never wait behind a block. */
    private final ThreadLocal<UnsafeBuffer> sendBuffers =
        ThreadLocal.withInitial(() -> new UnsafeBuffer(ByteBuffer.allocateDirect(HEADER_LENGTH + MAX_PIECE + 64)));
    private final AtomicLong rejected = new AtomicLong();
    private final String localEndpoint;
    private final String peerEndpoint;

    private Link(MediaDriver driver, Aeron aeron, ConcurrentPublication publication, Subscription subscription, long runId,
                 String localEndpoint, String peerEndpoint) {
        this.driver = driver;
        this.driverDutyCycle = driver.sharedAgentInvoker();
        this.aeron = aeron;
        this.clientDutyCycle = aeron.conductorAgentInvoker();
        this.publication = publication;
        this.subscription = subscription;
        this.runId = runId;
        this.localEndpoint = localEndpoint;
        this.peerEndpoint = peerEndpoint;
    }

    /**
     * Starts a media driver in {@code aeronDirectory} (removed first and at close: it is this
     * JVM's own), subscribes on {@code localEndpoint} and publishes to {@code peerEndpoint}.
     *
     * @param errors where the driver and client report asynchronous errors (never stdout)
     */
    public static Link open(Path aeronDirectory, String localEndpoint, int inStream, String peerEndpoint, int outStream,
                            long runId, ErrorHandler errors) {
        MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDirectory.toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false)
            .threadingMode(ThreadingMode.INVOKER)
            .asyncExecutorEnabled(false)
            .publicationTermBufferLength(TERM_LENGTH)
            .ipcTermBufferLength(TERM_LENGTH)
            .counterValuesBufferLength(1024 * 1024)
            .termBufferSparseFile(true)
            .errorHandler(errors);
        MediaDriver driver = MediaDriver.launch(driverContext);
        try {
            Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driverContext.aeronDirectoryName())
                .errorHandler(errors)
                .driverAgentInvoker(driver.sharedAgentInvoker())
                .useConductorAgentInvoker(true));
            Subscription subscription = aeron.addSubscription("aeron:udp?endpoint=" + localEndpoint, inStream);
            ConcurrentPublication publication = aeron.addPublication("aeron:udp?endpoint=" + peerEndpoint, outStream);
            return new Link(driver, aeron, publication, subscription, runId, localEndpoint, peerEndpoint);
        } catch (RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    /**
     * How a link thread waits while a message from the peer is due: spin a little, then sleep
     * the shortest time the kernel gives (a 1 us park: about 50-100 us with Linux's default timer
     * slack), again and again. Measured on 2 shared cores (bench/output-rule.sh): a thread that
     * yields or spins stays runnable, so on a busy host it waits behind every other runnable
     * thread for its turn (ms), while a sleeper that wakes is put on a core at once. Yielding
     * first, then parking up to 100 us: p50 2.2 ms in stop 9's run; short parks only: 0.24 ms.
     */
    private static final long SHORTEST_PARK_NANOS = 1_000;

    /** The timer slack the link thread asks for: its shortest park then sleeps about that long, not 50 us more. */
    private static final String LINK_THREAD_TIMER_SLACK_NANOS = "1000";

    /**
     * Linux lets a sleep end up to the thread's timer slack late (50 us by default), which made
     * each of the link thread's shortest parks last 50-100 us: the wait for the peer's next
     * message, twice on an output's way out. A thread may shorten its own slack
     * ({@code /proc/<tid>/timerslack_ns}, Linux 4.6+); where it cannot, it keeps the default.
     */
    private static void shortenTimerSlack() {
        try {
            // The entry is /proc/<tid>/timerslack_ns; /proc/thread-self (task/<tid>) has none.
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
            Files.writeString(Path.of("/proc", self.getFileName().toString(), "timerslack_ns"), LINK_THREAD_TIMER_SLACK_NANOS);
        } catch (IOException | RuntimeException e) {
            // not Linux, an older kernel, or not allowed: the default slack only costs latency
        }
    }

    private static IdleStrategy idleStrategy() {
        if (neverPark) {
            return new org.agrona.concurrent.YieldingIdleStrategy();
        }
        return new BackoffIdleStrategy(10, 10, SHORTEST_PARK_NANOS, SHORTEST_PARK_NANOS);
    }

    private static volatile boolean neverPark;

    /**
     * idle=yield: those threads never park, they yield. An output then waits microseconds instead
     * of timer wake-ups, at the price of cores that always look busy. Set before anything opens.
     */
    public static void neverPark(boolean yieldOnly) {
        neverPark = yieldOnly;
    }

    public String peerEndpoint() {
        return peerEndpoint;
    }

    /** Messages that were not Lockstep's (bad magic, too short) or came from another run. */
    public long rejected() {
        return rejected.get();
    }

    public void countRejected() {
        rejected.incrementAndGet();
    }

    /** Datagrams this side's media driver dropped as not Aeron's (its "Invalid packets" counter). */
    public long invalidPackets() {
        long[] value = {0};
        org.agrona.concurrent.status.CountersReader counters = aeron.countersReader();
        counters.forEach((counterId, typeId, keyBuffer, label) -> {
            if (label.startsWith("Invalid packets")) {
                value[0] = counters.getCounterValue(counterId);
            }
        });
        return value[0];
    }

    /** One line for stderr if anything was ignored, else null. */
    public String ignoredReport() {
        long invalid = invalidPackets();
        long ours = rejected();
        if (invalid == 0 && ours == 0) {
            return null;
        }
        return "ignored " + invalid + " datagram(s) on " + localEndpoint + " that were not Aeron's and " + ours
            + " message(s) that were not this run's Lockstep log";
    }

    /**
     * Sends one message, retrying while Aeron pushes back, until it is sent or {@code giveUp}
     * says to stop (the peer is gone). Any thread may send. Only the link thread runs the duty
     * cycles that make room (never an application thread: an interrupt would close Aeron's
     * channels), so it never waits here: it passes a giveUp that is always true and tries again
     * on its next round (waiting, it once waited for room only it could make: a hang).
     *
     * @return true if sent
     */
    public boolean send(int type, DirectBuffer body, int offset, int length, java.util.function.BooleanSupplier giveUp) {
        UnsafeBuffer sendBuffer = sendBuffers.get();
        if (length > 0) {
            sendBuffer.putBytes(HEADER_LENGTH, body, offset, length);
        }
        return offer(type, sendBuffer, length, giveUp);
    }

    /** Frames and offers the {@code length} bytes of body already at HEADER_LENGTH in this thread's buffer. */
    private boolean offer(int type, UnsafeBuffer sendBuffer, int length, java.util.function.BooleanSupplier giveUp) {
        sendBuffer.putInt(0, MAGIC);
        sendBuffer.putInt(4, type);
        sendBuffer.putLong(8, runId);
        long since = 0;
        while (true) {
            long result = publication.offer(sendBuffer, 0, HEADER_LENGTH + length);
            if (result > 0) {
                wake();
                return true;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                return false;
            }
            if (giveUp.getAsBoolean()) {
                return false;
            }
            if (since == 0) {
                since = System.nanoTime();
            }
            if (System.nanoTime() - since < OFFER_PATIENCE_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Sends a message with a body of longs (and an int flag word for heartbeats). */
    public boolean sendLongs(int type, java.util.function.BooleanSupplier giveUp, long... values) {
        UnsafeBuffer body = new UnsafeBuffer(new byte[values.length * Long.BYTES]);
        for (int i = 0; i < values.length; i++) {
            body.putLong(i * Long.BYTES, values[i]);
        }
        return send(type, body, 0, body.capacity(), giveUp);
    }

    public boolean sendHeartbeat(int flags) {
        UnsafeBuffer body = new UnsafeBuffer(new byte[Integer.BYTES]);
        body.putInt(0, flags);
        return send(HEARTBEAT, body, 0, Integer.BYTES, () -> true);
    }

    public boolean sendText(int type, String text, java.util.function.BooleanSupplier giveUp) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, MAX_PIECE);
        return send(type, new UnsafeBuffer(bytes), 0, length, giveUp);
    }

    /**
     * Sends a whole log block, in pieces of at most {@link #MAX_PIECE} bytes.
     *
     * @return false if {@code giveUp} stopped it
     */
    public boolean sendBlock(byte[] block, int length, java.util.function.BooleanSupplier giveUp) {
        UnsafeBuffer buffer = sendBuffers.get();
        for (int offset = 0; offset < length; offset += MAX_PIECE) {
            int size = Math.min(MAX_PIECE, length - offset);
            buffer.putInt(HEADER_LENGTH, length);
            buffer.putInt(HEADER_LENGTH + 4, offset);
            buffer.putBytes(HEADER_LENGTH + 8, block, offset, size);
            if (!offer(LOG_PIECE, buffer, 8 + size, giveUp)) {
                return false;
            }
        }
        return true;
    }

    /** A message that passed the header checks. */
    public interface MessageHandler {
        /** @param bodyOffset where the body starts in {@code buffer}; {@code bodyLength} may be 0 */
        void onMessage(int type, long senderRunId, DirectBuffer buffer, int bodyOffset, int bodyLength);
    }

    /** Wraps a handler: whole messages (reassembled by Aeron), Lockstep's only. */
    public FragmentHandler handler(MessageHandler handler) {
        return new FragmentAssembler((buffer, offset, length, header) -> {
            if (length < HEADER_LENGTH || buffer.getInt(offset) != MAGIC) {
                rejected.incrementAndGet();
                return;
            }
            handler.onMessage(buffer.getInt(offset + 4), buffer.getLong(offset + 8), buffer, offset + HEADER_LENGTH,
                length - HEADER_LENGTH);
        });
    }

    /**
     * One duty cycle, on the link thread only: the driver's and the client's work (sending what
     * was offered, receiving datagrams, liveness), then up to {@code limit} fragments to
     * {@code handler}.
     *
     * @return the amount of work done; 0 means idle
     */
    public int poll(FragmentHandler handler, int limit) {
        if (linkThread == null) {
            linkThread = Thread.currentThread();
            shortenTimerSlack();
        }
        return driverDutyCycle.invoke() + clientDutyCycle.invoke() + subscription.poll(handler, limit);
    }

    /**
     * After a {@link #poll} that did {@code work}: backs off when it did none. On the link thread.
     *
     * @param peerMessageDue whether an answer from the peer is awaited (an acknowledgement of what
     *                       was sent, the next log block): then it polls closely, else it sleeps
     *                       (up to a millisecond, or until {@link #wake woken})
     */
    public void idle(int work, boolean peerMessageDue) {
        IdleStrategy idle = peerMessageDue ? awaitingPeer : resting;
        idle.idle(work);
        if (work > 0) {
            (peerMessageDue ? resting : awaitingPeer).reset();
        }
    }

    /** Cuts the link thread's back-off short: something was offered that it must send. */
    private void wake() {
        Thread thread = linkThread;
        if (thread != null && thread != Thread.currentThread()) {
            LockSupport.unpark(thread);
        }
    }

    /** Reads a text body. */
    public static String text(DirectBuffer buffer, int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Reassembles log blocks from their pieces; the pieces of a block arrive in order, one block after another. */
    public static final class BlockAssembler {
        private byte[] block = new byte[64 * 1024];
        private int expected = -1;
        private int filled;
        private final Consumer<String> malformed;

        public BlockAssembler(Consumer<String> malformed) {
            this.malformed = malformed;
        }

        /** @return the length of the completed block in {@link #block()}, or -1 if it is not complete yet */
        public int onPiece(DirectBuffer buffer, int offset, int length) {
            if (length < 8) {
                malformed.accept("a log piece of " + length + " bytes");
                return -1;
            }
            int total = buffer.getInt(offset);
            int at = buffer.getInt(offset + 4);
            int size = length - 8;
            if (at == 0) {
                if (expected != -1) {
                    malformed.accept("a block that started before the one before it was complete");
                }
                if (total <= 0 || total > 512 * 1024 * 1024) {
                    malformed.accept("a block of " + total + " bytes");
                    expected = -1;
                    return -1;
                }
                expected = total;
                filled = 0;
                if (block.length < total) {
                    block = new byte[Math.max(total, block.length * 2)];
                }
            } else if (expected != total || at != filled) {
                malformed.accept("a piece at " + at + " of a block of " + total + " bytes, where " + filled + " of "
                    + expected + " were expected");
                expected = -1;
                return -1;
            }
            if (filled + size > expected) {
                malformed.accept("a piece beyond the end of its block");
                expected = -1;
                return -1;
            }
            buffer.getBytes(offset + 8, block, filled, size);
            filled += size;
            if (filled == expected) {
                expected = -1;
                return filled;
            }
            return -1;
        }

        public byte[] block() {
            return block;
        }
    }

    /**
     * Once the link thread has stopped polling: runs the duty cycles a little longer, so that what
     * was offered last (a final release, a refusal) is sent, then closes the client and the driver.
     */
    @Override
    public void close() {
        long until = System.nanoTime() + DRAIN_AT_CLOSE_NANOS;
        int quiet = 0;
        while (quiet < 100 && System.nanoTime() - until < 0) {
            quiet = driverDutyCycle.invoke() + clientDutyCycle.invoke() > 0 ? 0 : quiet + 1;
            Thread.onSpinWait();
        }
        try {
            aeron.close();
        } finally {
            driver.close();
        }
    }
}
