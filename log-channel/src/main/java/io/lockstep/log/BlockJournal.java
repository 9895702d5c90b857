package io.lockstep.log;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Journals whole blocks on a thread of its own ("lockstep-journal"), so that whoever produces
 * them (an output that must reach the backup now, the backup's link thread that acknowledges and
 * keeps the heartbeat) never waits on the disk: a Chronicle append can take tens of milliseconds
 * when it maps a new chunk. Handing a block over is a lock-free enqueue, no system call; the
 * thread looks for work every millisecond. At most {@link #MAX_PENDING_BYTES} wait in memory,
 * beyond that {@link #append} waits: a disk that cannot keep up slows the log down, it does not
 * fill the heap.
 */
public final class BlockJournal {
    static final long MAX_PENDING_BYTES = 64L * 1024 * 1024;
    private static final long POLL_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ManyToOneConcurrentLinkedQueue<byte[]> pending = new ManyToOneConcurrentLinkedQueue<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Thread thread;
    private final Supplier<JournalWriter> opener;
    private final IdleStrategy producerIdle = new BackoffIdleStrategy(10, 10, 1_000, TimeUnit.MILLISECONDS.toNanos(1));
    private volatile JournalWriter writer;
    private volatile boolean stopping;
    private volatile Throwable failure;

    /** Journals into {@code writer}, or, if it is null, into what {@code opener} opens on the journal thread. */
    public BlockJournal(JournalWriter writer, Supplier<JournalWriter> opener) {
        this.writer = writer;
        this.opener = opener;
        this.thread = AgentThreads.newDaemon("lockstep-journal", this::drainLoop);
        this.thread.start();
    }

    /**
     * Queues a block (whole, and no longer touched by the caller) for the journal.
     *
     * @throws JournalException if the journal has failed
     */
    public void append(byte[] block) {
        while (pendingBytes.get() > MAX_PENDING_BYTES) {
            checkHealthy();
            producerIdle.idle();
        }
        producerIdle.reset();
        checkHealthy();
        pendingBytes.addAndGet(block.length);
        pending.offer(block);
    }

    /** @throws JournalException if an append failed (that block and all after it are not journaled) */
    public void checkHealthy() {
        Throwable failed = failure;
        if (failed != null) {
            throw new JournalException("writing the journal failed: " + failed, failed);
        }
    }

    /**
     * Journals everything queued, stops the thread and hands the writer over (still open).
     *
     * @throws JournalException if an append failed
     */
    public JournalWriter finish() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalException("interrupted while journaling the last blocks", e);
        }
        checkHealthy();
        return writer;
    }

    private void drainLoop() {
        try {
            if (writer == null) {
                writer = opener.get();
            }
            while (true) {
                boolean last = stopping;
                int drained = 0;
                for (byte[] block = pending.poll(); block != null; block = pending.poll()) {
                    writer.append(block, block.length);
                    pendingBytes.addAndGet(-block.length);
                    drained++;
                }
                if (last) {
                    return;
                }
                if (drained == 0) {
                    // Not a wait that starts short after each round: under a steady trickle of
                    // blocks that woke this thread many times per block.
                    LockSupport.parkNanos(this, POLL_PERIOD_NANOS);
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }
}
