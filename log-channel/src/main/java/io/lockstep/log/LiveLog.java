package io.lockstep.log;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The log as it arrives from the primary: the receiving thread {@link #offer}s verified blocks,
 * the replay takes entries in order, waiting for the next block while there is none. Once the
 * sender is known to be gone ({@link #end}), what was received is replayed and then {@link #next}
 * returns null: the replay has reached the end of what the primary sent.
 */
public final class LiveLog implements EntrySource {
    private final ConcurrentLinkedQueue<byte[]> blocks = new ConcurrentLinkedQueue<>();
    private final BlockCursor cursor = new BlockCursor();
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    /** Read by the receiving thread too (how far the replay is, for acknowledgements and the status). */
    private volatile long nextPosition = 1;
    private volatile boolean ended;
    private volatile Thread waiter;

    /** Receiving side: a block that {@link Block#verify} accepted, copied. */
    public void offer(byte[] block) {
        blocks.add(block);
        Thread reader = waiter;
        if (reader != null) {
            LockSupport.unpark(reader);
        }
    }

    /** Receiving side: nothing more will come. */
    public void end() {
        ended = true;
        Thread reader = waiter;
        if (reader != null) {
            LockSupport.unpark(reader);
        }
    }

    @Override
    public Entry next() {
        if (!cursor.hasNext() && !takeBlock()) {
            return null;
        }
        nextPosition++;
        return cursor.next();
    }

    private boolean takeBlock() {
        byte[] block = blocks.poll();
        if (block == null) {
            block = await();
            if (block == null) {
                return false;
            }
        }
        view.wrap(block);
        cursor.start(view, view.getInt(Block.COUNT_OFFSET));
        return true;
    }

    private byte[] await() {
        waiter = Thread.currentThread();
        try {
            long spinUntil = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(20);
            while (true) {
                byte[] block = blocks.poll();
                if (block != null) {
                    return block;
                }
                if (ended) {
                    block = blocks.poll();
                    return block;
                }
                if (System.nanoTime() - spinUntil < 0) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        } finally {
            waiter = null;
        }
    }

    @Override
    public long nextPosition() {
        return nextPosition;
    }

    @Override
    public boolean hasBufferedEntry() {
        return cursor.hasNext();
    }

    @Override
    public void close() {
        blocks.clear();
    }
}
