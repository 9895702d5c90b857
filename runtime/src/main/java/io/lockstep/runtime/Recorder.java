package io.lockstep.runtime;

import io.lockstep.log.EntryKind;
import io.lockstep.log.Handshake;
import io.lockstep.log.JournalWriter;
import io.lockstep.log.LogWriter;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Records the managed thread's nondeterministic inputs into a journal. */
final class Recorder extends SessionMode {
    private static final int RING_CAPACITY = 4 * 1024 * 1024;
    /** How long the end of a run waits for a managed thread to stop, or for an output to leave (then again while they leave). */
    static final long FINISH_TIMEOUT_MILLIS = 5000;

    private final LogWriter log;
    /** The output rule (primary, and a backup gone live); null when outputs are not logged (mode=record). */
    private final OutputGate gate;
    /** Told of the run's end: the primary's link, which waits for the backup and tells it when the last outputs are out. */
    private final RunEnd runEnd;
    private long outputs;
    /**
     * The holder made an output since it last paused: its entry leaves at the pause (a switch
     * point), with whatever else the holder logs until then. A server's request is a burst of
     * outputs (a line on stdout, the reply) that ends in a blocking read: one block, one
     * acknowledgement, and the block leaves from this thread when nothing else is in flight.
     */
    private volatile boolean outputsToSend;
    private final PayloadOut payload = new PayloadOut();
    private volatile boolean stopped;

    Recorder(Session session, LogWriter log) {
        this(session, log, null, 0, RunEnd.NONE);
    }

    /** The two steps of a run's end that concern whoever follows the log. */
    interface RunEnd {
        RunEnd NONE = new RunEnd() {
            @Override
            public void logEnded(long lastPosition) {
            }

            @Override
            public void outputsWritten() {
            }
        };

        /** The log is complete and drained up to {@code lastPosition}: every held output may be released once it is covered. */
        void logEnded(long lastPosition);

        /** Every released output has been written out, or given up on: nothing more will leave this process. */
        void outputsWritten();
    }

    /** @param outputsSoFar outputs already produced (by the replay a backup went live from) */
    Recorder(Session session, LogWriter log, OutputGate gate, long outputsSoFar, RunEnd runEnd) {
        super(session);
        this.log = log;
        this.gate = gate;
        this.outputs = outputsSoFar;
        this.runEnd = runEnd;
    }

    /** Writes the first two entries: the handshake, then the environment facts (which the replay applies before main). */
    static void writePreamble(Session session, LogWriter log, Handshake handshake, boolean outputsLogged) {
        int at = log.claim(EntryKind.HANDSHAKE, 0, handshake.encodedLength());
        handshake.encode(log.buffer(), at);
        log.commit();
        PayloadOut environment = new PayloadOut();
        Map<String, String> facts = ProcessEnvironment.capture(outputsLogged);
        session.threadRandomBase(ProcessEnvironment.threadRandomBase(facts));
        ProcessEnvironment.encode(facts, environment);
        at = log.claim(EntryKind.ENVIRONMENT, 0, environment.length());
        log.buffer().putBytes(at, environment.buffer(), 0, environment.length());
        log.commit();
    }

    /** Creates the journal and writes the handshake, before the application starts. */
    static Session start(Thread main, Path journal, Handshake handshake, int quantum, long watchdogMillis) {
        JournalWriter.prepare(journal);
        LogWriter log = new LogWriter(journal, RING_CAPACITY);
        Session session = new Session(main, quantum, watchdogMillis, true);
        session.mode(new Recorder(session, log));
        writePreamble(session, log, handshake, false);
        return session;
    }

    @Override
    long value(long real, int kind) {
        if (derivedPerThread(kind)) {
            return threadRandom(real, kind);
        }
        if (recordingHere()) {
            append(EntryKind.fromCode(kind), threadIndex(), real, 0, 1);
        }
        return real;
    }

    @Override
    int value(int real, int kind) {
        if (kind == THREAD_NUMBER) {
            return threadNumber(real);
        }
        if (derivedPerThread(kind)) {
            return (int) threadRandom(real, kind);
        }
        if (recordingHere()) {
            append(EntryKind.fromCode(kind), threadIndex(), real, 0, 1);
        }
        return real;
    }

    @Override
    long relativeValue(long base, long real, int kind) {
        if (recordingHere()) {
            append(EntryKind.fromCode(kind), threadIndex(), base, real, 2);
        }
        return real;
    }

    @Override
    boolean gatesOutput() {
        return gate != null;
    }

    /**
     * Logs the write (stream, length, CRC-32C: the backup checks its own against it) and hands
     * the bytes to the gate, which lets them out once the backup has this entry. A blocking write
     * that takes its lane's backlog past {@link OutputGate#LANE_BACKLOG_LIMIT} (a peer that does
     * not read, or a backup that falls behind) then waits outside the token until half of it has
     * left, as the write would block without the agent; the entry says so, so the replay waits
     * there too. Not where the token must not be let go (a class initialiser, a JDK synchronized
     * method: a thread that needs that lock would block on it for real, holding the token).
     */
    @Override
    long output(OutputGate.Sink sink, int stream, byte[] bytes, int offset, int length, boolean blocking) throws IOException {
        ManagedThread me = enterAgent();
        try {
            long position = log.nextPosition();
            Object lane = sink.lane();
            boolean backlogged = blocking && gate.backlog(lane) + length > OutputGate.LANE_BACKLOG_LIMIT
                && !scheduler.mustNotPreempt();
            append(EntryKind.OUTPUT, threadIndex(), ((long) stream << 32) | length,
                (io.lockstep.log.Block.crc(bytes, offset, length) & 0xffffffffL) | (backlogged ? OUTPUT_BACKLOGGED : 0), 2);
            long sequence = ++outputs;
            gate.hold(position, sequence, sink, bytes, offset, length);
            if (scheduler.holdsToken()) {
                outputsToSend = true;
            } else {
                log.flushSoon(); // no switch point of this thread's will come
            }
            if (backlogged) {
                try {
                    scheduler.outside(() -> {
                        gate.awaitBacklogAtMost(lane, OutputGate.LANE_BACKLOG_LIMIT / 2);
                        return null;
                    }, false);
                } catch (Exception e) {
                    throw new IOException(e); // the wait throws nothing
                }
            }
            return sequence;
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    void holderPauses() {
        if (outputsToSend) {
            outputsToSend = false;
            ManagedThread me = enterAgent(); // the drain's calls are the agent's, as they were at the output
            try {
                log.flushSoon();
            } finally {
                leaveAgent(me);
            }
        }
    }

    /** In an OUTPUT entry's second word, above the CRC: the writer then waited for its lane's backlog to shrink. */
    static final long OUTPUT_BACKLOGGED = 1L << 32;

    @Override
    void awaitWritten(Object lane, long sequence, long timeoutMillis, Runnable unblockWriter) {
        if (gate != null && !gate.awaitWritten(lane, sequence, timeoutMillis)) {
            Fatal.warn("a socket closes before its last output was written out (" + timeoutMillis + " ms): a peer that does "
                + "not read? What it did not read is dropped");
            gate.abandon(lane, unblockWriter, ABANDON_MILLIS);
        }
    }

    /** How long a close waits, once it gave up on its socket's outputs, for the writer to let go of the descriptor. */
    private static final long ABANDON_MILLIS = 1000;

    /** The position of the last entry logged so far. */
    long lastPosition() {
        return log.nextPosition() - 1;
    }

    /**
     * Appends an entry of one or two longs. Only one thread appends at a time: the token holder,
     * or the scheduler's idle thread while nobody holds it (or the shutdown hook at the very end).
     */
    private void append(EntryKind kind, int thread, long first, long second, int longs) {
        if (stopped) {
            return;
        }
        ManagedThread me = enterAgent();
        try {
            int at = log.claim(kind, thread, longs * Long.BYTES);
            log.buffer().putLong(at, first);
            if (longs == 2) {
                log.buffer().putLong(at + Long.BYTES, second);
            }
            log.commit();
        } catch (RuntimeException e) {
            stop(e);
        } finally {
            leaveAgent(me);
        }
    }

    /** The first entry a backup records when it goes live: a replay of its journal changes its sockets there too. */
    void markGoLive() {
        append(EntryKind.GO_LIVE, 0, 0, 0, 1);
    }

    /**
     * A blocking call whose replay the log admitted back and then ended before its outcome (the
     * primary died between the two, or this side went live while the call was outside): the thread,
     * holding the token, is about to make the call again for real, outside as any recorded one.
     * A replay of this journal must see the admission it had, then this, then the call's own.
     */
    void callAgain(EntryKind kind) {
        if (scheduler.holdsToken()) {
            append(EntryKind.CALL_AGAIN, threadIndex(), kind.code(), 0, 1);
        }
    }

    // ---- the scheduler's entries ----

    @Override
    boolean recording() {
        return true;
    }

    @Override
    void admitted(long point, int thread, ManagedThread.Wake wake) {
        append(EntryKind.ADMIT, thread, point, wake.ordinal(), 2);
    }

    @Override
    void ended(long point) {
        append(EntryKind.END, 0, point, 0, 1);
    }

    @Override
    long nextAdmission(long point) {
        throw new IllegalStateException("recording never reads");
    }

    @Override
    long nextAdmissionPoint() {
        throw new IllegalStateException("recording never reads");
    }

    @Override
    boolean atEnd() {
        throw new IllegalStateException("recording never reads");
    }

    @Override
    String describeNext() {
        throw new IllegalStateException("recording never reads");
    }

    @Override
    <T> T exchange(EntryKind kind, Session.RealCall<T> real, Session.Encoder<T> encoder, Session.Decoder<T> decoder) throws IOException {
        if (!recordingHere()) {
            return real.call();
        }
        T value = null;
        Exception thrown = null;
        Thread thread = Thread.currentThread();
        ManagedThread me = enterAgent();
        try {
            // The real call is not performed on replay: whatever ThreadLocalRandom state it
            // would consume or seed on this thread (InetAddress caches do) must stay as it was.
            me.randomAcrossCall.save(thread);
            try {
                if (Session.blocks(kind)) {
                    value = scheduler.outside(real::call, false);
                } else {
                    value = real.call();
                }
            } catch (Exception e) {
                thrown = e; // the application's to see, on both sides
            } finally {
                me.randomAcrossCall.restore(thread);
            }
            // A blocking call that returns after the recording's end (a daemon's select at exit) comes
            // back without the token: the log is closed to it (a replay makes that call for real).
            if (!stopped && scheduler.holdsToken()) {
                Session.encodeOutcome(value, thrown, encoder, payload.reset());
                int at = log.claim(kind, threadIndex(), payload.length());
                MutableDirectBuffer buffer = log.buffer();
                buffer.putBytes(at, payload.buffer(), 0, payload.length());
                log.commit();
            }
        } catch (RuntimeException e) {
            stop(e);
        } finally {
            leaveAgent(me);
        }
        if (thrown instanceof IOException) {
            throw (IOException) thrown;
        }
        if (thrown instanceof RuntimeException) {
            throw (RuntimeException) thrown;
        }
        if (thrown != null) {
            throw new IOException(thrown);
        }
        return value;
    }

    @Override
    RuntimeException diverged(String recorded, String requested) {
        throw new IllegalStateException("recording never decodes");
    }

    /** The journal failed: say so once, and let the application go on unrecorded. */
    private synchronized void stop(RuntimeException cause) {
        scheduler.detach();
        if (!stopped) {
            stopped = true;
            Fatal.warn("recording stopped at position " + log.nextPosition() + ", the application goes on unrecorded: "
                + cause.getMessage());
        }
    }

    /**
     * Ends the journal: the scheduler logs END at its next admission point (at once if no thread
     * runs); either way what was logged is drained.
     */
    @Override
    void finish() {
        scheduler.finish(FINISH_TIMEOUT_MILLIS);
        if (!scheduler.detached()) {
            Fatal.warn("a managed thread still ran " + FINISH_TIMEOUT_MILLIS + " ms after the shutdown began: the recording "
                + "ends where it was (a replay stops at that point)");
            scheduler.detach();
            append(EntryKind.END, 0, -1, 0, 1);
        }
        stopped = true;
        try {
            log.close();
        } catch (RuntimeException e) {
            Fatal.warn("the journal could not be completed: " + e.getMessage());
        }
        runEnd.logEnded(lastPosition());
        if (gate != null && !gate.awaitReleasedWritten(FINISH_TIMEOUT_MILLIS)) {
            Fatal.warn("the last outputs were not all written out: none left for " + FINISH_TIMEOUT_MILLIS + " ms (a reader "
                + "that does not read?)");
        }
        runEnd.outputsWritten();
    }
}
