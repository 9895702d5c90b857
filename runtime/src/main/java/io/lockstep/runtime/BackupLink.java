package io.lockstep.runtime;

import io.aeron.logbuffer.FragmentHandler;
import io.lockstep.log.AgentThreads;
import io.lockstep.log.Block;
import io.lockstep.log.BlockJournal;
import io.lockstep.log.Entry;
import io.lockstep.log.EntryKind;
import io.lockstep.log.JournalException;
import io.lockstep.log.JournalWriter;
import io.lockstep.log.LiveLog;
import io.lockstep.log.link.Link;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The backup's side of the link, on its own agent thread ("lockstep-link"): it receives the log,
 * checks each block, journals it, hands it to the replay and acknowledges it; it records which
 * outputs the primary confirmed; and it watches the primary. The primary is dead when the arbiter
 * lock becomes free (the OS frees it only with the process), whether or not it fell silent first;
 * a primary silent for longer than the timeout that still holds the lock is alive but unreachable,
 * and it carries on alone, so this backup, now stale, stops.
 */
final class BackupLink {
    private static final long LOCK_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Link link;
    private final LiveLog live;
    private final Arbiter arbiter;
    private final long timeoutNanos;
    private final Thread thread;
    private final FragmentHandler handler;
    private final Link.BlockAssembler assembler;
    private final Entry entry = new Entry();
    private final BlockJournal journal;

    private volatile long primaryRunId;
    private volatile long received;
    private volatile long confirmedOutputs;
    private volatile boolean accepted;
    private volatile boolean primaryEnded;
    /** After its run's end: the primary has written out every output it will ({@link Link#FINISHED}). */
    private volatile boolean primaryFinished;
    /** FINISHED came: the link thread answers it (until an offer goes through). */
    private volatile boolean finishedToAnswer;
    /** Polls of the link the link thread completed, and how many of the last ones in a row found nothing. */
    private volatile long polls;
    private volatile long quietPolls;
    private static final int QUIET_POLLS = 2;
    private volatile boolean primaryGone;
    private volatile String goneReason;
    private volatile long lastHeard;
    private volatile boolean closing;
    /** This backup refused the primary: it no longer watches it, only lets the refusal out. */
    private volatile boolean refused;
    private long ackedSent;

    private final StatusFile status;

    BackupLink(Link link, LiveLog live, JournalWriter journal, Arbiter arbiter, long timeoutMillis, StatusFile status) {
        this.status = status;
        this.link = link;
        this.live = live;
        this.journal = new BlockJournal(journal, () -> journal);
        this.arbiter = arbiter;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.handler = link.handler(this::onMessage);
        this.assembler = new Link.BlockAssembler(what -> {
            link.countRejected();
            Fatal.warn("ignored a malformed message from " + link.peerEndpoint() + ": " + what);
        });
        this.thread = AgentThreads.newDaemon("lockstep-link", this::run);
    }

    void start() {
        thread.start();
    }

    /** The replay checked the handshake: acknowledgements start (the primary's main waits for the first). */
    void accept() {
        accepted = true;
        link.wake(); // the primary's main waits for the first acknowledgement
    }

    /** Tells the primary why this backup will not follow it, and gives it a moment to arrive. */
    void refuse(String why) {
        refused = true; // stop watching the primary: this backup stops for the refusal, not for what the primary does next
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() - until < 0) {
            link.sendText(Link.REFUSED, why, () -> System.nanoTime() - until > 0);
            Parking.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    long confirmedOutputs() {
        return confirmedOutputs;
    }

    /** The log has reached the end of the primary's run. */
    boolean primaryEnded() {
        return primaryEnded;
    }

    /** How the primary's run ended, as this backup saw it after its replay reached the end. */
    enum PrimaryEnd {
        /** It said it had written out its last outputs, up to {@link #confirmedOutputs} (it gives up on a reader that does not read). */
        WROTE_OUT,
        /** It died first: the outputs past {@link #confirmedOutputs} may never have left it. */
        DIED,
        /** It is alive but out of reach: it finishes alone. */
        OUT_OF_REACH
    }

    /**
     * After the replay reached the end of the primary's run: waits while the primary writes out
     * its last outputs (as long as it lives: a reader may be slow), until it says it has, or
     * dies, or is out of reach. With the whole log here, writing again what it did not confirm
     * can only repeat a line, whatever happened before (even a primary that dropped this backup).
     */
    PrimaryEnd awaitThePrimarysEnd() {
        while (!primaryFinished) {
            if (arbiter.tryAcquire()) {
                awaitQuietLink(); // a last RELEASED or FINISHED may still be on its way
                return primaryFinished ? PrimaryEnd.WROTE_OUT : PrimaryEnd.DIED;
            }
            if (System.nanoTime() - lastHeard > timeoutNanos) {
                awaitQuietLink(); // a backup that was paused has not yet read what piled up meanwhile
                if (!primaryFinished && System.nanoTime() - lastHeard > timeoutNanos && !arbiter.tryAcquire()) {
                    Fatal.warn("the primary has been silent for more than " + timeoutNanos / 1_000_000 + " ms after the end of "
                        + "its run, but it still holds the arbiter lock " + arbiter.file() + ": it finishes alone");
                    return PrimaryEnd.OUT_OF_REACH;
                }
                continue;
            }
            Parking.parkNanos(LOCK_POLL_NANOS);
        }
        return PrimaryEnd.WROTE_OUT;
    }

    /** The primary is gone (this backup saw its lock freed), whether or not its log had reached the end of its run. */
    boolean primaryGone() {
        return primaryGone;
    }

    /**
     * Waits (at most the timeout) until the link thread has polled twice in a row without finding
     * anything, after this call: a poll reads at most one datagram a transport.
     */
    private void awaitQuietLink() {
        long after = polls;
        long deadline = System.nanoTime() + timeoutNanos;
        while (!(polls >= after + QUIET_POLLS && quietPolls >= QUIET_POLLS) && !closing && !primaryGone
            && System.nanoTime() - deadline < 0) {
            link.wake();
            Parking.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    String goneReason() {
        return goneReason;
    }

    long lastHeard() {
        return lastHeard;
    }

    /** After go-live: the link goes quiet, and the journal, with every block received, is the recorder's now. */
    JournalWriter handOverJournal() {
        stopPolling();
        return journal.finish();
    }

    private void stopPolling() {
        closing = true;
        link.wake();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopPolling();
        String ignored = link.ignoredReport();
        if (ignored != null) {
            Fatal.warn(ignored);
        }
        link.close();
    }

    private boolean closed;

    private void run() {
        long heartbeatEvery = Math.max(1, timeoutNanos / 5);
        link.sleepAtMost(TimeUnit.NANOSECONDS.toMillis(heartbeatEvery) / 2);
        long nextHeartbeat = 0;
        long nextLockPoll = 0;
        long nextStatus = 0;
        try {
            while (!closing && !primaryGone) {
                long now = System.nanoTime();
                // Silence first, before reading: a backup that was stopped (SIGSTOP) must not
                // take what piled up meanwhile for a sign that all is well.
                if (primaryRunId != 0 && !primaryEnded && !refused && now - lastHeard > timeoutNanos) {
                    arbitrate("the primary has been silent for more than " + timeoutNanos / 1_000_000 + " ms");
                    continue;
                }
                int work = link.poll(handler, 64);
                quietPolls = work == 0 ? quietPolls + 1 : 0;
                polls++; // (after quietPolls: a reader of both reads polls first)
                if (finishedToAnswer && link.sendLongs(Link.FINISHED, () -> true, confirmedOutputs)) {
                    finishedToAnswer = false;
                }
                if (accepted && received > ackedSent && link.sendLongs(Link.ACK, () -> true, received, live.nextPosition() - 1)) {
                    ackedSent = received; // (else next round: this thread never waits to send)
                }
                if (now - nextStatus >= 0) {
                    writeStatus();
                    nextStatus = now + TimeUnit.MILLISECONDS.toNanos(500);
                }
                if (primaryRunId != 0 && now - nextHeartbeat >= 0) {
                    link.sendHeartbeat(0);
                    nextHeartbeat = now + heartbeatEvery;
                }
                if (primaryRunId != 0 && !primaryEnded && !refused && now - nextLockPoll >= 0) {
                    nextLockPoll = now + LOCK_POLL_NANOS;
                    if (arbiter.tryAcquire()) {
                        primaryDied("the primary's arbiter lock was freed: its process is gone");
                        continue;
                    }
                }
                link.idle(work);
            }
        } catch (RuntimeException | Error e) {
            throw Fatal.halt(Fatal.AGENT, "the backup's link failed: " + e);
        }
    }

    private void writeStatus() {
        java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>();
        facts.put("role", "backup");
        facts.put("primary", link.peerEndpoint());
        facts.put("received", received);
        facts.put("replayed", live.nextPosition() - 1);
        facts.put("lag_entries", Math.max(0, received - (live.nextPosition() - 1)));
        facts.put("confirmed_outputs", confirmedOutputs);
        facts.put("primary_run_ended", primaryEnded);
        facts.put("primary_silent_ms", primaryRunId == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeard));
        status.write(facts);
    }

    private void arbitrate(String why) {
        if (arbiter.tryAcquire()) {
            primaryDied(why + " and its arbiter lock is free");
            return;
        }
        throw Fatal.halt(Fatal.ARBITER, why + ", but it still holds the arbiter lock " + arbiter.file() + ": it is alive "
            + "but out of reach, and carries on alone. This backup is stale and stops.");
    }

    /** Takes in what is still in flight, then lets the replay run to the end of it and go live. */
    private void primaryDied(String why) {
        if (arbiter.primaryRanAlone()) {
            throw Fatal.halt(Fatal.ARBITER, "the primary is gone, but it had dropped this backup and run on alone (the arbiter "
                + "lock file " + arbiter.file() + " says so): its last outputs left without this backup having their log, so "
                + "this backup is stale and must not go live; it stops");
        }
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(5)) {
            if (link.poll(handler, 64) > 0) {
                quietSince = System.nanoTime();
            }
        }
        goneReason = why;
        primaryGone = true;
        live.end();
    }

    private void onMessage(int type, long sender, DirectBuffer buffer, int offset, int length) {
        if (primaryRunId == 0 && type == Link.LOG_PIECE) {
            primaryRunId = sender;
        }
        if (primaryRunId == 0 && type == Link.HEARTBEAT) {
            return; // the primary beats before its first block reaches us: nothing to learn yet
        }
        if (sender != primaryRunId) {
            link.countRejected(); // an earlier primary's leftovers, or something that is not ours
            return;
        }
        lastHeard = System.nanoTime();
        switch (type) {
            case Link.LOG_PIECE -> {
                int length0 = assembler.onPiece(buffer, offset, length);
                if (length0 > 0) {
                    onBlock(assembler.block(), length0);
                }
            }
            case Link.RELEASED -> {
                if (length >= Long.BYTES) {
                    confirmedOutputs = Math.max(confirmedOutputs, buffer.getLong(offset));
                }
            }
            case Link.HEARTBEAT -> {
                if (length >= Integer.BYTES && (buffer.getInt(offset) & Link.DROPPED) != 0 && accepted) {
                    if (primaryEnded) {
                        return; // it goes on alone, but this backup has the whole log: it stays to the primary's end
                    }
                    throw Fatal.halt(Fatal.ARBITER, "the primary at " + link.peerEndpoint() + " dropped this backup (it lost "
                        + "contact and carries on alone): this backup is stale and stops");
                }
            }
            case Link.FINISHED -> {
                if (length >= Long.BYTES) {
                    confirmedOutputs = Math.max(confirmedOutputs, buffer.getLong(offset));
                }
                primaryFinished = true;
                finishedToAnswer = true;
            }
            default -> link.countRejected();
        }
    }

    private void onBlock(byte[] block, int length) {
        UnsafeBuffer view = new UnsafeBuffer(block, 0, length);
        int count;
        try {
            count = Block.verify(view, block, length, received + 1, "the log from " + link.peerEndpoint());
        } catch (JournalException e) {
            link.countRejected();
            throw Fatal.halt(Fatal.JOURNAL, e.getMessage() + ": this backup cannot follow the primary any more");
        }
        byte[] copy = Arrays.copyOf(block, length);
        int at = Block.HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            entry.wrap(view, at);
            if (entry.kind() == EntryKind.END) {
                primaryEnded = true;
            }
            at += entry.length();
        }
        received += count;
        if (accepted) {
            // Acknowledged as soon as it is here, before the replay or the journal is woken for it
            // (each wake-up is a system call): an output on the primary waits on this.
            if (link.sendLongs(Link.ACK, () -> true, received, live.nextPosition() - 1)) {
                ackedSent = received;
            }
        }
        live.offer(copy);
        try {
            journal.append(copy);
        } catch (JournalException e) {
            throw Fatal.halt(Fatal.JOURNAL, "the backup cannot journal the primary's log (" + e.getMessage() + "): it could "
                + "not take over from it, so it stops");
        }
    }
}
