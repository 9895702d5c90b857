package io.lockstep.log;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The producer side of the log. Application threads encode entries straight into a ring
 * buffer (a few tens of nanoseconds); one agent thread ("lockstep-drain") drains it in blocks,
 * which go to the link (if the log is streamed) and then to the {@link BlockJournal}. A thread
 * whose outputs wait for their entries to reach the backup drains the ring itself
 * ({@link #flushSoon}, at its next switch point): no thread has to wake up for them. Producers
 * are serialised by the caller (one token), so positions are assigned in order. The journal
 * itself is opened on the journal's thread, so the application never waits for Chronicle to start.
 * <p>
 * Usage: {@code int at = claim(kind, thread, payloadLength); buffer().put...(at, ...); commit();}
 */
public final class LogWriter implements AutoCloseable {
    private static final int MESSAGE_TYPE = 1;
    private static final int BLOCK_CAPACITY = 256 * 1024;
    /** Blocks that are also streamed stay small, so the backup gets each one soon. */
    private static final int STREAMED_BLOCK_CAPACITY = 32 * 1024;
    private static final long DRAIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int DRAIN_LIMIT = 4096;

    /** Where blocks go besides the journal: the link to a backup. Called under the drain lock, before the journal append. */
    public interface BlockSink {
        void send(byte[] block, int length);
    }

    private final Path directory;
    private final BlockJournal journal;
    private final RingBuffer ring;
    /** Held by whoever drains the ring: the drain thread, an output's thread, an oversized entry. */
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Thread drainer;
    private final IdleStrategy producerIdle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);

    private final BlockSink sink;
    private final MessageHandler entryToBlock = this::appendToBlock;
    private final int blockCapacity;
    private final byte[] blockArray;
    private final UnsafeBuffer block;
    private int blockLength = Block.HEADER_LENGTH;
    private int blockCount;
    private long blockFirstPosition;

    private long nextPosition;
    private int claimedIndex = -1;
    private byte[] oversized;
    private UnsafeBuffer oversizedBuffer;
    private volatile boolean closing;
    private volatile Throwable failure;

    /** A log into a journal directory that {@link JournalWriter#prepare} accepted. */
    public LogWriter(Path directory, int ringCapacity) {
        this(directory, null, 1, ringCapacity, null);
    }

    /**
     * A log that continues {@code journal} (already open, or null to open {@code directory} on the
     * draining thread) from {@code firstPosition}, and sends every block to {@code sink} too.
     */
    public LogWriter(Path directory, JournalWriter journal, long firstPosition, int ringCapacity, BlockSink sink) {
        this.directory = directory;
        this.journal = new BlockJournal(journal, () -> JournalWriter.open(directory));
        this.nextPosition = firstPosition;
        this.sink = sink;
        this.blockCapacity = sink == null ? BLOCK_CAPACITY : STREAMED_BLOCK_CAPACITY;
        this.blockArray = new byte[blockCapacity];
        this.block = new UnsafeBuffer(blockArray);
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(ringCapacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.drainer = AgentThreads.newDaemon("lockstep-drain", this::drainLoop);
        this.drainer.start();
    }

    /**
     * Reserves space for one entry and writes its header.
     *
     * @return the offset in {@link #buffer()} at which the payload goes
     * @throws JournalException if the journal has failed
     */
    public int claim(EntryKind kind, int threadId, int payloadLength) {
        checkHealthy();
        int length = Entry.HEADER_LENGTH + payloadLength;
        long position = nextPosition++;
        if (length > ring.maxMsgLength()) {
            oversized = new byte[length];
            oversizedBuffer = new UnsafeBuffer(oversized);
            Entry.writeHeader(oversizedBuffer, 0, length, kind, threadId, position);
            return Entry.HEADER_LENGTH;
        }
        int index = ring.tryClaim(MESSAGE_TYPE, length);
        if (index <= 0) {
            LockSupport.unpark(drainer); // full: the drainer's next look is due in up to a millisecond
            while ((index = ring.tryClaim(MESSAGE_TYPE, length)) <= 0) {
                checkHealthy();
                producerIdle.idle();
            }
            producerIdle.reset();
        }
        claimedIndex = index;
        Entry.writeHeader(ring.buffer(), index, length, kind, threadId, position);
        return index + Entry.HEADER_LENGTH;
    }

    /** The buffer that the last {@link #claim} reserved space in. */
    public MutableDirectBuffer buffer() {
        return oversized != null ? oversizedBuffer : ring.buffer();
    }

    public void commit() {
        if (oversized != null) {
            writeOversized();
            return;
        }
        ring.commit(claimedIndex);
        claimedIndex = -1;
    }

    /** The position the next claimed entry gets. */
    public long nextPosition() {
        return nextPosition;
    }

    /** An entry too large for the ring goes straight to the journal, after everything before it. */
    private void writeOversized() {
        byte[] entry = oversized;
        oversized = null;
        oversizedBuffer = null;
        // Polled, not lock(): the caller is an application thread, and the drain thread's
        // unlock would not wake it from a park the agent models.
        while (!drainLock.tryLock()) {
            checkHealthy();
            producerIdle.idle();
        }
        producerIdle.reset();
        try {
            while (ring.consumerPosition() != ring.producerPosition()) {
                drainRing(); // everything before it goes first, in order
            }
            byte[] single = new byte[Block.HEADER_LENGTH + entry.length];
            System.arraycopy(entry, 0, single, Block.HEADER_LENGTH, entry.length);
            long position = new UnsafeBuffer(entry).getLong(Entry.POSITION_OFFSET);
            Block.writeHeader(new UnsafeBuffer(single), 0, 1, position, entry.length, single, Block.HEADER_LENGTH);
            if (sink != null) {
                sink.send(single, single.length);
            }
            journal.append(single);
        } catch (RuntimeException e) {
            failure = e;
            throw new JournalException("writing journal " + directory + " failed: " + e, e);
        } finally {
            drainLock.unlock();
        }
    }

    private void checkHealthy() {
        Throwable failed = failure;
        if (failed != null) {
            throw new JournalException("writing journal " + directory + " failed: " + failed, failed);
        }
        journal.checkHealthy();
    }

    /**
     * Held outputs wait for the entries committed so far to reach the backup: drains them now, on
     * this thread, unless another thread is draining (then that one takes them, or its next round).
     */
    public void flushSoon() {
        if (drainLock.tryLock()) {
            try {
                drainRing();
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                drainLock.unlock();
            }
        } else {
            LockSupport.unpark(drainer);
        }
    }

    private void drainLoop() {
        // An output drains what it needs itself (flushSoon) and a full ring wakes this thread
        // (claim): everything else can wait a millisecond. A wait that starts short after each
        // round woke this thread several times per entry under a server's steady trickle of them.
        try {
            while (true) {
                boolean stopping = closing;
                if (drainOnce() == 0) {
                    if (stopping) {
                        return;
                    }
                    LockSupport.parkNanos(this, DRAIN_PERIOD_NANOS);
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private int drainOnce() {
        drainLock.lock();
        try {
            return drainRing();
        } finally {
            drainLock.unlock();
        }
    }

    /** Under the drain lock: what is committed (up to a limit), in blocks, to the link and the journal. */
    private int drainRing() {
        int drained = ring.read(entryToBlock, DRAIN_LIMIT);
        if (drained < DRAIN_LIMIT) {
            // One read stops at the end of the buffer (a wrapped entry leaves padding there, which
            // counts as no entry): the next one goes on from the start.
            drained += ring.read(entryToBlock, DRAIN_LIMIT - drained);
        }
        flushBlock();
        return drained;
    }

    private void appendToBlock(int type, MutableDirectBuffer buffer, int index, int length) {
        if (blockLength + length > blockCapacity) {
            flushBlock();
        }
        if (blockCount == 0) {
            blockFirstPosition = buffer.getLong(index + Entry.POSITION_OFFSET);
        }
        buffer.getBytes(index, block, blockLength, length);
        blockLength += length;
        blockCount++;
    }

    private void flushBlock() {
        if (blockCount == 0) {
            return;
        }
        int bodyLength = blockLength - Block.HEADER_LENGTH;
        Block.writeHeader(block, 0, blockCount, blockFirstPosition, bodyLength, blockArray, Block.HEADER_LENGTH);
        if (sink != null) {
            sink.send(blockArray, blockLength);
        }
        journal.append(java.util.Arrays.copyOf(blockArray, blockLength));
        blockLength = Block.HEADER_LENGTH;
        blockCount = 0;
    }

    /** Drains everything committed so far into the journal and closes it. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(drainer);
        try {
            drainer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkHealthy();
        journal.finish().close();
    }
}
