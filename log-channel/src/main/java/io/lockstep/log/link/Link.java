package io.lockstep.log.link;

import io.aeron.Aeron;
import io.aeron.ConcurrentPublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.DefaultReceiveChannelEndpointSupplier;
import io.aeron.driver.DefaultSendChannelEndpointSupplier;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.media.ReceiveChannelEndpoint;
import io.aeron.driver.media.SendChannelEndpoint;
import io.aeron.driver.media.UdpChannelTransport;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One side's end of the primary/backup link: an embedded Aeron media driver of its own (a
 * directory no other process uses, small buffers), a subscription on this side's endpoint and a
 * publication to the peer's.
 * <p>
 * The driver and the Aeron client have no threads of their own: the side's one link thread runs
 * their duty cycles in {@link #poll} (Aeron's INVOKER mode), and a thread that has just offered a
 * log block runs one itself ({@link #sendNow}). A message then crosses one thread per side, not
 * three (driver, client, link thread each backing off in turn). When there is nothing
 * to do the link thread sleeps in a selector of its own on the driver's UDP sockets, so the
 * kernel wakes it when a datagram arrives; a sender on another thread {@linkplain #wake wakes} it
 * the same way.
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
    /**
     * Primary to backup, at the end of its run: body: long N, as {@link #RELEASED}; the primary
     * writes nothing more (past N, what it gave up on), so the backup, which has the whole log,
     * may leave once it has written again any output past N. Backup to primary, the same body: heard.
     */
    public static final int FINISHED = 6;

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
    /** Held while a duty cycle runs: the link thread's, or a sender's own ({@link #sendNow}). */
    private final ReentrantLock dutyCycle = new ReentrantLock();
    /** Under {@link #dutyCycle}: the driver and the client are closed. */
    private boolean closed;
    /**
     * Where the link thread sleeps: readiness of the driver's UDP sockets (watched here as well as
     * by the driver's own poller), and {@link Selector#wakeup} from senders.
     */
    private final Selector arrivals;
    /** The driver's UDP endpoints as its conductor creates them (their sockets open a little later). */
    private final List<UdpChannelTransport> transports;
    private final Set<UdpChannelTransport> transportsWatched = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The link thread offered something since its last poll (see {@link #wake}). */
    private boolean offeredSincePoll;
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
                 String localEndpoint, String peerEndpoint, Selector arrivals, List<UdpChannelTransport> transports) {
        this.arrivals = arrivals;
        this.transports = transports;
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
        Selector arrivals;
        try {
            arrivals = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the link thread", e);
        }
        List<UdpChannelTransport> transports = new CopyOnWriteArrayList<>();
        DefaultReceiveChannelEndpointSupplier receiveEndpoints = new DefaultReceiveChannelEndpointSupplier();
        DefaultSendChannelEndpointSupplier sendEndpoints = new DefaultSendChannelEndpointSupplier();
        MediaDriver.Context driverContext = new MediaDriver.Context()
            .receiveChannelEndpointSupplier((channel, dispatcher, status, context) -> {
                ReceiveChannelEndpoint endpoint = receiveEndpoints.newInstance(channel, dispatcher, status, context);
                transports.add(endpoint);
                return endpoint;
            })
            .sendChannelEndpointSupplier((channel, status, context) -> {
                SendChannelEndpoint endpoint = sendEndpoints.newInstance(channel, status, context);
                transports.add(endpoint);
                return endpoint;
            })
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
        MediaDriver driver;
        try {
            driver = MediaDriver.launch(driverContext);
        } catch (RuntimeException e) {
            closeQuietly(arrivals);
            throw e;
        }
        try {
            Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driverContext.aeronDirectoryName())
                .errorHandler(errors)
                .driverAgentInvoker(driver.sharedAgentInvoker())
                .useConductorAgentInvoker(true));
            Subscription subscription = aeron.addSubscription("aeron:udp?endpoint=" + localEndpoint, inStream);
            ConcurrentPublication publication = aeron.addPublication("aeron:udp?endpoint=" + peerEndpoint, outStream);
            return new Link(driver, aeron, publication, subscription, runId, localEndpoint, peerEndpoint, arrivals, transports);
        } catch (RuntimeException e) {
            driver.close();
            closeQuietly(arrivals);
            throw e;
        }
    }

    private static void closeQuietly(Selector selector) {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing registered with it is ours to lose
        }
    }

    /**
     * The longest sleep, unless the side's own timers need less ({@link #sleepAtMost}): the
     * driver's timers tick at this (status messages, liveness, and the repair of a lost datagram,
     * which waits for it). Every datagram and every offer wakes the thread at once, so this does
     * not touch an output's latency; at 1 ms an idle link thread woke about 1,300 times a second.
     */
    private static final long LONGEST_SLEEP_MILLIS = 10;
    private long sleepMillis = LONGEST_SLEEP_MILLIS;

    private static volatile boolean neverPark;

    /**
     * idle=yield: the link threads never sleep, they yield. On an otherwise idle host an output
     * then waits about half as long (no wake-ups), at the price of cores that always look busy; on
     * a busy host it waits far longer (see {@link #idle}). Set before anything opens.
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
     * says to stop (the peer is gone), then wakes the link thread to send it. Any thread may send.
     * While a sender waits here, only the link thread runs the duty cycles that make room, so it
     * never waits here itself: it passes a giveUp that is always true and tries again on its next
     * round (waiting, it once waited for room only it could make: a hang).
     *
     * @return true if sent
     */
    public boolean send(int type, DirectBuffer body, int offset, int length, java.util.function.BooleanSupplier giveUp) {
        UnsafeBuffer sendBuffer = sendBuffers.get();
        if (length > 0) {
            sendBuffer.putBytes(HEADER_LENGTH, body, offset, length);
        }
        if (!offer(type, sendBuffer, length, giveUp)) {
            return false;
        }
        wake();
        return true;
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
                wake(); // only the link thread's duty cycle makes room: it must not sleep through this wait
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
     * Sends a whole log block, in pieces of at most {@link #MAX_PIECE} bytes: the link thread is
     * woken to send it, or, with a {@code handler} and a link thread that sleeps when idle, this
     * thread sends it itself when it can ({@link #sendNow}, the handler taking what that duty
     * cycle receives).
     *
     * @return the work this thread's duty cycle did, or -1 if it ran none (the link thread was
     *     woken instead, or {@code giveUp} stopped the block)
     */
    public int sendBlock(byte[] block, int length, java.util.function.BooleanSupplier giveUp, FragmentHandler handler) {
        if (!offerBlock(block, length, giveUp)) {
            return -1;
        }
        if (handler == null || neverPark) { // a link thread that never sleeps has no wake-up to save
            wake();
            return -1;
        }
        return sendNow(handler, 64);
    }

    private boolean offerBlock(byte[] block, int length, java.util.function.BooleanSupplier giveUp) {
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
     * One duty cycle of the link thread (the only thread that calls this; a sender's own cycles
     * are {@link #sendNow}'s): the driver's and the client's work (sending what was offered,
     * receiving datagrams, liveness), then up to {@code limit} fragments to {@code handler}.
     *
     * @return the amount of work done; 0 means idle
     */
    public int poll(FragmentHandler handler, int limit) {
        if (linkThread == null) {
            linkThread = Thread.currentThread();
        }
        int work;
        dutyCycle.lock();
        try {
            work = driverAndClientWork() + subscription.poll(handler, limit);
        } finally {
            dutyCycle.unlock();
        }
        watchNewTransports();
        return work;
    }

    /**
     * On a thread that has just offered (a primary's output, draining the log): runs one duty
     * cycle here, so that the offer leaves now rather than once the link thread has woken for it.
     * A wake-up is the slowest step of a hop on a VM (tens of microseconds), and an output's
     * round trip had two of them on this side. What the cycle receives goes to {@code handler}
     * here too: the link thread, asleep on those sockets, would not see it.
     * <p>
     * A duty cycle must not be interrupted: the driver's UDP channels are non-blocking, which an
     * interrupt leaves open, but its conductor maps log buffers through file channels, which an
     * interrupt closes. So the caller must be a thread that nothing interrupts now: an agent
     * thread, or the token holder (an interrupt of a managed thread is the token holder's own
     * call). One already interrupted, or a duty cycle in progress on the link thread (which then
     * sends the offer), wakes the link thread instead.
     *
     * @return the work done, or -1 if the link thread was woken instead
     */
    private int sendNow(FragmentHandler handler, int limit) {
        if (Thread.currentThread().isInterrupted() || !dutyCycle.tryLock()) {
            wake();
            return -1;
        }
        try {
            if (closed) {
                return -1;
            }
            // The driver's sender sends one datagram per cycle (a block over about 1.3 KiB takes
            // several), and a cycle may leave a retransmission or a reply for the next: cycles run
            // here until one finds nothing to do. Should that not come soon, the link thread goes on.
            int work = 0;
            for (int cycles = 1; ; cycles++) {
                int done = driverAndClientWork();
                work += done;
                if (done == 0) {
                    break;
                }
                if (cycles == MAX_SENDER_CYCLES) {
                    wake();
                    break;
                }
            }
            int fragments = subscription.poll(handler, limit);
            if (fragments == limit) {
                wake(); // more have come: the link thread takes them
            }
            return work + fragments;
        } finally {
            dutyCycle.unlock();
        }
    }

    /** Under {@link #dutyCycle}: one duty cycle of the driver and one of the client. */
    private int driverAndClientWork() {
        return driverDutyCycle.invoke() + clientDutyCycle.invoke();
    }

    /** Duty cycles a sender runs at most ({@link #sendNow}): a block of up to about 20 KiB leaves at once. */
    private static final int MAX_SENDER_CYCLES = 16;

    /** Adds to {@link #arrivals} the driver's endpoints whose sockets have opened since the last look. */
    private void watchNewTransports() {
        if (transportsWatched.size() == transports.size()) {
            return;
        }
        for (UdpChannelTransport transport : transports) {
            DatagramChannel channel = transport.receiveDatagramChannel();
            if (channel == null || transportsWatched.contains(transport)) {
                continue; // created and not opened yet (the next poll looks again), or watched already
            }
            try {
                channel.register(arrivals, SelectionKey.OP_READ);
            } catch (ClosedChannelException e) {
                // closed already: nothing will arrive on it
            }
            transportsWatched.add(transport);
        }
    }

    /**
     * After a {@link #poll} that did {@code work}: when it did none, sleeps until a datagram
     * arrives, a sender {@linkplain #wake wakes} the thread, or the longest sleep passed. On the
     * link thread.
     * <p>
     * A sleeper is put back on a core as soon as the kernel sees its datagram (it has used little
     * CPU, so the scheduler favours it). Stop 10-14's link thread polled on its own timer (1 us
     * parks) while a message was due: on a loaded host it looked busy to the scheduler and waited
     * behind every other runnable thread for its turn, milliseconds per hop, and an idle backup's
     * used a whole core. Side by side (bench/output-rule.sh with HOGS=2 and without, README): with
     * two CPU hogs beside the pair an output's p50 went from 2.7 ms to 0.2 ms; on an idle host it
     * rose from 137 us to 265 us (two wake-ups of an idle core, slow on this VM). idle=yield keeps
     * polling.
     */
    public void idle(int work) {
        if (work > 0 || offeredSincePoll) {
            offeredSincePoll = false;
            return;
        }
        if (neverPark) {
            Thread.yield();
            return;
        }
        try {
            arrivals.select(sleepMillis);
            arrivals.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            // closed under a link thread that outlived its join: its loop ends on the closing flag
        } catch (IOException e) {
            throw new UncheckedIOException("the link thread's selector failed", e);
        }
    }

    /** Shortens the link thread's longest sleep to what the caller's timers (heartbeats, say) need; at least 1 ms. */
    public void sleepAtMost(long millis) {
        sleepMillis = Math.max(1, Math.min(LONGEST_SLEEP_MILLIS, millis));
    }

    /**
     * Ends the link thread's sleep (or its next one at once): something was offered, or a flag
     * set, that it must act on. On the link thread itself it marks its own offer, which leaves
     * only with the next duty cycle: its next {@link #idle} must not sleep.
     */
    public void wake() {
        Thread thread = linkThread;
        if (thread == Thread.currentThread()) {
            offeredSincePoll = true;
        } else if (thread != null) {
            arrivals.wakeup();
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
        dutyCycle.lock(); // no sender's duty cycle from now on (sendNow)
        try {
            closed = true;
            while (quiet < 100 && System.nanoTime() - until < 0) {
                quiet = driverAndClientWork() > 0 ? 0 : quiet + 1;
                Thread.onSpinWait();
            }
            try {
                aeron.close();
            } finally {
                driver.close();
            }
        } finally {
            dutyCycle.unlock();
            closeQuietly(arrivals); // the driver's sockets are only released once no selector holds them
        }
    }
}
