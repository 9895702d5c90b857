package io.lockstep.runtime;

import io.lockstep.log.EntryKind;

import java.io.FileOutputStream;
import java.io.IOException;

/**
 * What a {@link Session} does with the inputs and outputs of its managed threads: record them
 * ({@link Recorder}) or take them from a log ({@link Replayer}). The session holds one mode at a
 * time; a backup starts replaying and, when it goes live, records from then on.
 */
abstract class SessionMode {
    static final int THREAD_LOCAL_RANDOM_SEED = EntryKind.THREAD_LOCAL_RANDOM_SEED.code();
    static final int THREAD_PROBE = EntryKind.THREAD_PROBE.code();
    static final int THREAD_SECONDARY_SEED = EntryKind.THREAD_SECONDARY_SEED.code();

    /** Kinds derived per thread (Session#threadRandom), never logged: the same in every mode. */
    static boolean derivedPerThread(int kind) {
        return kind == THREAD_LOCAL_RANDOM_SEED || kind == THREAD_SECONDARY_SEED || kind == THREAD_PROBE;
    }
    static final int THREAD_NUMBER = EntryKind.THREAD_NUMBER.code();

    final Session session;
    final Scheduler scheduler;

    SessionMode(Session session) {
        this.session = session;
        this.scheduler = session.scheduler;
    }

    // ---- values and calls ----

    abstract long value(long real, int kind);

    abstract int value(int real, int kind);

    abstract long relativeValue(long base, long real, int kind);

    abstract <T> T exchange(EntryKind kind, Session.RealCall<T> real, Session.Encoder<T> encoder, Session.Decoder<T> decoder)
        throws IOException;

    abstract RuntimeException diverged(String recorded, String requested);

    /** True when writes to stdout, stderr and sockets go through {@link #output}: the log holds them (live modes). */
    abstract boolean gatesOutput();

    /**
     * A managed thread writes to {@code stream}: 1 stdout, 2 stderr, {@link Sockets#SOCKET_STREAM}
     * a socket; {@code sink} writes the bytes out for real. {@code blocking}: without the agent
     * this write would wait for room (stdout, stderr, a socket no selector drives), so it may wait
     * for its backlog; an event loop's write would return short instead, and must not.
     *
     * @return the sequence number of this output
     */
    abstract long output(OutputGate.Sink sink, int stream, byte[] bytes, int offset, int length, boolean blocking)
        throws IOException;

    /**
     * Before a socket closes: waits (outside the token) until the outputs to {@code lane} (see
     * {@link OutputGate.Sink#lane}) up to the {@code sequence}-th have been written out, where
     * outputs are held; past {@code timeoutMillis}, what is left is dropped and
     * {@code unblockWriter} makes a write in progress fail.
     */
    void awaitWritten(Object lane, long sequence, long timeoutMillis, Runnable unblockWriter) {
    }

    /** Ends the run: called once (the session sees to it), from the shutdown hook. */
    abstract void finish();

    // ---- the scheduler's entries (see Scheduler.SchedulingLog) ----

    abstract boolean recording();

    abstract void admitted(long point, int thread, ManagedThread.Wake wake);

    abstract void ended(long point);

    /** The token holder stops running for now (see {@link Scheduler.SchedulingLog#holderPauses}). */
    void holderPauses() {
    }

    abstract long nextAdmission(long point);

    abstract long nextAdmissionPoint();

    abstract String describeNext();

    abstract boolean atEnd();

    // ---- the session's helpers, under the names the modes use ----

    final boolean recordingHere() {
        return session.recordingHere();
    }

    final int threadIndex() {
        return session.threadIndex();
    }

    final ManagedThread enterAgent() {
        return session.enterAgent();
    }

    static void leaveAgent(ManagedThread me) {
        Session.leaveAgent(me);
    }

    final long threadRandom(long real, int kind) {
        return session.threadRandom(real, kind);
    }

    final int threadNumber(int real) {
        return session.threadNumber(real);
    }
}
