package io.lockstep.runtime;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The output rule on the primary: a write (to stdout, stderr or a socket) made after log
 * position P leaves the process only once the backup has acknowledged P. The writing thread
 * never waits: its bytes are held here; the link thread releases them, in order, as
 * acknowledgements come in, and the gate's own writer threads ("lockstep-output-N") write them
 * out. Once there is no backup to wait for ({@link #open}), writes go straight to the writers.
 * <p>
 * Each descriptor is a <em>lane</em>: its outputs are written in order, by one writer at a time.
 * Lanes do not wait for each other, as the application's threads would not without the agent: a
 * client that stops reading blocks the write to its own socket, never another client's reply.
 * So that a blocked write never holds up the other lanes, a writer that takes a lane first makes
 * sure another writer is idle (it starts one if needed, up to {@link #MAX_WRITERS}); writers
 * start only from writers, never on an application thread, and an idle one retires after
 * {@link #KEEP_ALIVE_NANOS} unless it is the last idle one.
 * <p>
 * What the backup may take as done is {@link #writtenSequence}: every output up to it is written
 * out. Lanes finish out of order, so outputs beyond it may be written too; a backup that goes
 * live writes those again (a duplicate is allowed, a loss is not).
 * <p>
 * Monitors, not java.util.concurrent locks: application threads enter here (as the agent's
 * work), and an unpark that an agent thread gives a managed thread is modelled as a wake-up from
 * outside, not performed, so a managed thread parked for real in a lock here would never wake.
 * Writers wait on the gate; those waiting for outputs to be written, on {@link #progress}.
 */
final class OutputGate {
    /**
     * Where an output goes: its lane (the descriptor: a socket's FileDescriptor object, since a
     * closed socket's number is soon another's, or the stream number of stdout and stderr) and
     * how to write bytes to it for real.
     */
    interface Sink {
        Object lane();

        /** Called on a writer thread; a failure is not reported (the application went on long ago). */
        void write(byte[] bytes);
    }

    static Sink sink(Object lane, Consumer<byte[]> writer) {
        return new Sink() {
            @Override
            public Object lane() {
                return lane;
            }

            @Override
            public void write(byte[] bytes) {
                writer.accept(bytes);
            }
        };
    }

    /** Writer threads at most: as many lanes may be blocked at once before a blocked one holds up another. */
    static final int MAX_WRITERS = 64;
    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private record Held(long position, long sequence, Sink sink, byte[] bytes) {
    }

    /** One descriptor's released outputs, oldest first (the first is being written while {@code taken}). */
    private static final class Lane {
        final Object id;
        final ArrayDeque<Held> outputs = new ArrayDeque<>();
        boolean taken;

        Lane(Object id) {
            this.id = id;
        }
    }

    /** Notified when an output was written out. Lock order: this, then the gate (a writer never holds the gate while it takes this). */
    private final Object progress = new Object();

    /** Waiting for an acknowledgement, in sequence order. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** The lanes with outputs not yet written out. */
    private final Map<Object, Lane> lanes = new HashMap<>();
    /** Lanes with released outputs and no writer, in the order they became ready. */
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();
    private int writers;
    private int idleWriters;
    private int writersStarted;
    private boolean open;
    private long releasedSequence;
    private long heldBytes;
    /** Every output up to this one is written out. */
    private volatile long writtenSequence;

    /** @param writtenSoFar outputs numbered before this gate's first (a backup going live counts on from the replay's) */
    OutputGate(long writtenSoFar) {
        writtenSequence = writtenSoFar;
        synchronized (this) {
            releasedSequence = writtenSoFar;
            startWriter();
        }
    }

    /** Holds the {@code sequence}-th output, produced after {@code position} (or, when open, releases it at once). */
    synchronized void hold(long position, long sequence, Sink sink, byte[] bytes, int offset, int length) {
        Held output = new Held(position, sequence, sink, java.util.Arrays.copyOfRange(bytes, offset, offset + length));
        if (open && held.isEmpty()) {
            release(output);
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
            release(next);
        }
        return releasedSequence;
    }

    /** Under the gate's monitor: to its lane, which becomes ready for a writer if none has it. */
    private void release(Held output) {
        Lane lane = lanes.computeIfAbsent(output.sink.lane(), Lane::new);
        lane.outputs.addLast(output);
        releasedSequence = output.sequence;
        if (!lane.taken && lane.outputs.size() == 1) {
            ready.addLast(lane);
            notify(); // only writers wait on the gate
        }
    }

    /** No backup any more: what is held goes out now, and later writes at once. */
    synchronized long open() {
        open = true;
        return releaseUpTo(Long.MAX_VALUE);
    }

    /** Every output up to this one is written out: what the backup may take as done. */
    long writtenSequence() {
        return writtenSequence;
    }

    /**
     * Waits until the outputs to {@code lane} up to the {@code sequence}-th have been written out
     * (a socket closes only after what was written to it), at most {@code timeoutMillis}.
     *
     * @return false if it timed out
     */
    boolean awaitWritten(Object lane, long sequence, long timeoutMillis) {
        return awaitProgress(() -> {
            synchronized (this) {
                Lane pending = lanes.get(lane);
                return sequence <= releasedSequence
                    && (pending == null || pending.outputs.isEmpty() || pending.outputs.peekFirst().sequence > sequence);
            }
        }, timeoutMillis);
    }

    /** Waits until everything released so far has been written out, at most {@code timeoutMillis}. */
    boolean awaitReleasedWritten(long timeoutMillis) {
        long last;
        synchronized (this) {
            last = releasedSequence;
        }
        return awaitProgress(() -> writtenSequence >= last, timeoutMillis);
    }

    private boolean awaitProgress(BooleanSupplier done, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (progress) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Bytes waiting for an acknowledgement. */
    synchronized long heldBytes() {
        return heldBytes;
    }

    /** Under the gate's monitor. */
    private void startWriter() {
        writers++;
        idleWriters++; // counted idle from now: it is about to wait for work
        Thread writer = new Thread(this::writeLoop, "lockstep-output-" + ++writersStarted);
        writer.setDaemon(true);
        writer.start();
    }

    private void writeLoop() {
        while (true) {
            Lane lane;
            synchronized (this) {
                long idleSince = System.nanoTime();
                while (ready.isEmpty()) {
                    long idleFor = System.nanoTime() - idleSince;
                    if (idleFor >= KEEP_ALIVE_NANOS) {
                        if (idleWriters > 1) {
                            idleWriters--;
                            writers--;
                            return;
                        }
                        idleSince = System.nanoTime(); // the last idle writer stays
                        continue;
                    }
                    waitForWork(KEEP_ALIVE_NANOS - idleFor);
                }
                lane = ready.removeFirst();
                lane.taken = true;
                idleWriters--;
                if (idleWriters == 0 && writers < MAX_WRITERS) {
                    startWriter(); // should this lane's write block, the others have a writer
                }
            }
            writeOut(lane);
        }
    }

    /** Under the gate's monitor. Nothing should interrupt the agent's threads; if it happens, the writer carries on. */
    private void waitForWork(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(this, nanos);
        } catch (InterruptedException e) {
            // carry on
        }
    }

    /** Writes the lane's outputs in order until it has none, then gives it up. */
    private void writeOut(Lane lane) {
        while (true) {
            Held next;
            synchronized (this) {
                next = lane.outputs.peekFirst();
                if (next == null) {
                    lane.taken = false;
                    lanes.remove(lane.id);
                    idleWriters++;
                    return;
                }
            }
            next.sink.write(next.bytes);
            synchronized (this) {
                lane.outputs.removeFirst();
                if (next.sequence == writtenSequence + 1) {
                    writtenSequence = firstUnwritten() - 1;
                }
            }
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    /** Under the gate's monitor: the oldest output released and not yet written out (or the next to be released). */
    private long firstUnwritten() {
        long first = releasedSequence + 1;
        for (Lane lane : lanes.values()) {
            Held oldest = lane.outputs.peekFirst();
            if (oldest != null && oldest.sequence < first) {
                first = oldest.sequence;
            }
        }
        return first;
    }
}
