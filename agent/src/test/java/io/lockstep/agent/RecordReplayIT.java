package io.lockstep.agent;

import io.lockstep.programs.Clocks;
import io.lockstep.programs.Environment;
import io.lockstep.programs.FailingCalls;
import io.lockstep.programs.Identity;
import io.lockstep.programs.Memory;
import io.lockstep.programs.NoSources;
import io.lockstep.programs.Randomness;
import io.lockstep.programs.SeedOrder;
import io.lockstep.programs.ShipsItsOwnLibraries;
import io.lockstep.programs.Stdin;
import io.lockstep.programs.TempFiles;
import io.lockstep.programs.Text;
import io.lockstep.programs.ThirdParty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The differential core: for each source of nondeterminism, a program run twice without the
 * agent gives different output (the nondeterminism is real), and its recording, replayed in
 * another environment with other stdin, another pid and at another time, gives the same bytes.
 */
class RecordReplayIT {
    /** The recording side's environment and the replay side's: every variable differs. */
    static final Map<String, String> ENV_A = Map.of("LOCKSTEP_TEST_VAR", "alpha", "TZ", "Asia/Tokyo", "LANG", "en_US.UTF-8",
        "HOME", "/home/alpha");
    static final Map<String, String> ENV_B = Map.of("LOCKSTEP_TEST_VAR", "beta", "TZ", "America/New_York", "LANG", "C",
        "HOME", "/home/beta");
    static final String STDIN_A = "first line\n17 apples 25\nthird line of A\nmore\n";
    static final String STDIN_B = "other input\n99 pears\n";

    @TempDir
    Path tmp;

    @Test
    void clocks() {
        assertDifferential(Clocks.class, UnaryOperator.identity());
    }

    @Test
    void randomness() {
        assertDifferential(Randomness.class, UnaryOperator.identity());
    }

    /**
     * A thread's ThreadLocalRandom seed does not depend on whether its secondary seed was drawn
     * before it: the order is timing's in a real program, so it can differ between a recording and
     * its replay (seen as a replayed HttpClient body that differed). Recorded in one order,
     * replayed in the other, the generator gives the same numbers.
     */
    @Test
    void theThreadLocalRandomSeedDoesNotDependOnWhenTheSecondarySeedWasDrawn() {
        ForkedJvm.Result plainA = ForkedJvm.plain().run(SeedOrder.class, "generator-first");
        ForkedJvm.Result plainB = ForkedJvm.plain().run(SeedOrder.class, "generator-first");
        assertNotEquals(plainA.stdout(), plainB.stdout(), "without the agent the numbers vary");
        Path journal = tmp.resolve("journal-seed-order");
        ForkedJvm.Result recorded = ForkedJvm.record(journal).run(SeedOrder.class, "generator-first");
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).run(SeedOrder.class, "secondary-first");
        assertEquals(0, recorded.exit(), recorded::toString);
        assertEquals(0, replayed.exit(), replayed::toString);
        assertEquals(recorded.stdout(), replayed.stdout(), "the seed followed the order of the draws");
    }

    /**
     * Identity hashes follow what the JVM did before main, so two plain runs differ only when
     * that differs (here: class data sharing); under the agent, record and replay do different
     * work before main, which is why the agent has to make them deterministic.
     */
    @Test
    void identityHashes() {
        assertDifferential(Identity.class, jvm -> jvm.jvmOption("-Xshare:off"));
    }

    /** Exceptions thrown by intercepted calls reach the application on both sides; the recording goes on. */
    @Test
    void interceptedCallsThatThrow() {
        assertDifferential(FailingCalls.class, UnaryOperator.identity());
    }

    @Test
    void environment() {
        assertDifferential(Environment.class, UnaryOperator.identity());
    }

    /** Runtime's memory figures: the garbage collector's, and the heap's limit, which the replay runs with another of. */
    @Test
    void heapFigures() {
        assertDifferential(Memory.class, jvm -> jvm.jvmOption("-Xmx256m"), jvm -> jvm.jvmOption("-Xmx128m"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reader", "scanner", "bytes", "all"})
    void stdin(String wrapper) {
        assertDifferential(Stdin.class, UnaryOperator.identity(), wrapper);
    }

    @Test
    void unmodifiedThirdPartyLibrary() {
        Path commonsLang = IT_LIB("commons-lang3-3.17.0.jar");
        assertDifferential(ThirdParty.class, jvm -> jvm.classPath(commonsLang), jvm -> jvm.classPath(commonsLang));
    }

    /** A replay in an empty environment (no LANG: ASCII) prints the recording's UTF-8 bytes. */
    @Test
    void textIsReplayedInTheRecordedCharsets() {
        Path journal = tmp.resolve("journal");
        ForkedJvm.Result plainUtf8 = ForkedJvm.plain().env("LANG", "C.UTF-8").run(Text.class);
        ForkedJvm.Result plainAscii = ForkedJvm.plain().emptyEnvironment().run(Text.class);
        assertNotEquals(plainUtf8.stdout().lines().findFirst(), plainAscii.stdout().lines().findFirst(),
            "System.out's charset does not depend on LANG here");
        ForkedJvm.Result recorded = ForkedJvm.record(journal).env("LANG", "C.UTF-8").run(Text.class);
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).emptyEnvironment().run(Text.class);
        assertEquals(0, replayed.exit(), replayed::toString);
        assertArrayEquals(recorded.stdoutBytes(), replayed.stdoutBytes(), replayed::toString);
        assertArrayEquals(recorded.stderrBytes(), replayed.stderrBytes(), replayed::toString);
    }

    @Test
    void programWithoutSourcesRunsAsWithoutTheAgent() {
        ForkedJvm.Result plain = ForkedJvm.plain().run(NoSources.class, "3");
        ForkedJvm.Result recorded = ForkedJvm.record(tmp.resolve("journal")).run(NoSources.class, "3");
        ForkedJvm.Result replayed = ForkedJvm.replay(tmp.resolve("journal")).run(NoSources.class, "3");
        assertEquals(3, plain.exit(), plain::toString);
        for (ForkedJvm.Result result : List.of(recorded, replayed)) {
            assertEquals(plain.exit(), result.exit(), result::toString);
            assertArrayEquals(plain.stdoutBytes(), result.stdoutBytes(), result::toString);
            assertArrayEquals(plain.stderrBytes(), result.stderrBytes(), result::toString);
        }
    }

    @Test
    void applicationKeepsItsOwnVersionsOfTheAgentsLibraries() {
        UnaryOperator<ForkedJvm> libraries = jvm -> jvm.classPath(IT_LIB("asm-7.0.jar")).classPath(IT_LIB("agrona-1.21.2.jar"));
        ForkedJvm.Result recorded = libraries.apply(ForkedJvm.record(tmp.resolve("journal"))).run(ShipsItsOwnLibraries.class);
        assertEquals(0, recorded.exit(), recorded::toString);
        String out = recorded.stdout();
        assertTrue(out.contains("asm from asm-7.0.jar"), out);
        assertTrue(out.contains("asm parsed io/lockstep/programs/Generated"), out);
        assertTrue(out.contains("agrona from agrona-1.21.2.jar"), out);
        assertTrue(out.contains("not visible net.openhft.chronicle.queue.ChronicleQueue"), out);
        assertTrue(out.contains("not visible io.lockstep.runtime.Session"), out);
        assertTrue(out.contains("not visible io.lockstep.log.Entry"), out);
        assertTrue(out.contains("not visible org.objectweb.asm.RecordComponentVisitor"), out);
        ForkedJvm.Result replayed = libraries.apply(ForkedJvm.replay(tmp.resolve("journal"))).run(ShipsItsOwnLibraries.class);
        assertArrayEquals(recorded.stdoutBytes(), replayed.stdoutBytes(), replayed::toString);
    }

    /** The agent writes nothing on the application's streams and no file outside its journal. */
    @Test
    void agentLeavesNoTraceOutsideItsJournal() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path temp = Files.createDirectories(tmp.resolve("tmp"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path journal = tmp.resolve("journal");
        ForkedJvm.Result recorded = ForkedJvm.record(journal).env("HOME", home.toString()).env("TMPDIR", temp.toString())
            .jvmOption("-Djava.io.tmpdir=" + temp).jvmOption("-Duser.home=" + home).directory(work)
            .stdin(STDIN_A).run(Randomness.class);
        assertEquals(0, recorded.exit(), recorded::toString);
        assertEquals("", recorded.stderr());
        for (Path untouched : List.of(home, temp, work)) {
            try (Stream<Path> files = Files.list(untouched)) {
                assertEquals(List.of(), files.collect(Collectors.toList()), "files written in " + untouched);
            }
        }
        try (Stream<Path> files = Files.list(journal)) {
            assertTrue(files.allMatch(file -> file.toString().endsWith(".cq4") || file.toString().endsWith(".cq4t")));
        }
    }

    /**
     * A replay on the host of its recording draws the temporary files' recorded names, which the
     * recording took and left there: it makes them in a directory of its own in the journal, and
     * the application sees that directory as its temporary one. The next replay removes it.
     */
    @Test
    void temporaryFilesOfTheRecordingDoNotStandInTheReplaysWay() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared-tmp"));
        UnaryOperator<ForkedJvm> sharedTemporaryDirectory = jvm -> jvm.jvmOption("-Djava.io.tmpdir=" + shared);
        assertDifferential(TempFiles.class, sharedTemporaryDirectory, sharedTemporaryDirectory);
        try (Stream<Path> files = Files.list(shared)) {
            assertEquals(9, files.count(), "two plain runs and the recording make two files and a directory each, the replay none");
        }
        Path journal = tmp.resolve("journal-" + TempFiles.class.getSimpleName());
        assertEquals(1, replayTemporaryDirectories(journal).size());
        ForkedJvm.Result again = ForkedJvm.replay(journal).run(TempFiles.class);
        assertEquals(0, again.exit(), again::toString);
        List<Path> kept = replayTemporaryDirectories(journal);
        assertEquals(1, kept.size(), "the earlier replay's directory is removed: " + kept);
        try (Stream<Path> files = Files.list(kept.get(0))) {
            assertEquals(3, files.count(), "two files and a directory in " + kept.get(0));
        }
    }

    private static List<Path> replayTemporaryDirectories(Path journal) throws Exception {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(file -> file.getFileName().toString().startsWith("tmp-replay-")).collect(Collectors.toList());
        }
    }

    private static Path IT_LIB(String jar) {
        Path path = ForkedJvm.IT_LIBS.resolve(jar);
        assertTrue(Files.isRegularFile(path), "missing " + path + " (copied by the pre-integration-test phase)");
        return path;
    }

    private void assertDifferential(Class<?> program, UnaryOperator<ForkedJvm> replaySide, String... args) {
        assertDifferential(program, UnaryOperator.identity(), replaySide, args);
    }

    /**
     * @param recordSide  what the first plain run and the recording share (class path, say)
     * @param replaySide  what the second plain run and the replay share, beside environment B
     */
    private void assertDifferential(Class<?> program, UnaryOperator<ForkedJvm> recordSide, UnaryOperator<ForkedJvm> replaySide,
                                    String... args) {
        ForkedJvm.Result plainA = recordSide.apply(ForkedJvm.plain().env(ENV_A).stdin(STDIN_A)).run(program, args);
        ForkedJvm.Result plainB = replaySide.apply(ForkedJvm.plain().env(ENV_B).stdin(STDIN_B)).run(program, args);
        assertEquals(0, plainA.exit(), plainA::toString);
        assertNotEquals(plainA.stdout(), plainB.stdout(), "the program's output does not vary without the agent:\n" + plainA);

        Path journal = tmp.resolve("journal-" + program.getSimpleName() + String.join("-", args));
        ForkedJvm.Result recorded = recordSide.apply(ForkedJvm.record(journal).env(ENV_A).stdin(STDIN_A)).run(program, args);
        ForkedJvm.Result replayed = replaySide.apply(ForkedJvm.replay(journal).env(ENV_B).stdin(STDIN_B)).run(program, args);
        assertEquals(0, recorded.exit(), recorded::toString);
        assertEquals(recorded.exit(), replayed.exit(), replayed::toString);
        assertEquals(recorded.stdout(), replayed.stdout(), "replay differs from the recording");
        assertArrayEquals(recorded.stdoutBytes(), replayed.stdoutBytes());
        assertArrayEquals(recorded.stderrBytes(), replayed.stderrBytes(), replayed::toString);
    }
}
