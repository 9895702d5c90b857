package io.lockstep.runtime;

import io.lockstep.log.Entry;
import io.lockstep.log.EntryKind;
import io.lockstep.log.Handshake;
import io.lockstep.log.JournalException;
import io.lockstep.log.EntrySource;
import io.lockstep.log.JournalReader;

import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Replays a journal: every nondeterministic input the managed thread asks for comes from the
 * log, in order, and must be of the kind the log holds at that position.
 */
final class Replayer extends SessionMode {
    private static final long FINISH_TIMEOUT_MILLIS = 5000;

    private final EntrySource reader;
    private final ThreadRandomState savedRandom = new ThreadRandomState();
    /** The entry read ahead by the scheduler, which looks for admissions at its switch points. */
    private Entry peeked;
    private long peekedPosition;
    /** The backup this replay runs in, which goes live where the log ends; null offline. */
    private final Backup backup;
    /** The log holds the run's writes to stdout and stderr (it is a primary's), which the replay checks. */
    private final boolean outputsLogged;
    private long outputs;

    Replayer(Session session, EntrySource reader) {
        this(session, reader, null, false);
    }

    Replayer(Session session, EntrySource reader, Backup backup, boolean outputsLogged) {
        super(session);
        this.reader = reader;
        this.backup = backup;
        this.outputsLogged = outputsLogged;
    }

    /**
     * Opens the journal and checks its handshake against this JVM, before the application
     * starts.
     *
     * @throws JournalException if the journal is missing, empty or corrupt
     * @throws HandshakeMismatch if it was recorded by another JDK, application or agent
     */
    static Session start(Thread main, Path journal, Handshake local, int quantum, long watchdogMillis) {
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
        ProcessEnvironment.useOwnTemporaryDirectory(replayTemporaryDirectory(journal));
        Session session = new Session(main, quantum, watchdogMillis, false);
        session.mode(new Replayer(session, reader, null, ProcessEnvironment.outputsLogged(facts)));
        session.threadRandomBase(ProcessEnvironment.threadRandomBase(facts));
        return session;
    }

    /**
     * A replay's temporary files are nobody's data: a directory per replay in the journal, kept
     * after the run (the JVM's own users of it, Flight Recorder say, finish writing there at the
     * very end) and removed by the next replay of the journal once its process is gone.
     */
    private static Path replayTemporaryDirectory(Path journal) {
        String prefix = "tmp-replay-";
        try (DirectoryStream<Path> earlier = Files.newDirectoryStream(journal, prefix + "*")) {
            for (Path directory : earlier) {
                String pid = directory.getFileName().toString().substring(prefix.length());
                if (pid.chars().allMatch(Character::isDigit) && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    IoUtil.delete(directory.toFile(), true);
                }
            }
        } catch (IOException | RuntimeException e) {
            Fatal.warn("cannot remove the temporary files of earlier replays in " + journal + ": " + e);
        }
        return journal.resolve(prefix + ProcessHandle.current().pid());
    }

    @Override
    long value(long real, int kind) {
        if (derivedPerThread(kind)) {
            return threadRandom(real, kind);
        }
        if (!recordingHere()) {
            return real;
        }
        Entry entry = takeValue(kind);
        return entry != null ? entry.readLong() : wentLive() ? session.mode().value(real, kind) : real;
    }

    @Override
    int value(int real, int kind) {
        if (kind == THREAD_NUMBER) {
            return threadNumber(real);
        }
        if (derivedPerThread(kind)) {
            return (int) threadRandom(real, kind);
        }
        if (!recordingHere()) {
            return real;
        }
        Entry entry = takeValue(kind);
        return entry != null ? (int) entry.readLong() : wentLive() ? session.mode().value(real, kind) : real;
    }

    /** The recorded instant (base + value), expressed against this run's base. */
    @Override
    long relativeValue(long base, long real, int kind) {
        if (!recordingHere()) {
            return real;
        }
        ManagedThread me = enterAgent();
        try {
            Entry entry = take(EntryKind.fromCode(kind));
            if (entry != null) {
                long recordedBase = entry.readLong();
                long recorded = entry.readLong();
                return recorded == -1 ? -1 : recorded + (recordedBase - base) * 1_000_000_000L;
            }
        } finally {
            leaveAgent(me);
        }
        return wentLive() ? session.mode().relativeValue(base, real, kind) : real;
    }

    /** The entry of a value, or null if the log ended here and this side went live. */
    private Entry takeValue(int kind) {
        ManagedThread me = enterAgent();
        try {
            return take(EntryKind.fromCode(kind));
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    <T> T exchange(EntryKind kind, Session.RealCall<T> real, Session.Encoder<T> encoder, Session.Decoder<T> decoder) throws IOException {
        if (!recordingHere()) {
            return real.call();
        }
        ManagedThread me = enterAgent();
        Entry entry;
        try {
            if (Session.blocks(kind)) {
                awaitAdmission(); // as the recording did: others run while this thread "reads"
                while (madeAgain(kind)) {
                    awaitAdmission(); // the recorded run was a backup that went live and made the call again
                }
            }
            entry = take(kind);
            if (entry != null) {
                // As the agent's work: what a decoder touches (a map, a descriptor) must not be the application's
                // monitors or calls, which the recording never made here.
                return Session.decodeOutcome(entry, decoder);
            }
        } finally {
            leaveAgent(me);
        }
        if (!wentLive()) {
            return real.call();
        }
        if (Session.blocks(kind)) {
            ((Recorder) session.mode()).callAgain(kind);
        }
        return session.mode().exchange(kind, real, encoder, decoder);
    }

    /** Takes a {@link EntryKind#CALL_AGAIN} of this thread if it is next: true if it was. */
    private boolean madeAgain(EntryKind kind) {
        if (scheduler.pastTheRecordingsEnd()) {
            return false;
        }
        Entry entry = peek();
        if (entry == null || entry.kind() != EntryKind.CALL_AGAIN || entry.threadId() != threadIndex()) {
            return false;
        }
        long position = peekedPosition;
        peeked = null;
        EntryKind again = EntryKind.fromCode((int) entry.readLong());
        if (again != kind) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": recorded " + EntryKind.CALL_AGAIN.call()
                + " (" + (again == null ? "an unknown call" : again.call()) + "), replay asked for " + kind.call() + ", at"
                + Session.applicationStack());
        }
        return true;
    }

    @Override
    boolean gatesOutput() {
        return outputsLogged;
    }

    /**
     * A write the primary logged: it must be the same write (stream, length, CRC-32C). A backup
     * suppresses it and keeps it until the primary confirms it wrote it; an offline replay writes it
     * (stdout and stderr: a socket has no peer here).
     */
    @Override
    long output(OutputGate.Sink sink, int fd, byte[] bytes, int offset, int length, boolean blocking) throws IOException {
        ManagedThread me = enterAgent();
        try {
            long position = peeked != null ? peekedPosition : reader.nextPosition();
            Entry entry = take(EntryKind.OUTPUT);
            if (entry != null) {
                long word = entry.readLong();
                long second = entry.readLong();
                int crc = (int) second;
                int crcHere = io.lockstep.log.Block.crc(bytes, offset, length);
                int fdThere = (int) (word >>> 32);
                int lengthThere = (int) word;
                if (fdThere != fd || lengthThere != length || crc != crcHere) {
                    throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": the primary wrote " + lengthThere
                        + " bytes to " + streamName(fdThere) + " (CRC-32C " + Integer.toHexString(crc) + "), this side wrote "
                        + length + " bytes to " + streamName(fd) + " (CRC-32C " + Integer.toHexString(crcHere) + "): "
                        + describe(bytes, offset, length) + ", at" + Session.applicationStack());
                }
                long sequence = replayedOutput(sink, fd, bytes, offset, length);
                if ((second & Recorder.OUTPUT_BACKLOGGED) != 0) {
                    awaitAdmission(); // the primary's writer waited for its lane's backlog here
                }
                return sequence;
            }
            if (!wentLive()) {
                return replayedOutput(sink, fd, bytes, offset, length); // past where the recorded run was stopped
            }
        } finally {
            leaveAgent(me);
        }
        return session.mode().output(sink, fd, bytes, offset, length, blocking);
    }

    /** Lets the other threads run, as the recorded thread did outside the token, until the log admits this one again. */
    private void awaitAdmission() {
        try {
            scheduler.outside(() -> null, false);
        } catch (Exception e) {
            throw new IllegalStateException(e); // the empty call throws nothing
        }
    }

    private long replayedOutput(OutputGate.Sink sink, int fd, byte[] bytes, int offset, int length) throws IOException {
        long sequence = ++outputs;
        if (fd == Sockets.SOCKET_STREAM) {
            return sequence; // the connection is the primary's; a backup that goes live finds it closed
        }
        if (backup != null) {
            backup.suppressed(sequence, sink, bytes, offset, length);
        } else {
            sink.write(java.util.Arrays.copyOfRange(bytes, offset, offset + length));
        }
        return sequence;
    }

    private boolean wentLive() {
        return session.mode() != this;
    }

    private static String streamName(int fd) {
        return fd == 1 ? "stdout" : fd == 2 ? "stderr" : fd == Sockets.SOCKET_STREAM ? "a socket" : "stream " + fd;
    }

    private static String describe(byte[] bytes, int offset, int length) {
        String text = new String(bytes, offset, Math.min(length, 80), java.nio.charset.StandardCharsets.UTF_8);
        return "\"" + text.replace("\n", "\\n") + (length > 80 ? "..." : "") + "\"";
    }

    long outputs() {
        return outputs;
    }

    long nextPosition() {
        return peeked != null ? peekedPosition : reader.nextPosition();
    }

    // ---- the scheduler's entries ----

    @Override
    boolean recording() {
        return false;
    }

    @Override
    void admitted(long point, int thread, ManagedThread.Wake wake) {
        throw new IllegalStateException("replay never writes");
    }

    @Override
    void ended(long point) {
        throw new IllegalStateException("replay never writes");
    }

    @Override
    long nextAdmission(long point) {
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
    long nextAdmissionPoint() {
        Entry entry = peek();
        if (entry == null || (entry.kind() != EntryKind.ADMIT && entry.kind() != EntryKind.END)) {
            return -1;
        }
        long at = entry.readLong();
        rewindPeeked();
        return at;
    }

    @Override
    String describeNext() {
        Entry entry = peek();
        return entry == null ? "nothing (the recording ends there)" : entry.kind().call() + " at position " + peekedPosition;
    }

    @Override
    boolean atEnd() {
        return peek() == null;
    }

    private Entry peek() {
        if (peeked == null) {
            long before = reader.nextPosition();
            peeked = next();
            peekedPosition = peeked != null ? reader.nextPosition() - 1 : before;
        }
        return peeked;
    }

    /** Entry's reads advance a cursor: a peeked entry is wrapped again before it is read for real. */
    private void rewindPeeked() {
        peeked.rewind();
    }

    /** The next entry, which must be of {@code kind} and of the running thread; anything else stops the JVM with a report. */
    private Entry take(EntryKind kind) {
        if (scheduler.pastTheRecordingsEnd()) {
            // The recorded run ended (or was stopped from outside) before this thread's next input,
            // a daemon's select at exit say, and this run is ending too: what the recording never
            // saw happens for real.
            return null;
        }
        long position = peeked != null ? peekedPosition : reader.nextPosition();
        Entry entry = peeked != null ? peeked : next();
        peeked = null;
        if (entry == null && wentLive()) {
            return null; // the log ended here and this backup went live
        }
        if (entry == null) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": the recording ends there (was the recorded run "
                + "killed?), replay asked for " + kind.call() + ", at" + Session.applicationStack());
        }
        if (entry.kind() == EntryKind.END) {
            // The recording ended while this thread was on its way here: its shutdown began from
            // outside (a signal), and a hook's thread, which no log orders, held this one up in the
            // recorded run (a monitor of the JDK's it took), where the replay's ran on. The replay
            // stops here too; what comes after is real on both sides.
            scheduler.endOfRecording();
            return null;
        }
        if (entry.kind() != kind) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": recorded " + entry.kind().call()
                + ", replay asked for " + kind.call() + ", at" + Session.applicationStack());
        }
        if (entry.threadId() != threadIndex()) {
            throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": recorded " + entry.kind().call()
                + " on thread " + entry.threadId() + ", replay asked for it on thread " + threadIndex() + " (\""
                + Thread.currentThread().getName() + "\"), at" + Session.applicationStack());
        }
        return entry;
    }

    /**
     * Reads on. Fetching a block runs Chronicle on this thread, which must not touch the thread's
     * ThreadLocalRandom state; the entries of a block already fetched are read without it.
     */
    private Entry next() {
        Entry entry = nextOfAnyKind();
        while (entry != null && entry.kind() == EntryKind.GO_LIVE) {
            session.sockets.goLive(false); // the recorded run was a backup that went live here: its sockets did too
            entry = nextOfAnyKind();
        }
        return entry;
    }

    private Entry nextOfAnyKind() {
        Entry entry;
        try {
            if (reader.hasBufferedEntry()) {
                return reader.next();
            }
            Thread thread = Thread.currentThread();
            savedRandom.save(thread);
            try {
                entry = reader.next();
            } finally {
                savedRandom.restore(thread);
            }
        } catch (JournalException e) {
            throw Fatal.halt(Fatal.JOURNAL, e.getMessage());
        }
        if (entry == null && backup != null && !session.finishing()) {
            // Everything the primary sent is replayed: from here on this side records. Go-live's own
            // calls (a bind for real, a re-emitted write) are the agent's work, never the replay's to
            // answer: the holder can get here outside the agent (the scheduler peeking for admissions),
            // where an intercepted bind would ask the ended log, and an unbound listen pick a port of its own.
            ManagedThread me = enterAgent();
            try {
                backup.goLive(this);
            } finally {
                leaveAgent(me);
            }
        }
        return entry;
    }

    @Override
    RuntimeException diverged(String recorded, String requested) {
        throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + (reader.nextPosition() - 1 - (peeked == null ? 0 : 1))
            + ": recorded " + recorded
            + ", replay asked for " + requested + ", at" + Session.applicationStack());
    }

    /** At exit the recording must be used up: what is left means the replay took another path. */
    @Override
    void finish() {
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
            if (entry != null && entry.kind() != EntryKind.END) {
                scheduler.detach();
                throw Fatal.halt(Fatal.DIVERGENCE, "diverged at position " + position + ": the replay ended, but the recording "
                    + "goes on with " + entry.kind().call());
            }
            scheduler.reachTheRecordingsEnd(); // at its END, or where a killed recording's journal stops
        }
        reader.close();
    }
}
