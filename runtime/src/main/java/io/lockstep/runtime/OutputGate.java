package io.lockstep.runtime;

import io.lockstep.log.AgentThreads;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * Each socket is a <em>lane</em>, and stdout with stderr is one more ({@link #STDIO}: the two
 * stay in order with each other, as they must where both go to one terminal or file). A lane's
 * outputs are written in order, by one writer at a time; lanes do not wait for each other. One
 * writer does the work, taking the ready lanes in turn, at most {@link #TURN} outputs from each
 * (a single thread to wake per acknowledgement: a thread per lane cost a live server half its
 * throughput on 2 cores). A client that stops reading blocks the write to its own socket; once
 * that write has lasted {@link #STALL_NANOS}, a spare writer takes the lanes that wait, so no
 * other client's reply waits behind it, as none would without the agent. A writer that takes a
 * lane makes sure a spare is idle (it starts one, up to {@link #MAX_WRITERS}); writers start only
 * on writers, never on an application thread, and an idle one retires after
 * {@link #KEEP_ALIVE_NANOS} unless it is the last idle one.
 * <p>
 * Lanes finish out of order. {@link #writtenSequence} is the run of outputs that have all been
 * written out (the end of the run waits for it). {@link #confirmedSequence}, what the backup may
 * take as done, is the same over stdout and stderr only: those are what a backup that goes live
 * writes again (a socket's connection dies with the primary), so a blocked socket does not make
 * it keep, and write again, everything printed meanwhile. A duplicate is allowed, a loss is not.
 * <p>
 * Monitors, not java.util.concurrent locks: application threads enter here (as the agent's
 * work), and an unpark that an agent thread gives a managed thread is modelled as a wake-up from
 * outside, not performed, so a managed thread parked for real in a lock here would never wake.
 * Writers wait on the gate; those waiting for outputs to be written, on {@link #progress}.
 */
final class OutputGate {
    /**
     * Where an output goes: its lane (a socket's FileDescriptor object, since a closed socket's
     * number is soon another's; {@link #STDIO} for stdout and stderr) and how to write bytes to
     * it for real.
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

    /** The lane of stdout and stderr. */
    static final Object STDIO = "stdout and stderr";
    /** Writer threads at most: as many lanes may be blocked at once before a blocked one holds up another. */
    static final int MAX_WRITERS = 64;
    /** A write that has lasted this long is taken for blocked (a peer that does not read): a spare takes the waiting lanes. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Outputs a writer takes from one lane before the other ready lanes have their turn. */
    private static final int TURN = 16;
    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * Bytes a lane may have that have not left the process before the thread that writes more
     * waits ({@link #awaitBacklogAtMost}), as its write would block without the agent once the
     * socket's buffers are full: Linux lets a socket's send buffer grow to 4 MiB (tcp_wmem).
     */
    static final long LANE_BACKLOG_LIMIT = 4L << 20;

    private record Held(long position, long sequence, Sink sink, byte[] bytes) {
    }

    /** One lane's released outputs, oldest first (the first is being written while {@code taken}). */
    private static final class Lane {
        final Object id;
        final ArrayDeque<Held> outputs = new ArrayDeque<>();
        boolean taken;
        /** Its socket closed with outputs its peer never read: what is left is dropped. */
        boolean abandoned;

        Lane(Object id) {
            this.id = id;
        }
    }

    /** A writer thread's state, under the gate's monitor. */
    private static final class Writer {
        /** It holds a lane (from taking it to giving it up). */
        boolean working;
        /** When its write in progress began (System.nanoTime), or 0 between writes. */
        long writingSince;
    }

    /** Notified when an output was written out or dropped. Lock order: this, then the gate (a writer never holds the gate while it takes this). */
    private final Object progress = new Object();

    /** Waiting for an acknowledgement, in sequence order. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** The lanes with outputs not yet written out. */
    private final Map<Object, Lane> lanes = new HashMap<>();
    /** Lanes with released outputs and no writer, in turn. */
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();
    private final List<Writer> writers = new ArrayList<>();
    private int writersStarted;
    /** An idle writer is waiting to see whether the write in progress blocks (no need to wake another). */
    private boolean watching;
    /** A writer was woken and has not looked at the ready lanes yet (it takes them: no need to wake another). */
    private boolean summoned;
    private boolean open;
    private long releasedSequence;
    private long heldBytes;
    /** Per lane, the bytes of its outputs not yet written out or dropped, held ones included. */
    private final Map<Object, long[]> backlogs = new HashMap<>();
    /** Threads in {@link #awaitBacklogAtMost}: writers their lane's backlog holds back. */
    private final java.util.concurrent.atomic.AtomicInteger writersHeldBack = new java.util.concurrent.atomic.AtomicInteger();
    private boolean failureReported;
    /** Every output up to this one is written out (or dropped with its closed socket). */
    private volatile long writtenSequence;
    /** Every stdout and stderr output up to this one is written out. */
    private volatile long confirmedSequence;

    /** @param writtenSoFar outputs numbered before this gate's first: it numbers them on from there, without gaps */
    OutputGate(long writtenSoFar) {
        writtenSequence = writtenSoFar;
        confirmedSequence = writtenSoFar;
        synchronized (this) {
            releasedSequence = writtenSoFar;
            startWriter();
        }
    }

    /** Holds the {@code sequence}-th output, produced after {@code position} (or, when open, releases it at once). */
    void hold(long position, long sequence, Sink sink, byte[] bytes, int offset, int length) {
        Held output = new Held(position, sequence, sink, java.util.Arrays.copyOfRange(bytes, offset, offset + length));
        synchronized (this) {
            backlogs.computeIfAbsent(sink.lane(), lane -> new long[1])[0] += length;
            if (open && held.isEmpty()) {
                release(output);
                return;
            }
            held.addLast(output);
            heldBytes += length;
        }
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
        updateConfirmed();
        if (!lane.taken && lane.outputs.size() == 1) {
            ready.addLast(lane);
            // Whoever is writing takes it after its turn; an idle writer is woken only if nobody
            // writes, or to watch whether the write in progress blocks: one, not one per lane (a
            // writer woken for the first lane of a batch has not taken it yet when the next comes).
            if (!summoned && (activeWriteStallsAt(System.nanoTime()) == 0 || !watching)) {
                summoned = true;
                notify(); // only writers wait on the gate
            }
        }
    }

    /** No backup any more: what is held goes out now, and later writes at once. */
    synchronized long open() {
        open = true;
        return releaseUpTo(Long.MAX_VALUE);
    }

    /** Every output up to this one is written out. */
    long writtenSequence() {
        return writtenSequence;
    }

    /** Every stdout and stderr output up to this one is written out: what a backup may take as done (it writes again only those). */
    long confirmedSequence() {
        return confirmedSequence;
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

    /**
     * The lane's socket closes with outputs its peer did not read: they are dropped, and once
     * {@code unblock} (a shutdown of the socket's sending side) has made a write in progress fail,
     * this waits, at most {@code timeoutMillis}, until no writer holds the lane, so that nothing is
     * written to the descriptor's number once the close frees it for another socket.
     */
    void abandon(Object lane, Runnable unblock, long timeoutMillis) {
        synchronized (this) {
            Lane pending = lanes.get(lane);
            if (pending == null) {
                return;
            }
            pending.abandoned = true;
            if (!pending.taken) {
                ready.remove(pending);
                lanes.remove(lane);
            }
            while (pending.outputs.size() > (pending.taken ? 1 : 0)) {
                left(pending.outputs.removeLast()); // the first may be in a writer's hands
            }
            updateWritten();
        }
        notifyProgress();
        unblock.run();
        awaitProgress(() -> {
            synchronized (this) {
                return lanes.get(lane) == null;
            }
        }, timeoutMillis);
    }

    /**
     * Waits until everything released so far has been written out, for as long as those outputs
     * keep leaving: a reader that is slow gets all of it.
     *
     * @return false once no output left for {@code stallMillis} (a reader that does not read)
     */
    boolean awaitReleasedWritten(long stallMillis) {
        long last;
        synchronized (this) {
            last = releasedSequence;
        }
        long before = unwrittenUpTo(last);
        while (!awaitProgress(() -> writtenSequence >= last, stallMillis)) {
            long now = unwrittenUpTo(last);
            if (now >= before) {
                return false;
            }
            before = now;
        }
        return true;
    }

    /** How many of the outputs up to the {@code last}-th (all released) have not left yet: other lanes' later outputs are no progress. */
    private synchronized long unwrittenUpTo(long last) {
        long count = 0;
        for (Lane lane : lanes.values()) {
            for (Held output : lane.outputs) {
                if (output.sequence > last) {
                    break; // a lane's outputs are in order
                }
                count++;
            }
        }
        return count;
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

    private void notifyProgress() {
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /** Bytes written to {@code lane} that have not left the process yet (held, or waiting for a writer). */
    synchronized long backlog(Object lane) {
        long[] bytes = backlogs.get(lane);
        return bytes == null ? 0 : bytes[0];
    }

    /**
     * Waits until {@code lane}'s backlog is at most {@code bytes}: for as long as it takes, and
     * through interrupts, as a blocked write to a stream or a socket would (a peer that never
     * reads and never closes keeps the writer waiting).
     */
    void awaitBacklogAtMost(Object lane, long bytes) {
        boolean interrupted = Thread.interrupted();
        writersHeldBack.incrementAndGet();
        try {
            while (!awaitProgress(() -> backlog(lane) <= bytes, TimeUnit.SECONDS.toMillis(1))) {
                interrupted |= Thread.interrupted();
            }
        } finally {
            writersHeldBack.decrementAndGet();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** How many threads wait for their lane's backlog now. */
    int writersHeldBack() {
        return writersHeldBack.get();
    }

    /** The largest backlog of any lane now. */
    synchronized long largestBacklog() {
        long largest = 0;
        for (long[] bytes : backlogs.values()) {
            largest = Math.max(largest, bytes[0]);
        }
        return largest;
    }

    /** Under the gate's monitor: an output left the process, or was dropped. */
    private void left(Held output) {
        Object lane = output.sink.lane();
        long[] bytes = backlogs.get(lane);
        if (bytes != null && (bytes[0] -= output.bytes.length) <= 0) {
            backlogs.remove(lane);
        }
    }

    /** Bytes waiting for an acknowledgement. */
    synchronized long heldBytes() {
        return heldBytes;
    }

    /** Under the gate's monitor. Without a thread to be had, the writers there are carry on. */
    private void startWriter() {
        Writer writer = new Writer();
        Thread thread = AgentThreads.newDaemon("lockstep-output-" + (writersStarted + 1), () -> writeLoop(writer));
        try {
            thread.start();
        } catch (Throwable e) { // OutOfMemoryError: unable to create native thread
            reportFailure("could not start another output writer", e);
            return;
        }
        writersStarted++;
        writers.add(writer); // idle: it is about to wait for work
    }

    /** Under the gate's monitor: the writers that hold no lane. */
    private int idleWriters() {
        int idle = 0;
        for (Writer writer : writers) {
            if (!writer.working) {
                idle++;
            }
        }
        return idle;
    }

    private void writeLoop(Writer me) {
        while (true) {
            Lane lane;
            synchronized (this) {
                lane = awaitLane(me);
                if (lane == null) {
                    return;
                }
            }
            writeTurn(me, lane);
        }
    }

    /** Under the gate's monitor: the next lane this idle writer is to write, or null when it retires. */
    private Lane awaitLane(Writer me) {
        long idleSince = System.nanoTime();
        while (true) {
            summoned = false; // a writer looks at the ready lanes now
            long now = System.nanoTime();
            Lane next = ready.peekFirst();
            if (next != null) {
                long stallsAt = activeWriteStallsAt(now);
                if (stallsAt == 0) { // nobody is writing, or whoever is seems blocked
                    ready.removeFirst();
                    next.taken = true;
                    me.working = true;
                    if (idleWriters() == 0 && writers.size() < MAX_WRITERS) {
                        startWriter(); // should this lane's write block, the others have a writer
                    }
                    return next;
                }
                watching = true;
                waitForWork(stallsAt - now);
                watching = false;
                continue;
            }
            if (now - idleSince >= KEEP_ALIVE_NANOS) {
                if (idleWriters() > 1) {
                    writers.remove(me);
                    return null;
                }
                idleSince = now; // the last idle writer stays
            }
            waitForWork(KEEP_ALIVE_NANOS - (now - idleSince));
        }
    }

    /**
     * Under the gate's monitor: 0 if no writer holds a lane short of a blocked write (nobody would
     * take a ready lane), else when the earliest of them would count as blocked.
     */
    private long activeWriteStallsAt(long now) {
        long earliest = 0;
        for (Writer writer : writers) {
            if (!writer.working) {
                continue;
            }
            long since = writer.writingSince;
            if (since != 0 && now - since >= STALL_NANOS) {
                continue; // blocked
            }
            long stallsAt = (since == 0 ? now : since) + STALL_NANOS;
            if (earliest == 0 || stallsAt - earliest < 0) {
                earliest = stallsAt;
            }
        }
        return earliest;
    }

    /** Under the gate's monitor. Nothing should interrupt the agent's threads; if it happens, the writer carries on. */
    private void waitForWork(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, nanos));
        } catch (InterruptedException e) {
            // carry on
        }
    }

    /** Writes the lane's outputs in order, a turn's worth, then gives it up (back in turn if it has more). */
    private void writeTurn(Writer me, Lane lane) {
        for (int written = 0; ; written++) {
            Held next;
            synchronized (this) {
                next = lane.outputs.peekFirst();
                if (next == null || lane.abandoned || written == TURN) {
                    lane.taken = false;
                    me.working = false;
                    if (next != null && !lane.abandoned) {
                        ready.addLast(lane); // its turn is over: the lanes that wait go first
                        return;
                    }
                    lanes.remove(lane.id);
                    if (!lane.outputs.isEmpty()) { // abandoned: what its closed socket's peer never read
                        lane.outputs.forEach(this::left);
                        lane.outputs.clear();
                        updateWritten();
                    }
                    break;
                }
                me.writingSince = Math.max(1, System.nanoTime());
            }
            Throwable failure = null;
            try {
                next.sink.write(next.bytes);
            } catch (Throwable e) { // a sink that fails (no direct memory for it, say) loses that output, not the lane
                failure = e;
            }
            synchronized (this) {
                me.writingSince = 0;
                if (failure != null) {
                    reportFailure("an output could not be written out", failure);
                }
                left(lane.outputs.removeFirst()); // next: an abandon keeps a taken lane's first output
                if (next.sequence == writtenSequence + 1) {
                    updateWritten();
                } else if (lane.id == STDIO) {
                    updateConfirmed();
                }
            }
            notifyProgress();
        }
        notifyProgress();
    }

    /** Under the gate's monitor: the written run grows to the oldest output not yet written out. */
    private void updateWritten() {
        long first = releasedSequence + 1;
        for (Lane lane : lanes.values()) {
            Held oldest = lane.outputs.peekFirst();
            if (oldest != null && oldest.sequence < first) {
                first = oldest.sequence;
            }
        }
        updateConfirmed(); // first: whoever sees everything written must see it confirmed too (the end of a run sends it)
        writtenSequence = first - 1;
    }

    /** Under the gate's monitor. */
    private void updateConfirmed() {
        Lane stdio = lanes.get(STDIO);
        Held oldest = stdio == null ? null : stdio.outputs.peekFirst();
        confirmedSequence = oldest == null ? releasedSequence : oldest.sequence - 1;
    }

    /** Under the gate's monitor: once per gate, on stderr (the run goes on). */
    private void reportFailure(String what, Throwable e) {
        if (!failureReported) {
            failureReported = true;
            Fatal.warn(what + " (" + e + "); further failures of the output writers are not reported");
        }
    }
}
