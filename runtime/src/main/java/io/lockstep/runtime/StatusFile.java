package io.lockstep.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A side's state for people and monitors, in its journal directory ({@code lockstep-status}):
 * role, log positions, the backup's lag, outputs held. Rewritten whole (write, then rename) by
 * the link thread about twice a second, so a reader never sees half of it.
 */
final class StatusFile {
    static final String NAME = "lockstep-status";

    private final Path file;
    private final Path temporary;

    StatusFile(Path journalDirectory) {
        this.file = journalDirectory.resolve(NAME);
        this.temporary = journalDirectory.resolve(NAME + ".tmp");
    }

    void write(Map<String, Object> facts) {
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
