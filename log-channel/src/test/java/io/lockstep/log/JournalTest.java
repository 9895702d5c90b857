package io.lockstep.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log writer and reader over a real Chronicle Queue on disk. */
class JournalTest {
    @TempDir
    Path tmp;

    @Test
    void entriesComeBackInOrderWithTheirKindsThreadsAndPayloads() {
        Path journal = tmp.resolve("journal");
        Handshake handshake = new Handshake(Handshake.FORMAT_VERSION, "agent", "jdk 17", "jdkhash", "app.jar", "apphash", "Main");
        try (LogWriter log = new LogWriter(prepared(journal), 64 * 1024)) {
            int at = log.claim(EntryKind.HANDSHAKE, 0, handshake.encodedLength());
            handshake.encode(log.buffer(), at);
            log.commit();
            for (int i = 0; i < 10_000; i++) {
                at = log.claim(EntryKind.NANO_TIME, 1, Long.BYTES);
                log.buffer().putLong(at, i * 31L);
                log.commit();
            }
            // larger than the ring's largest message: goes straight to the journal, still in order
            at = log.claim(EntryKind.SECURE_RANDOM_BYTES, 2, Integer.BYTES + 20_000);
            log.buffer().putInt(at, 20_000);
            log.commit();
            at = log.claim(EntryKind.END, 1, 0);
            log.commit();
        }
        try (JournalReader reader = JournalReader.open(journal)) {
            Entry first = reader.next();
            assertEquals(EntryKind.HANDSHAKE, first.kind());
            assertEquals(handshake, Handshake.decode(first));
            for (int i = 0; i < 10_000; i++) {
                Entry entry = reader.next();
                assertEquals(EntryKind.NANO_TIME, entry.kind());
                assertEquals(i + 2, entry.position());
                assertEquals(1, entry.threadId());
                assertEquals(i * 31L, entry.readLong());
            }
            Entry big = reader.next();
            assertEquals(EntryKind.SECURE_RANDOM_BYTES, big.kind());
            assertEquals(20_000, big.readBytes().length);
            assertEquals(EntryKind.END, reader.next().kind());
            assertNull(reader.next());
        }
    }

    private static Path prepared(Path journal) {
        JournalWriter.prepare(journal);
        return journal;
    }

    @Test
    void aSecondRecordingIntoTheSameJournalIsRefused() throws Exception {
        Path journal = Files.createDirectories(tmp.resolve("journal"));
        Files.writeString(journal.resolve("something"), "x");
        JournalException refused = assertThrows(JournalException.class, () -> JournalWriter.create(journal));
        assertTrue(refused.getMessage().contains("already holds files"), refused.getMessage());
    }

    @Test
    void missingJournalIsNamed() {
        JournalException missing = assertThrows(JournalException.class, () -> JournalReader.open(tmp.resolve("absent")));
        assertTrue(missing.getMessage().startsWith("no journal at "), missing.getMessage());
    }
}
