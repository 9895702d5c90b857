package io.lockstep.agent;

import io.lockstep.log.JournalWriter;
import io.lockstep.programs.Branching;
import io.lockstep.programs.NoSources;
import io.lockstep.programs.Randomness;
import io.lockstep.programs.Stdin;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gets a clear error, before the application starts where it can, and never a hang
 * or a silently wrong replay: bad options, missing, empty, truncated and corrupted journals,
 * a recording made by another program or agent, and a replay that takes another path.
 */
class BadInputIT {
    static final int CONFIG = 2;
    static final int JOURNAL = 3;
    static final int DIVERGENCE = 4;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mode=record,journal=J,colour=blue | unknown option 'colour'; accepted keys: mode, journal, config, primary, backup, lock, timeout",
        "mode=sideways,journal=J           | bad value 'sideways' for option 'mode'; accepted values: record | replay | primary | backup",
        "mode=record,journal=J,timeout=soon | bad value 'soon' for option 'timeout'",
        "mode=record,journal=J,primary=nohost | bad value 'nohost' for option 'primary'; accepted values: host:port",
        "journal=J                          | option 'mode' is required",
        "mode=record                        | mode=record needs option 'journal'",
        "mode=record,journal               | option 'journal' is not of the form key=value",
        "config=/nonexistent/lockstep.properties | bad value '/nonexistent/lockstep.properties' for option 'config': cannot read it",
    })
    void badOptionsStopTheJvmBeforeMain(String options, String message) {
        ForkedJvm.Result result = new ForkedJvm().agent(options.replace("J", tmp.resolve("journal").toString())).run(NoSources.class);
        assertEquals(CONFIG, result.exit(), result::toString);
        assertEquals("", result.stdout(), "main ran");
        assertTrue(result.stderr().startsWith("lockstep: "), result::toString);
        assertTrue(result.stderr().contains(message), result::toString);
    }

    @Test
    void configFileCarriesTheSameKeys() throws IOException {
        Path config = tmp.resolve("lockstep.properties");
        Path journal = tmp.resolve("journal");
        Files.writeString(config, "# Lockstep\nmode = record\njournal = " + journal + "\n");
        ForkedJvm.Result recorded = new ForkedJvm().agent("config=" + config).run(Randomness.class);
        assertEquals(0, recorded.exit(), recorded::toString);
        ForkedJvm.Result replayed = new ForkedJvm().agent("config=" + config + ",mode=replay").run(Randomness.class);
        assertEquals(recorded.stdout(), replayed.stdout(), replayed::toString);

        Files.writeString(config, "mode=record\njournal=" + journal + "\nspeed=fast\n");
        ForkedJvm.Result bad = new ForkedJvm().agent("config=" + config).run(NoSources.class);
        assertEquals(CONFIG, bad.exit(), bad::toString);
        assertTrue(bad.stderr().contains("unknown option 'speed'"), bad::toString);
    }

    @Test
    void recordingNeverOverwritesAJournal() {
        Path journal = tmp.resolve("journal");
        assertEquals(0, ForkedJvm.record(journal).run(NoSources.class).exit());
        ForkedJvm.Result again = ForkedJvm.record(journal).run(NoSources.class);
        assertEquals(JOURNAL, again.exit(), again::toString);
        assertEquals("", again.stdout());
        assertTrue(again.stderr().contains("already holds files"), again::toString);
    }

    @Test
    void missingJournal() throws IOException {
        assertJournalError(tmp.resolve("nowhere"), "no journal at " + tmp.resolve("nowhere") + ": the directory does not exist");
        assertJournalError(Files.createDirectories(tmp.resolve("empty-dir")), "it holds no journal files");
    }

    @Test
    void emptyJournal() {
        Path journal = tmp.resolve("journal");
        JournalWriter.create(journal).close();
        assertJournalError(journal, "is empty: it holds no handshake");
    }

    @Test
    void truncatedJournal() throws IOException {
        Path journal = tmp.resolve("journal");
        ForkedJvm.Result recorded = ForkedJvm.record(journal).run(Randomness.class);
        Path file = queueFile(journal);
        long used = usedLength(file);
        for (long length : new long[] {used / 2, used - 16}) {
            Path copy = copyJournal(journal, "truncated-" + length);
            try (RandomAccessFile raf = new RandomAccessFile(queueFile(copy).toFile(), "rw")) {
                raf.setLength(length);
            }
            assertFailsCleanly(recorded, ForkedJvm.replay(copy).run(Randomness.class));
        }
    }

    /**
     * A recording killed (SIGKILL) while its only thread waits in a stdin read: its journal ends
     * there, with no END. The replay prints what the recording printed, then stops at the cut with
     * status 4, reading nothing of its own stdin (it once waited there, and the end of the run let
     * the read through to the real stdin).
     */
    @Test
    void journalCutWhileEveryThreadWaitsForStdin() throws Exception {
        Path journal = tmp.resolve("journal");
        ForkedJvm.Running recording = ForkedJvm.record(journal).stdin("first\nsecond\n").stdinLeftOpen().start(Stdin.class, "reader");
        assertTrue(recording.awaitLines(2, 60_000), recording::stderrSoFar);
        Thread.sleep(2000); // main waits in its next read; the journal thread drains what it logged
        ForkedJvm.Result recorded = recording.kill();
        assertEquals("line 1: first\nline 2: second\n", recorded.stdout(), recorded::toString);
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).stdin("not the recording's\n").timeoutSeconds(30)
            .run(Stdin.class, "reader");
        assertEquals(DIVERGENCE, replayed.exit(), replayed::toString);
        assertEquals(recorded.stdout(), replayed.stdout(), replayed::toString);
        assertTrue(replayed.stderr().startsWith("lockstep: diverged at admission point "), replayed::toString);
        assertTrue(replayed.stderr().contains("the recording ends there"), replayed::toString);
    }

    /** Bytes flipped inside the entries of a block: the checksum catches it. */
    @Test
    void corruptedEntriesAreDetected() throws IOException {
        Path journal = tmp.resolve("journal");
        ForkedJvm.Result recorded = ForkedJvm.record(journal).run(Randomness.class);
        Path copy = copyJournal(journal, "flipped");
        Path file = queueFile(copy);
        byte[] bytes = Files.readAllBytes(file);
        int block = lastIndexOf(bytes, new byte[] {'L', 'S', 'B', '1'});
        assertTrue(block > 0, "no block in the journal");
        int bodyLength = (bytes[block + 16] & 0xff) | (bytes[block + 17] & 0xff) << 8 | (bytes[block + 18] & 0xff) << 16;
        flip(file, block + 24 + bodyLength / 2);
        ForkedJvm.Result replayed = ForkedJvm.replay(copy).run(Randomness.class);
        assertFailsCleanly(recorded, replayed);
        assertTrue(replayed.stderr().contains("checksum mismatch"), replayed::toString);
    }

    /** Bytes flipped anywhere in the used part of the journal: a clear error or an exact replay, never a wrong one. */
    @Test
    void corruptionAnywhereNeverReplaysWrongly() throws IOException {
        Path journal = tmp.resolve("journal");
        ForkedJvm.Result recorded = ForkedJvm.record(journal).run(Randomness.class);
        long used = usedLength(queueFile(journal));
        for (int i = 1; i <= 6; i++) {
            long at = used * i / 7;
            Path copy = copyJournal(journal, "flip-" + at);
            flip(queueFile(copy), at);
            ForkedJvm.Result replayed = ForkedJvm.replay(copy).timeoutSeconds(60).run(Randomness.class);
            if (replayed.exit() == 0) {
                assertEquals(recorded.stdout(), replayed.stdout(), "a corrupt journal replayed differently (flip at " + at + ")");
            } else {
                assertFailsCleanly(recorded, replayed);
            }
        }
    }

    @Test
    void replayOfAnotherApplicationIsRefused() throws IOException {
        Path journal = tmp.resolve("journal");
        assertEquals(0, ForkedJvm.record(journal).run(NoSources.class).exit());
        Path extra = Files.createDirectories(tmp.resolve("extra-classes"));
        Files.writeString(extra.resolve("resource.txt"), "another application");
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).classPath(extra).run(NoSources.class);
        assertEquals(DIVERGENCE, replayed.exit(), replayed::toString);
        assertEquals("", replayed.stdout());
        assertTrue(replayed.stderr().contains("was recorded by another program; refusing to replay"), replayed::toString);
        assertTrue(replayed.stderr().contains("application: recorded class path"), replayed::toString);
    }

    @Test
    void replayWithAnotherAgentIsRefused() throws IOException {
        Path journal = tmp.resolve("journal");
        assertEquals(0, ForkedJvm.record(journal).run(NoSources.class).exit());
        Path otherAgent = tmp.resolve("other-agent.jar");
        copyJarWithExtraEntry(ForkedJvm.AGENT_JAR, otherAgent);
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).agentJar(otherAgent).run(NoSources.class);
        assertEquals(DIVERGENCE, replayed.exit(), replayed::toString);
        assertEquals("", replayed.stdout());
        assertTrue(replayed.stderr().contains("agent: recorded with agent sha256"), replayed::toString);
    }

    @Test
    void replayOnAnotherJdkIsRefused() {
        Path otherJava = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
        Assumptions.assumeTrue(Files.isExecutable(otherJava) && !otherJava.toString().equals(ForkedJvm.JAVA),
            "no second JDK on this machine");
        Path journal = tmp.resolve("journal");
        assertEquals(0, ForkedJvm.record(journal).run(NoSources.class).exit());
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).java(otherJava.toString()).run(NoSources.class);
        assertEquals(DIVERGENCE, replayed.exit(), replayed::toString);
        assertTrue(replayed.stderr().contains("JDK: recorded with"), replayed::toString);
    }

    @Test
    void divergenceStopsAtOnceNamingPositionKindsAndStack() {
        Path journal = tmp.resolve("journal");
        ForkedJvm.Result recorded = ForkedJvm.record(journal).run(Branching.class, "clock");
        assertEquals(0, recorded.exit(), recorded::toString);
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).run(Branching.class, "random");
        assertEquals(DIVERGENCE, replayed.exit(), replayed::toString);
        assertEquals("start\n", replayed.stdout());
        String err = replayed.stderr();
        assertTrue(err.matches("(?s)lockstep: diverged at position \\d+: recorded System\\.currentTimeMillis\\(\\), "
            + "replay asked for new Random\\(\\) seed, at.*"), err);
        assertTrue(err.contains("at io.lockstep.programs.Branching.main(Branching.java:"), err);
    }

    private void assertJournalError(Path journal, String message) {
        ForkedJvm.Result result = ForkedJvm.replay(journal).run(NoSources.class);
        assertEquals(JOURNAL, result.exit(), result::toString);
        assertEquals("", result.stdout(), "main ran");
        assertTrue(result.stderr().contains(message), result::toString);
    }

    /** A damaged journal may stop the replay, with a Lockstep error, but what was printed is a prefix of the truth. */
    private static void assertFailsCleanly(ForkedJvm.Result recorded, ForkedJvm.Result replayed) {
        assertTrue(replayed.exit() == JOURNAL || replayed.exit() == DIVERGENCE, replayed::toString);
        assertTrue(replayed.stderr().startsWith("lockstep: "), replayed::toString);
        assertTrue(recorded.stdout().startsWith(replayed.stdout()), "replay printed what the recording did not:\n" + replayed);
    }

    private Path copyJournal(Path journal, String name) throws IOException {
        Path copy = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(journal)) {
            for (Path file : files.collect(Collectors.toList())) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    private static Path queueFile(Path journal) throws IOException {
        try (Stream<Path> files = Files.list(journal)) {
            List<Path> queues = files.filter(file -> file.toString().endsWith(".cq4")).collect(Collectors.toList());
            assertEquals(1, queues.size(), "queue files in " + journal);
            return queues.get(0);
        }
    }

    /** The length up to the last non-zero byte: queue files are preallocated and sparse. */
    private static long usedLength(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int last = bytes.length - 1;
        while (last > 0 && bytes[last] == 0) {
            last--;
        }
        return last + 1;
    }

    private static void flip(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int value = raf.read();
            raf.seek(position);
            raf.write(value ^ 0x5A);
        }
    }

    private static int lastIndexOf(byte[] bytes, byte[] pattern) {
        for (int i = bytes.length - pattern.length; i >= 0; i--) {
            boolean match = true;
            for (int j = 0; j < pattern.length && match; j++) {
                match = bytes[i + j] == pattern[j];
            }
            if (match) {
                return i;
            }
        }
        return -1;
    }

    private static void copyJarWithExtraEntry(Path from, Path to) throws IOException {
        try (JarFile in = new JarFile(from.toFile()); JarOutputStream out = new JarOutputStream(Files.newOutputStream(to))) {
            Enumeration<JarEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                out.putNextEntry(new JarEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("lockstep-lib/extra.txt"));
            ((OutputStream) out).write("a different agent build".getBytes());
            out.closeEntry();
        }
    }
}
