package io.lockstep.runtime;

import io.lockstep.log.AgentThreads;
import io.lockstep.log.LogWriter;
import io.lockstep.log.link.Link;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The primary's side of the link, on its own agent thread ("lockstep-link"): it streams the log
 * (whoever drains the log offers each block, see {@link #send}), takes the backup's
 * acknowledgements, releases held outputs as they are covered, sends heartbeats, and drops the
 * backup when it falls silent for longer than the timeout. From then on, and when no backup came at start, the primary runs
 * alone: outputs leave at once and the log goes only to the journal.
 */
final class PrimaryLink implements LogWriter.BlockSink, Recorder.RunEnd {
    private final Link link;
    private final OutputGate gate;
    private final long timeoutNanos;
    private final Thread thread;
    private final FragmentHandler handler;

    private volatile long acked;
    private volatile long lastHeard;
    private volatile long backupRunId;
    private volatile boolean alone;
    private volatile String refusal;
    private volatile boolean closing;
    /**
     * The last position of the log once the run has ended (the backup replays to it, so its
     * silence from then on is no failure); once the backup has acknowledged it, it learns what is
     * written out, alone or not.
     */
    private volatile long endPosition = Long.MAX_VALUE;
    /** Every output this process will write is written: the link thread tells the backup ({@link Link#FINISHED}). */
    private volatile boolean outputsWritten;
    /** The backup answered {@link Link#FINISHED}: it will not write this side's outputs again. */
    private volatile boolean backupHeardFinished;
    private boolean finishedSent;
    /** The last position sent to the backup: written by whoever drains the log, under its lock. */
    private long sentUpTo;
    /** The gate's confirmed count the backup was last told of (it writes again the stdout and stderr outputs past it if this side dies). */
    private long confirmedSent;

    private final Arbiter arbiter;
    private final StatusFile status;
    private volatile java.util.function.LongSupplier logged = () -> 0;
    private volatile long replayed;

    PrimaryLink(Link link, OutputGate gate, long timeoutMillis, Arbiter arbiter, StatusFile status) {
        this.arbiter = arbiter;
        this.status = status;
        this.link = link;
        this.gate = gate;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.handler = link.handler(this::onMessage);
        this.thread = AgentThreads.newDaemon("lockstep-link", this::run);
    }

    void start(java.util.function.LongSupplier lastLogged) {
        this.logged = lastLogged;
        thread.start();
    }

    private void writeStatus() {
        long last = logged.getAsLong();
        java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>();
        facts.put("role", alone ? "primary, unprotected" : "primary");
        facts.put("backup", link.peerEndpoint());
        facts.put("logged", last);
        facts.put("acknowledged", acked);
        facts.put("replayed_by_backup", replayed);
        facts.put("lag_entries", Math.max(0, last - acked));
        facts.put("held_output_bytes", gate.heldBytes());
        facts.put("largest_lane_backlog_bytes", gate.largestBacklog());
        facts.put("writers_held_back", gate.writersHeldBack());
        facts.put("written_outputs", gate.writtenSequence());
        status.write(facts);
    }

    /**
     * Whoever drains the log (an output's own thread, or the drain thread): every block goes to
     * the backup too, unless there is none (then only to the journal).
     */
    @Override
    public void send(byte[] block, int length) {
        if (alone) {
            return;
        }
        // With nothing in flight the link thread is asleep, and its wake-up would be most of this
        // block's hop: the drainer sends it itself. With blocks in flight their acknowledgements
        // wake the link thread anyway, and it sends this one with them: the drainer (an output's
        // thread, holding the token) does not pay the system calls of a duty cycle per block,
        // which cost a server at 16 clients a fifth of its throughput.
        boolean nothingInFlight = acked >= sentUpTo;
        sentUpTo = io.lockstep.log.Block.lastPosition(block, length);
        try {
            if (link.sendBlock(block, length, () -> alone || closing, nothingInFlight ? handler : null) > 0) {
                gate.releaseUpTo(acked); // the duty cycle here may have taken an acknowledgement
            }
        } catch (RuntimeException | Error e) { // as on the link thread: the backup is lost, the run goes on
            runAlone("the link to the backup failed (" + e + ")");
        }
    }

    /**
     * Before main: waits until the backup has acknowledged {@code position} (the log's preamble,
     * which it checked), or refused it, or {@code startupMillis} passed.
     *
     * @return null if the backup is there, or why the primary runs alone
     */
    String awaitBackup(long position, long startupMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(startupMillis);
        while (acked < position) {
            if (refusal != null) {
                return "the backup at " + link.peerEndpoint() + " refused this primary: " + refusal;
            }
            if (System.nanoTime() - deadline > 0) {
                return "no backup answered at " + link.peerEndpoint() + " within " + startupMillis + " ms (startup-timeout)";
            }
            Parking.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return null;
    }

    /** No backup from now on: outputs leave at once. */
    synchronized void runAlone(String why) {
        if (alone) {
            return;
        }
        alone = true;
        arbiter.markAlone(); // before any output leaves unprotected
        gate.open();
        Fatal.warn(why + ": the output rule is dropped, this primary runs unprotected");
    }

    /**
     * The log is complete: waits (at most the timeout) for the backup to acknowledge its last
     * entry, then releases every output. The link stays up while they are written out: until the
     * backup hears that they are ({@link #outputsWritten}), it writes again, if this side dies,
     * those it was not told of.
     */
    @Override
    public void logEnded(long lastPosition) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!alone && acked < lastPosition && System.nanoTime() - deadline < 0) {
            Parking.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        if (!alone && acked < lastPosition) {
            runAlone("the backup did not acknowledge the end of the run within " + timeoutNanos / 1_000_000 + " ms");
        }
        endPosition = lastPosition;
        gate.releaseUpTo(acked);
    }

    /**
     * The backup acknowledged the end of the run, if late: even when this side went on alone, it
     * writes again what it was not told of if this side dies, so it is told.
     */
    private boolean backupHasTheWholeLog() {
        return acked >= endPosition;
    }

    /** Every output is written out: tells the backup (waiting at most the timeout for its answer), then closes the link. */
    @Override
    public void outputsWritten() {
        outputsWritten = true;
        link.wake();
        long deadline = System.nanoTime() + timeoutNanos;
        // Also when this side went on alone: a backup still heard from may yet acknowledge the end
        // (then it is told, and does not take this side's exit for a death).
        while (backupRunId != 0 && refusal == null && !backupHeardFinished
            && System.nanoTime() - lastHeard < timeoutNanos && System.nanoTime() - deadline < 0) {
            Parking.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        closing = true;
        link.wake();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String ignored = link.ignoredReport();
        if (ignored != null) {
            Fatal.warn(ignored);
        }
        link.close();
    }

    private void run() {
        long heartbeatEvery = Math.max(1, timeoutNanos / 5);
        link.sleepAtMost(TimeUnit.NANOSECONDS.toMillis(heartbeatEvery) / 2);
        long nextHeartbeat = 0;
        long nextStatus = 0;
        try {
            while (!closing) {
                int work = link.poll(handler, 64);
                long now = System.nanoTime();
                if (now - nextStatus >= 0) {
                    writeStatus();
                    nextStatus = now + TimeUnit.MILLISECONDS.toNanos(500);
                }
                if (now - nextHeartbeat >= 0) {
                    link.sendHeartbeat(alone ? Link.DROPPED : 0);
                    nextHeartbeat = now + heartbeatEvery;
                }
                if (!alone && endPosition == Long.MAX_VALUE && backupRunId != 0 && refusal == null && now - lastHeard > timeoutNanos) {
                    runAlone("the backup at " + link.peerEndpoint() + " has been silent for more than "
                        + timeoutNanos / 1_000_000 + " ms");
                }
                gate.releaseUpTo(acked);
                long confirmed = gate.confirmedSequence();
                boolean backupFollows = !alone || backupHasTheWholeLog();
                if (confirmed > confirmedSent && backupFollows && link.sendLongs(Link.RELEASED, () -> true, confirmed)) {
                    confirmedSent = confirmed;
                    work++;
                }
                if (outputsWritten && !finishedSent && backupFollows && backupRunId != 0
                    && link.sendLongs(Link.FINISHED, () -> true, gate.confirmedSequence())) {
                    finishedSent = true;
                    work++;
                }
                link.idle(work);
            }
        } catch (RuntimeException | Error e) {
            runAlone("the link to the backup failed (" + e + ")");
        }
    }

    private void onMessage(int type, long sender, DirectBuffer buffer, int offset, int length) {
        if (backupRunId == 0 && (type == Link.ACK || type == Link.REFUSED)) {
            backupRunId = sender;
        }
        if (backupRunId == 0 && type == Link.HEARTBEAT) {
            return; // the backup beats before its first acknowledgement reaches us: nothing to learn yet
        }
        if (sender != backupRunId) {
            link.countRejected(); // a stale backup of an earlier run, or something that is not ours
            return;
        }
        lastHeard = System.nanoTime();
        switch (type) {
            case Link.ACK -> {
                if (length >= Long.BYTES) {
                    long position = buffer.getLong(offset);
                    if (position > acked) {
                        acked = position;
                    }
                    if (length >= 2 * Long.BYTES) {
                        replayed = buffer.getLong(offset + Long.BYTES);
                    }
                }
            }
            case Link.HEARTBEAT -> {
                // lastHeard is all a heartbeat says
            }
            case Link.REFUSED -> refusal = Link.text(buffer, offset, length);
            case Link.FINISHED -> backupHeardFinished = true;
            default -> link.countRejected();
        }
    }
}
