package io.lockstep.runtime;

import io.lockstep.log.Handshake;
import io.lockstep.log.JournalException;
import io.lockstep.log.JournalWriter;
import io.lockstep.log.LogWriter;
import io.lockstep.log.link.Link;

import java.io.IOException;
import java.nio.file.Path;

/**
 * mode=primary: records like mode=record, streams the log to the backup as it is written, and
 * holds every output until the backup has the entries that produced it. The application's main
 * starts once the backup has checked the handshake, or, past the startup timeout, unprotected.
 */
final class Primary {
    private static final int RING_CAPACITY = 4 * 1024 * 1024;

    private Primary() {
    }

    /** Tells the messages of this run from those of an earlier one on the same endpoints. */
    static long runId() {
        long id = System.nanoTime() * 0x9E3779B97F4A7C15L ^ ProcessHandle.current().pid() << 40 ^ System.currentTimeMillis();
        return id == 0 ? 1 : id;
    }

    static Session start(Thread main, Config config, Handshake handshake) {
        Arbiter arbiter;
        try {
            arbiter = Arbiter.open(config.lock());
        } catch (IOException e) {
            throw new JournalException("cannot open the arbiter lock file " + config.lock() + ": " + e);
        }
        if (!arbiter.tryAcquire()) {
            throw Fatal.halt(Fatal.ARBITER, "another process holds the arbiter lock " + config.lock() + " (a primary, or a "
                + "backup that went live): two primaries must never run; this one does not start");
        }
        try {
            arbiter.nextEpoch();
        } catch (IOException e) {
            throw new JournalException("cannot write the epoch into the arbiter lock file " + config.lock() + ": " + e);
        }
        Link.neverPark(config.yieldWhenIdle());
        Path journal = config.journal();
        JournalWriter.prepare(journal);
        Link transport = Link.open(journal.resolve("aeron"), config.primary(), Link.CONTROL_STREAM, config.backup(),
            Link.LOG_STREAM, runId(), error -> Fatal.warn("link: " + error));
        OutputGate gate = new OutputGate(0);
        PrimaryLink link = new PrimaryLink(transport, gate, config.timeoutMillis(), arbiter, new StatusFile(journal));
        LogWriter log = new LogWriter(journal, null, 1, RING_CAPACITY, link);
        link.start(() -> log.nextPosition() - 1);
        Session session = new Session(main, config.quantum(), config.watchdogMillis(), true);
        session.mode(new Recorder(session, log, gate, 0, link));
        Recorder.writePreamble(session, log, handshake, true);
        String alone = link.awaitBackup(log.nextPosition() - 1, config.startupTimeoutMillis());
        if (alone != null) {
            link.runAlone(alone);
        }
        // The lock stays held (the channel stays open) until the process ends: the OS frees it then.
        return session;
    }
}
