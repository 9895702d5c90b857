package io.lockstep.runtime;

import io.lockstep.log.Entry;
import io.lockstep.log.EntryKind;
import io.lockstep.log.Handshake;
import io.lockstep.log.JournalException;
import io.lockstep.log.JournalReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Replays a journal: every nondeterministic input the managed thread asks for comes from the
 * log, in order, and must be of the kind the log holds at that position.
 */
public final class ReplaySession extends Session {
    private static final long FINISH_TIMEOUT_MILLIS = 5000;

    private final JournalReader reader;
    private final ThreadRandomState savedRandom = new ThreadRandomState();
    /** The entry read ahead by the scheduler, which looks for admissions at its switch points. */
    private Entry peeked;
    private long peekedPosition;
    private boolean finished;

    private ReplaySession(Thread main, JournalReader reader, int quantum, long watchdogMillis) {
        super(main, quantum, watchdogMillis);
        this.reader = reader;
    }

    /**
     * Opens the journal and checks its handshake against this JVM, before the application
     * starts.
     *
     * @throws JournalException if the journal is missing, empty or corrupt
     * @throws HandshakeMismatch if it was recorded by another JDK, application or agent
     */
    public static ReplaySession start(Thread main, Path journal, Handshake local, int quantum, long watchdogMillis) {
        JournalReader reader = JournalReader.open(journal);
        Entry first = reader.next();
        if (first == null) {
            reader.close();
            throw new JournalException("journal " + journal + " is empty: it holds no handshake (was the recording killed before it started?)");
        }
        if (first.kind() != EntryKind.HANDSHAKE) {
            reader.close();
            throw new JournalException("journal " + journal + " does not start with a handshake (found " + first.kind() + ")");
        }
        Handshake recorded = Handshake.decode(first);
        List<String> differences = recorded.differences(local);
        if (!differences.isEmpty()) {
            reader.close();
            throw new HandshakeMismatch("journal " + journal + " was recorded by another program; refusing to replay:"
                + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", differences));
        }
        Entry environment = reader.next();
        if (environment == null || environment.kind() != EntryKind.ENVIRONMENT) {
            reader.close();
            throw new JournalException("journal " + journal + " ends after its handshake: the recording was killed before it started");
        }
        Map<String, String> facts = ProcessEnvironment.decode(environment);
        ProcessEnvironment.apply(facts);
        ReplaySession session = new ReplaySession(main, reader, quantum, watchdogMillis);
        session.threadRandomBase(ProcessEnvironment.threadRandomBase(facts));
        return session;
    }

    /** The recording was made by another JDK, application or agent. */
    public static final class HandshakeMismatch extends RuntimeException {
        HandshakeMismatch(String message) {
            super(message);
        }
    }

    @Override
    public long value(long real, int kind) {
        if (kind == THREAD_LOCAL_RANDOM_SEED) {
            return threadRandom(real, kind);
        }
        return recordingHere() ? takeValue(kind) : real;
    }

    @Override
    public int value(int real, int kind) {
        if (kind == THREAD_NUMBER) {
            return threadNumber(real);
        }
        if (kind == THREAD_PROBE) {
            return (int) threadRandom(real, kind);
        }
        return recordingHere() ? (int) takeValue(kind) : real;
    }

    /** The recorded instant (base + value), expressed against this run's base. */
    @Override
    public long relativeValue(long base, long real, int kind) {
        if (!recordingHere()) {
            return real;
        }
        ManagedThread me = enterAgent();
        try {
            Entry entry = take(EntryKind.fromCode(kind));
            long recordedBase = entry.readLong();
            long recorded = entry.readLong();
            return recorded == -1 ? -1 : recorded + (recordedBase - base) * 1_000_000_000L;
        } finally {
            leaveAgent(me);
        }
    }

    private long takeValue(int kind) {
        ManagedThread me = enterAgent();
        try {
            return take(EntryKind.fromCode(kind)).readLong();
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    protected <T> T exchange(EntryKind kind, RealCall<T> real, Encoder<T> encoder, Decoder<T> decoder) throws IOException {
        if (!recordingHere()) {
            return real.call();
        }
        ManagedThread me = enterAgent();
        Entry entry;
        try {
            if (blocks(kind)) {
                scheduler.outside(() -> null, false); // as the recording did: others run while this thread "reads"
            }
            entry = take(kind);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            leaveAgent(me);
        }
        return decodeOutcome(entry, decoder);
    }

    // ---- the scheduler's entries ----

    @Override
    public boolean recording() {
        return false;
    }

    @Override
    public void admitted(long point, int thread, ManagedThread.Wake wake) {
        throw new IllegalStateException("replay never writes");
    }

    @Override
    public void ended(long point) {
        throw new IllegalStateException("replay never writes");
    }

    @Override
    public long nextAdmission(long point) {
        Entry entry = peek();
        if (entry == null || (entry.kind() != EntryKind.ADMIT && entry.kind() != EntryKind.END)) {
            return Scheduler.NONE;
        }
        long at = entry.readLong();
        if (at != point) {
            rewindPeeked();
            return Scheduler.NONE;
        }
        peeked = null;
        if (entry.kind() == EntryKind.END) {
            return Scheduler.END;
        }
        long wake = entry.readLong();
        return ((long) entry.threadId() << 8) | wake;
    }

    @Override
    public long nextAdmissionPoint() {
        Entry entry = peek();
        if (entry == null || (entry.kind() != EntryKind.ADMIT && entry.kind() != EntryKind.END)) {
            return -1;
        }
        long at = entry.readLong();
        rewindPeeked();
        return at;
    }

    @Override
    public String describeNext() {
        Entry entry = peek();
        return entry == null ? "nothing (the recording ends there)" : entry.kind().call() + " at position " + peekedPosition;
    }

    @Override
    public boolean atEnd() {
        return peek() == null;
    }

    private Entry peek() {
        if (peeked == null) {
            peekedPosition = reader.nextPosition();
            peeked = next();
        }
        return peeked;
    }

    /** Entry's reads advance a cursor: a peeked entry is wrapped again before it is read for real. */
    private void rewindPeeked() {
        peeked.rewind();
    }

    /** The next entry, which must be of {@code kind} and of the running thread; anything else stops the JVM with a report. */
    private Entry take(EntryKind kind) {
        long position = peeked != null ? peekedPosition : reader.nextPosition();
        Entry entry = peeked != null ? peeked : next();
        peeked = null;
        if (entry == null) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": the recording ends there (was the recorded run "
                + "killed?), replay asked for " + kind.call() + ", at" + applicationStack());
        }
        if (entry.kind() != kind) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": recorded " + entry.kind().call()
                + ", replay asked for " + kind.call() + ", at" + applicationStack());
        }
        if (entry.threadId() != threadIndex()) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": recorded " + entry.kind().call()
                + " on thread " + entry.threadId() + ", replay asked for it on thread " + threadIndex() + " (\""
                + Thread.currentThread().getName() + "\"), at" + applicationStack());
        }
        return entry;
    }

    /**
     * Reads on. Fetching a block runs Chronicle on this thread, which must not touch the thread's
     * ThreadLocalRandom state; the entries of a block already fetched are read without it.
     */
    private Entry next() {
        try {
            if (reader.hasBufferedEntry()) {
                return reader.next();
            }
            Thread thread = Thread.currentThread();
            savedRandom.save(thread);
            try {
                return reader.next();
            } finally {
                savedRandom.restore(thread);
            }
        } catch (JournalException e) {
            throw Fatal.halt(Fatal.JOURNAL, e.getMessage());
        }
    }

    @Override
    protected RuntimeException diverged(String recorded, String requested) {
        throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + (reader.nextPosition() - 1 - (peeked == null ? 0 : 1))
            + ": recorded " + recorded
            + ", replay asked for " + requested + ", at" + applicationStack());
    }

    /** At exit the recording must be used up: what is left means the replay took another path. */
    @Override
    public void finish() {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        scheduler.finish(FINISH_TIMEOUT_MILLIS);
        if (!scheduler.detached()) {
            long position = peeked != null ? peekedPosition : reader.nextPosition();
            Entry entry;
            try {
                entry = peeked != null ? peeked : reader.next();
            } catch (JournalException e) {
                throw Fatal.halt(Fatal.JOURNAL, e.getMessage());
            }
            peeked = null;
            scheduler.detach();
            if (entry != null && entry.kind() != EntryKind.END) {
                throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": the replay ended, but the recording "
                    + "goes on with " + entry.kind().call());
            }
        }
        reader.close();
    }
}
