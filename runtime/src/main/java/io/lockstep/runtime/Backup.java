package io.lockstep.runtime;

import io.lockstep.log.AgentThreads;
import io.lockstep.log.Entry;
import io.lockstep.log.EntryKind;
import io.lockstep.log.Handshake;
import io.lockstep.log.JournalException;
import io.lockstep.log.JournalWriter;
import io.lockstep.log.LiveLog;
import io.lockstep.log.LogWriter;
import io.lockstep.log.link.Link;

import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * mode=backup: replays the primary's log as it arrives, with output suppressed, and goes live
 * where the log of a dead primary ends: it re-emits the outputs the primary had not confirmed
 * (a duplicate is allowed, a loss is not), takes the next epoch, and records from there on into
 * the journal it kept, as a primary without a backup.
 */
final class Backup {
    private static final int RING_CAPACITY = 4 * 1024 * 1024;

    private record Suppressed(long sequence, OutputGate.Sink sink, byte[] bytes) {
    }

    private final Session session;
    private final BackupLink link;
    private final Arbiter arbiter;
    private final Path journalDirectory;
    /** Stdout and stderr outputs produced since the last one the primary confirmed it wrote; under this object's monitor. */
    private final ArrayDeque<Suppressed> unconfirmed = new ArrayDeque<>();
    private volatile boolean live;

    private Backup(Session session, BackupLink link, Arbiter arbiter, Path journalDirectory) {
        this.session = session;
        this.link = link;
        this.arbiter = arbiter;
        this.journalDirectory = journalDirectory;
    }

    static Session start(Thread main, Config config, Handshake local) {
        Path journal = config.journal();
        JournalWriter.prepare(journal);
        Arbiter arbiter;
        try {
            arbiter = Arbiter.open(config.lock());
        } catch (IOException e) {
            throw new JournalException("cannot open the arbiter lock file " + config.lock() + ": " + e);
        }
        JournalWriter writer = JournalWriter.open(journal);
        Link.neverPark(config.yieldWhenIdle());
        LiveLog live = new LiveLog();
        Link transport = Link.open(journal.resolve("aeron"), config.backup(), Link.LOG_STREAM, config.primary(),
            Link.CONTROL_STREAM, Primary.runId(), error -> Fatal.warn("link: " + error));
        BackupLink link = new BackupLink(transport, live, writer, arbiter, config.timeoutMillis(), new StatusFile(journal));
        link.start();

        Entry first = awaitEntry(live, config.startupTimeoutMillis(), config, "the handshake");
        if (first.kind() != EntryKind.HANDSHAKE) {
            throw Fatal.halt(Fatal.JOURNAL, "the log from " + config.primary() + " does not start with a handshake");
        }
        Handshake recorded = Handshake.decode(first);
        List<String> differences = recorded.differences(local);
        if (!differences.isEmpty()) {
            String what = String.join("; ", differences);
            link.refuse("the backup runs another program: " + what);
            link.close();
            throw new HandshakeMismatch("the primary at " + config.primary() + " runs another program; this backup refuses "
                + "to follow it:" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", differences));
        }
        Entry environment = awaitEntry(live, config.startupTimeoutMillis(), config, "the environment");
        if (environment.kind() != EntryKind.ENVIRONMENT) {
            throw Fatal.halt(Fatal.JOURNAL, "the log from " + config.primary() + " has no environment after its handshake");
        }
        Map<String, String> facts = ProcessEnvironment.decode(environment);
        String workingDirectory = System.getProperty("user.dir");
        ProcessEnvironment.apply(facts);
        ProcessEnvironment.useOwnTemporaryDirectory(journal.resolve("tmp")); // kept: this side may go live with it
        if (onThisHost(config.primary())) {
            ProcessEnvironment.useOwnDirectories(workingDirectory, journal.resolve("home"));
        }
        Session session = new Session(main, config.quantum(), config.watchdogMillis(), false);
        Backup backup = new Backup(session, link, arbiter, journal);
        session.mode(new Replayer(session, live, backup, true));
        session.threadRandomBase(ProcessEnvironment.threadRandomBase(facts));
        link.accept();
        session.atFinish(backup::finishWithThePrimary);
        return session;
    }

    /** Is {@code endpoint} (host:port) an address of this host? */
    private static boolean onThisHost(String endpoint) {
        String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null;
        } catch (IOException | RuntimeException e) {
            return false; // not resolvable here: the link would not have reached it either
        }
    }

    private static Entry awaitEntry(LiveLog live, long startupMillis, Config config, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(startupMillis);
        Thread waiter = AgentThreads.newDaemon("lockstep-startup", () -> {
            try {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                live.end();
            } catch (InterruptedException e) {
                // the entry came
            }
        });
        waiter.start();
        Entry entry = live.next();
        waiter.interrupt();
        if (entry == null) {
            throw Fatal.halt(Fatal.JOURNAL, "no primary sent " + what + " to " + config.backup() + " within "
                + config.startupTimeoutMillis() + " ms (startup-timeout): is the primary at " + config.primary() + " running?");
        }
        return entry;
    }

    /** The replay suppressed the {@code sequence}-th output: kept until the primary confirms it wrote it. */
    synchronized void suppressed(long sequence, OutputGate.Sink sink, byte[] bytes, int offset, int length) {
        long confirmed = link.confirmedOutputs();
        while (!unconfirmed.isEmpty() && unconfirmed.peekFirst().sequence <= confirmed) {
            unconfirmed.removeFirst();
        }
        if (sequence > confirmed) {
            unconfirmed.addLast(new Suppressed(sequence, sink, java.util.Arrays.copyOfRange(bytes, offset, offset + length)));
        }
    }

    /** Takes the outputs the primary was not known to have written, oldest first (a duplicate is allowed, a loss is not). */
    private synchronized List<Suppressed> takeUnconfirmed() {
        long confirmed = link.confirmedOutputs();
        List<Suppressed> again = new ArrayList<>();
        for (Suppressed output : unconfirmed) {
            if (output.sequence > confirmed) {
                again.add(output);
            }
        }
        unconfirmed.clear();
        return again;
    }

    /**
     * An open gate whose writers write {@code again} first, before the outputs numbered from
     * {@code outputsSoFar + 1} it is given later: its writers, not this thread, wait for a reader
     * that is slow to read. In the gate they are numbered anew, without the gaps of the socket
     * outputs between them: its count of what is written out moves only over consecutive numbers.
     */
    private static OutputGate gateWritingFirst(List<Suppressed> again, long outputsSoFar) {
        long sequence = outputsSoFar - again.size();
        OutputGate gate = new OutputGate(sequence);
        gate.open();
        for (Suppressed output : again) {
            gate.hold(0, ++sequence, output.sink, output.bytes, 0, output.bytes.length);
        }
        return gate;
    }

    /**
     * The run's end. If the replay ended where the primary's run did (or where it died, this side
     * finishing too), the primary may not have written out its last outputs (a slow reader): this
     * side stays until it has, and writes again those it did not (it died first, or gave up on a
     * reader that did not read), waiting for them as the primary would.
     */
    private void finishWithThePrimary() {
        BackupLink.PrimaryEnd end = live ? null
            : link.primaryEnded() ? link.awaitThePrimarysEnd()
            : link.primaryGone() ? BackupLink.PrimaryEnd.DIED
            : null;
        if (end == BackupLink.PrimaryEnd.DIED || end == BackupLink.PrimaryEnd.WROTE_OUT) {
            List<Suppressed> again = takeUnconfirmed();
            if (!again.isEmpty()) {
                Fatal.warn((end == BackupLink.PrimaryEnd.DIED ? "the primary died as its run was ending" : "the primary gave up "
                    + "on a reader that did not read") + ", before it had written out its last outputs: this backup writes "
                    + again.size() + " output(s) it had not confirmed");
                if (!gateWritingFirst(again, again.size()).awaitReleasedWritten(Recorder.FINISH_TIMEOUT_MILLIS)) {
                    Fatal.warn("they were not all written out: none left for " + Recorder.FINISH_TIMEOUT_MILLIS + " ms");
                }
            }
        }
        link.close();
    }

    /**
     * The replay used up the log of a primary that is gone: this side becomes the primary. Runs
     * on the token holder (or the idle scheduler thread), where the replay stopped.
     */
    void goLive(Replayer replay) {
        if (live) {
            return;
        }
        live = true;
        long epoch;
        try {
            epoch = arbiter.nextEpoch();
        } catch (IOException e) {
            epoch = -1;
        }
        List<Suppressed> again = takeUnconfirmed();
        session.sockets.goLive(true);
        long nextPosition = replay.nextPosition();
        JournalWriter journal = link.handOverJournal();
        LogWriter log = new LogWriter(journalDirectory, journal, nextPosition, RING_CAPACITY, null);
        OutputGate gate = gateWritingFirst(again, replay.outputs());
        Recorder recorder = new Recorder(session, log, gate, replay.outputs(), Recorder.RunEnd.NONE);
        session.mode(recorder);
        recorder.markGoLive();
        session.scheduler.goLive();
        long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - link.lastHeard());
        Fatal.warn("the primary is gone (" + link.goneReason() + "): this backup is live as epoch " + epoch + ", after "
            + (nextPosition - 1) + " log entries, " + silentMillis + " ms after the primary's last message; " + again.size()
            + " output(s) it had not confirmed go out again first");
        java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>();
        facts.put("role", "primary, unprotected (went live after failover)");
        facts.put("epoch", epoch);
        facts.put("went_live_at_position", nextPosition);
        new StatusFile(journalDirectory).write(facts);
        Thread closer = AgentThreads.newDaemon("lockstep-link-close", link::close);
        closer.start();
    }
}
