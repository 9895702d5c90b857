package io.lockstep.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The output rule on the primary: a write (to stdout, stderr or a socket) made after log
 * position P leaves the process only once the backup has acknowledged P. The writing thread
 * never waits: its bytes are held here; the link thread releases them, in order, as
 * acknowledgements come in, and the gate's own thread ("lockstep-output") writes them out, so
 * that a slow reader (a client that does not read, a full pipe) never stalls the link. Once
 * there is no backup to wait for ({@link #open}), writes go straight to that thread, still in
 * order.
 */
final class OutputGate {
    /** Where an output goes. Called on the output thread; a failure is not reported (the application went on long ago). */
    interface Sink {
        void write(byte[] bytes);
    }

    private record Held(long position, long sequence, Sink sink, byte[] bytes) {
    }

    /** Waiting for an acknowledgement. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** Covered by one, waiting for the output thread. */
    private final ArrayDeque<Held> released = new ArrayDeque<>();
    private final Thread writer;
    private boolean open;
    private long releasedSequence;
    private long heldBytes;
    private volatile long writtenSequence;

    OutputGate() {
        writer = new Thread(this::writeLoop, "lockstep-output");
        writer.setDaemon(true);
        writer.start();
    }

    /** Holds the {@code sequence}-th output, produced after {@code position} (or, when open, queues it at once). */
    synchronized void hold(long position, long sequence, Sink sink, byte[] bytes, int offset, int length) {
        Held output = new Held(position, sequence, sink, java.util.Arrays.copyOfRange(bytes, offset, offset + length));
        if (open && held.isEmpty()) {
            queue(output);
            return;
        }
        held.addLast(output);
        heldBytes += length;
    }

    /** Lets out what the acknowledgement of {@code acked} covers. @return the number of outputs released so far */
    synchronized long releaseUpTo(long acked) {
        Held next;
        while ((next = held.peekFirst()) != null && (open || next.position <= acked)) {
            held.removeFirst();
            heldBytes -= next.bytes.length;
            queue(next);
        }
        return releasedSequence;
    }

    private void queue(Held output) {
        released.addLast(output);
        releasedSequence = output.sequence;
        notifyAll();
    }

    /** No backup any more: what is held goes out now, and later writes at once. */
    synchronized long open() {
        open = true;
        return releaseUpTo(Long.MAX_VALUE);
    }

    /** The outputs written out so far, in order: what the backup may take as done. */
    long writtenSequence() {
        return writtenSequence;
    }

    /**
     * Waits until the {@code sequence}-th output has been written out (a socket closes only after
     * what was written to it), at most {@code timeoutMillis}.
     *
     * @return false if it timed out
     */
    synchronized boolean awaitWritten(long sequence, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (writtenSequence < sequence) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Waits until everything released so far has been written out, at most {@code timeoutMillis}. */
    boolean awaitReleasedWritten(long timeoutMillis) {
        long last;
        synchronized (this) {
            last = releasedSequence;
        }
        return awaitWritten(last, timeoutMillis);
    }

    /** Bytes waiting for an acknowledgement. */
    synchronized long heldBytes() {
        return heldBytes;
    }

    private void writeLoop() {
        while (true) {
            Held next;
            synchronized (this) {
                while (released.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                next = released.removeFirst();
            }
            next.sink.write(next.bytes);
            synchronized (this) {
                writtenSequence = next.sequence;
                notifyAll();
            }
        }
    }
}
