package io.lockstep.runtime;

import io.lockstep.log.Entry;
import io.lockstep.log.EntryKind;
import io.lockstep.log.Handshake;
import io.lockstep.log.JournalException;
import io.lockstep.log.JournalReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Replays a journal: every nondeterministic input the managed thread asks for comes from the
 * log, in order, and must be of the kind the log holds at that position.
 */
public final class ReplaySession extends Session {
    private final JournalReader reader;
    private final ThreadRandomState savedRandom = new ThreadRandomState();
    private boolean finished;

    private ReplaySession(Thread managed, JournalReader reader) {
        super(managed);
        this.reader = reader;
    }

    /**
     * Opens the journal and checks its handshake against this JVM, before the application
     * starts.
     *
     * @throws JournalException if the journal is missing, empty or corrupt
     * @throws HandshakeMismatch if it was recorded by another JDK, application or agent
     */
    public static ReplaySession start(Thread managed, Path journal, Handshake local) {
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
        ProcessEnvironment.apply(ProcessEnvironment.decode(environment));
        return new ReplaySession(managed, reader);
    }

    /** The recording was made by another JDK, application or agent. */
    public static final class HandshakeMismatch extends RuntimeException {
        HandshakeMismatch(String message) {
            super(message);
        }
    }

    @Override
    public long value(long real, int kind) {
        return managedHere() ? takeValue(kind) : real;
    }

    @Override
    public int value(int real, int kind) {
        return managedHere() ? (int) takeValue(kind) : real;
    }

    /** The recorded instant (base + value), expressed against this run's base. */
    @Override
    public synchronized long relativeValue(long base, long real, int kind) {
        if (!managedHere()) {
            return real;
        }
        inAgent = true;
        try {
            Entry entry = take(EntryKind.fromCode(kind));
            long recordedBase = entry.readLong();
            long recorded = entry.readLong();
            return recorded == -1 ? -1 : recorded + (recordedBase - base) * 1_000_000_000L;
        } finally {
            inAgent = false;
        }
    }

    private synchronized long takeValue(int kind) {
        inAgent = true;
        try {
            return take(EntryKind.fromCode(kind)).readLong();
        } finally {
            inAgent = false;
        }
    }

    @Override
    protected <T> T exchange(EntryKind kind, RealCall<T> real, Encoder<T> encoder, Decoder<T> decoder) throws IOException {
        if (!managedHere()) {
            return real.call();
        }
        Entry entry;
        synchronized (this) {
            inAgent = true;
            try {
                entry = take(kind);
            } finally {
                inAgent = false;
            }
            return decodeOutcome(entry, decoder);
        }
    }

    /** The next entry, which must be of {@code kind}; anything else stops the JVM with a report. */
    private Entry take(EntryKind kind) {
        long position = reader.nextPosition();
        Entry entry = next();
        if (entry == null) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": the recording ends there (was the recorded run "
                + "killed?), replay asked for " + kind.call() + ", at" + applicationStack());
        }
        if (entry.kind() != kind) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": recorded " + entry.kind().call()
                + ", replay asked for " + kind.call() + ", at" + applicationStack());
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
        throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + (reader.nextPosition() - 1) + ": recorded " + recorded
            + ", replay asked for " + requested + ", at" + applicationStack());
    }

    /** At exit the recording must be used up: what is left means the replay took another path. */
    @Override
    public synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        long position = reader.nextPosition();
        Entry entry;
        try {
            entry = reader.next();
        } catch (JournalException e) {
            throw Fatal.halt(Fatal.JOURNAL, e.getMessage());
        }
        if (entry != null && entry.kind() != EntryKind.END) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": the replay ended, but the recording goes on with "
                + entry.kind().call());
        }
        reader.close();
    }
}
