package io.lockstep.runtime;

import io.lockstep.log.AgentThreads;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A side's state for people and monitors, in its journal directory ({@code lockstep-status}):
 * role, log positions, the backup's lag, outputs held. Rewritten whole (write, then rename), so a
 * reader never sees half of it, on a thread of its own ("lockstep-status"): a file system under
 * load can take long, and the link thread, which hands the facts over about twice a second, must
 * never miss a heartbeat for it.
 */
final class StatusFile {
    static final String NAME = "lockstep-status";

    private final Path file;
    private final Path temporary;
    private final java.util.concurrent.atomic.AtomicReference<Map<String, Object>> latest =
        new java.util.concurrent.atomic.AtomicReference<>();
    private Thread writer;

    StatusFile(Path journalDirectory) {
        this.file = journalDirectory.resolve(NAME);
        this.temporary = journalDirectory.resolve(NAME + ".tmp");
    }

    /** Hands the facts to the status thread, which writes the latest it has (earlier ones may be skipped). */
    void write(Map<String, Object> facts) {
        latest.set(facts);
        synchronized (this) {
            if (writer == null) {
                writer = AgentThreads.newDaemon("lockstep-status", this::writeLoop);
                writer.start();
            }
        }
        java.util.concurrent.locks.LockSupport.unpark(writer);
    }

    private void writeLoop() {
        while (true) {
            Map<String, Object> facts = latest.getAndSet(null);
            if (facts == null) {
                java.util.concurrent.locks.LockSupport.park(this);
                continue;
            }
            writeNow(facts);
        }
    }

    private void writeNow(Map<String, Object> facts) {
        StringBuilder text = new StringBuilder();
        facts.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // a status is a courtesy: the run goes on without it
        }
    }
}
