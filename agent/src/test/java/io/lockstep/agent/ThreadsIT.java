package io.lockstep.agent;

import io.lockstep.boot.Hooks;
import io.lockstep.programs.threads.AtomicsAndMaps;
import io.lockstep.programs.threads.DaemonAtTheEnd;
import io.lockstep.programs.threads.Deadlock;
import io.lockstep.programs.threads.Executors;
import io.lockstep.programs.threads.ExitWhileOthersRun;
import io.lockstep.programs.threads.Futures;
import io.lockstep.programs.threads.HotMonitors;
import io.lockstep.programs.threads.Locks;
import io.lockstep.programs.threads.MissedSwitchPoint;
import io.lockstep.programs.threads.MonitorsAndWaits;
import io.lockstep.programs.threads.ParallelStreams;
import io.lockstep.programs.threads.Queues;
import io.lockstep.programs.threads.RacyCounter;
import io.lockstep.programs.threads.StoppedFromOutside;
import io.lockstep.programs.threads.Stress;
import io.lockstep.programs.threads.Synchronizers;
import io.lockstep.programs.threads.ThreadCounts;
import io.lockstep.programs.threads.ThreadLifecycle;
import io.lockstep.programs.threads.ThreadStates;
import io.lockstep.programs.threads.Timers;
import io.lockstep.programs.threads.UnparkedFromOutside;
import io.lockstep.programs.threads.VirtualThreads;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler's differential tests: multithreaded programs (data races included) whose
 * output depends on how their threads interleave. Without the agent the racy ones print
 * different things from run to run; each is recorded and replayed three times, and every
 * replay must print the bytes its recording printed.
 */
class ThreadsIT {
    private static final int PAIRS = 3;
    private static final int PLAIN_ATTEMPTS = 5;

    @TempDir
    Path tmp;

    /** The corpus; between them they use every primitive the scheduler models. */
    static List<Class<?>> corpus() {
        return List.of(RacyCounter.class, MonitorsAndWaits.class, ThreadLifecycle.class, Locks.class, Queues.class,
            Synchronizers.class, Executors.class, Timers.class, Futures.class, ParallelStreams.class, AtomicsAndMaps.class,
            Stress.class, DaemonAtTheEnd.class, ExitWhileOthersRun.class, ThreadStates.class);
    }

    /** Programs whose output shows their interleaving: plain runs must differ (the nondeterminism is real). */
    private static final Set<Class<?>> VARYING = Set.of(RacyCounter.class, MonitorsAndWaits.class, Locks.class, Queues.class,
        Synchronizers.class, Executors.class, Timers.class, Futures.class, ParallelStreams.class, AtomicsAndMaps.class,
        VirtualThreads.class, DaemonAtTheEnd.class, ExitWhileOthersRun.class); // ThreadStates: on an idle host its plain runs can agree

    @ParameterizedTest
    @MethodSource("corpus")
    void replaysPrintWhatTheRecordingsPrinted(Class<?> program) {
        assertRunsWithoutTheAgent(program);
        for (int pair = 1; pair <= PAIRS; pair++) {
            assertReplayMatchesRecording(program, tmp.resolve(program.getSimpleName() + "-" + pair), "");
        }
    }

    /**
     * A synchronized block the agent rewrote is still one the first JIT tier (C1) compiles: a
     * hook call in the wrong place of javac's exit path made C1 decline every such method, which
     * then ran interpreted until C2 took it (PrintCompilation says "COMPILE SKIPPED").
     */
    @Test
    void synchronizedBlocksTheAgentRewroteStillCompile() {
        ForkedJvm.Result result = ForkedJvm.record(tmp.resolve("hot")).jvmOption("-XX:+PrintCompilation").run(HotMonitors.class);
        assertEquals(0, result.exit(), result::toString);
        List<String> compiled = result.stdout().lines()
            .filter(line -> line.contains("HotMonitors::add") || line.contains("ConcurrentHashMap::putVal")).toList();
        assertTrue(compiled.stream().anyMatch(line -> line.contains("HotMonitors::addChecked")), result::toString);
        assertEquals(List.of(), compiled.stream().filter(line -> line.contains("COMPILE SKIPPED")).toList());
    }

    /**
     * Virtual threads (the JDK 25 pass; skipped where the JDK has none): under the agent each is a
     * platform thread the scheduler runs, so their interleaving replays like any other.
     */
    @Test
    void virtualThreadsReplayAsManagedThreads() {
        ForkedJvm.Result probe = ForkedJvm.plain().run(VirtualThreads.class);
        assertEquals(0, probe.exit(), probe::toString);
        Assumptions.assumeFalse(probe.stdout().equals("no virtual threads" + System.lineSeparator()),
            "the JDK of the programs has no virtual threads");
        assertRunsWithoutTheAgent(VirtualThreads.class);
        for (int pair = 1; pair <= PAIRS; pair++) {
            assertReplayMatchesRecording(VirtualThreads.class, tmp.resolve("virtual-" + pair), "");
        }
    }

    /**
     * A small quantum preempts the racing threads inside their loops: updates get lost in the
     * recording, and the replay loses the same ones.
     * <p>
     * Each iteration of RacyCounter's adders spends one tick at the call inside the race, and every
     * Hooks.BACK_EDGES-th spends BACK_EDGES at the loop's back-edge, outside it. A thread's first
     * quantum runs out inside the race when, after its entry tick, it is 0 .. BACK_EDGES - 1 past
     * a multiple of 2 * BACK_EDGES; otherwise at a back-edge (then every quantum does, and nothing
     * is lost). The quanta here are of the first kind, a different one per pair.
     */
    @Test
    void preemptionInsideADataRaceIsReplayed() {
        for (int pair = 1; pair <= PAIRS; pair++) {
            int batch = Hooks.BACK_EDGES;
            int quantum = 1 + 2 * batch * (2 + pair) + pair * 37 % batch;
            ForkedJvm.Result recorded = assertReplayMatchesRecording(RacyCounter.class, tmp.resolve("racy-" + pair),
                ",quantum=" + quantum);
            Matcher counter = Pattern.compile("counter (\\d+) of (\\d+)").matcher(recorded.stdout());
            assertTrue(counter.find(), recorded::toString);
            assertTrue(Long.parseLong(counter.group(1)) < Long.parseLong(counter.group(2)),
                "no update was lost, so no thread was preempted inside the race:\n" + recorded);
        }
    }

    /** A program that deadlocks without the agent deadlocks under it, on both sides, and a thread dump shows it. */
    @Test
    void aDeadlockStaysADeadlockThatThreadDumpsReport() {
        Path journal = tmp.resolve("deadlock");
        for (ForkedJvm side : List.of(ForkedJvm.plain(), ForkedJvm.record(journal), ForkedJvm.replay(journal))) {
            ForkedJvm.Result result = side.threadDumpAfter(4000, Deadlock.class);
            assertEquals(-1, result.exit(), "it ended:\n" + result);
            assertTrue(result.stdout().contains("Found one Java-level deadlock"), result::toString);
            assertTrue(result.stdout().contains("\"one\"") && result.stdout().contains("\"two\""), result::toString);
        }
    }

    /**
     * SIGTERM of a recorded server: its shutdown hook stops a pool of parked workers and a thread
     * in Object.wait and one asleep, as without the agent (nothing is scheduled after the
     * recording's end, so the model's waits let them go), and a thread in a timed Object.wait that
     * nobody wakes waits out its timeout (it once returned at the recording's end); a replay stops
     * where the recording was stopped, and exits.
     */
    @Test
    void aRunStoppedFromOutsideShutsDownAsWithoutTheAgent() throws Exception {
        Path journal = tmp.resolve("stopped");
        String recordedUpToTheSignal = null;
        for (ForkedJvm side : List.of(ForkedJvm.plain(), ForkedJvm.record(journal))) {
            ForkedJvm.Running running = side.start(StoppedFromOutside.class);
            assertTrue(running.awaitLines(4, 60_000), running::stdoutSoFar);
            recordedUpToTheSignal = running.stdoutSoFar();
            running.signal("TERM");
            ForkedJvm.Result result = running.await(15); // the hook waits up to 20 s for each: a thread left waiting fails here
            for (String line : List.of("waiter interrupted", "sleeper interrupted", "timed waiter waited it all",
                "stopped: pool true, waiter true, sleeper true, parker true, timed waiter true")) {
                assertTrue(result.stdout().contains(line + System.lineSeparator()), () -> "no '" + line + "' in " + result);
            }
            assertEquals(143, result.exit(), result::toString);
        }
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).run(StoppedFromOutside.class);
        assertEquals(0, replayed.exit(), replayed::toString);
        String recorded = recordedUpToTheSignal;
        assertTrue(replayed.stdout().startsWith(recorded), () -> "recorded:\n" + recorded + "\n" + replayed);
        assertTrue(replayed.stderr().contains("the replay stops there too"), replayed::toString);
    }

    /**
     * The agent's threads are not in the application's thread group: a program that counts or
     * lists its group's threads prints what it prints without the agent, in the recording, its
     * replay and on a primary and its backup (which once stopped as diverged: each side's agent
     * ran other threads).
     */
    @Test
    void theAgentsThreadsAreNotAmongTheApplications() throws Exception {
        String expected = String.join(System.lineSeparator(),
            "waiting: 4 active, group main holds [main, worker-0, worker-1, worker-2]",
            "ended: 1 active, group main holds [main]", "");
        Path journal = tmp.resolve("counts");
        for (ForkedJvm side : List.of(ForkedJvm.plain(), ForkedJvm.record(journal), ForkedJvm.replay(journal))) {
            ForkedJvm.Result result = side.run(ThreadCounts.class);
            assertEquals(0, result.exit(), result::toString);
            assertEquals(expected, result.stdout(), result::toString);
        }
        String options = ForkedJvm.liveOptions(tmp.resolve("lock"), 20000);
        ForkedJvm.Running backup = ForkedJvm.plain().agent("mode=backup,journal=" + tmp.resolve("b") + "," + options)
            .start(ThreadCounts.class);
        ForkedJvm.Result primary = ForkedJvm.plain().agent("mode=primary,journal=" + tmp.resolve("p") + "," + options)
            .run(ThreadCounts.class);
        assertEquals(0, primary.exit(), primary::toString);
        assertEquals(expected, primary.stdout(), primary::toString);
        ForkedJvm.Result followed = backup.await(60);
        assertEquals(0, followed.exit(), followed::toString);
        assertFalse(followed.stderr().contains("diverged"), followed::toString);
    }

    /**
     * An unpark from a thread the agent does not manage is a permit for the next park: it ends
     * a park, not a sleep (the model once ended the sleep: woken early under the agent only).
     */
    @Test
    void anUnparkFromOutsideEndsAParkNotASleep() throws Exception {
        Path journal = tmp.resolve("unparked");
        for (ForkedJvm side : List.of(ForkedJvm.plain(), ForkedJvm.record(journal))) {
            ForkedJvm.Running running = side.start(UnparkedFromOutside.class);
            assertTrue(running.awaitLines(1, 60_000), running::stdoutSoFar);
            running.signal("HUP");
            ForkedJvm.Result result = running.await(30);
            assertEquals(0, result.exit(), result::toString);
            assertEquals(String.join(System.lineSeparator(), "sleeping", "slept it all", "the park returned at once", ""),
                result.stdout(), result::toString);
        }
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).run(UnparkedFromOutside.class);
        assertEquals(0, replayed.exit(), replayed::toString);
        assertEquals(String.join(System.lineSeparator(), "sleeping", "slept it all", "the park returned at once", ""),
            replayed.stdout(), replayed::toString);
    }

    /**
     * Flight Recorder started with the JVM (-XX:StartFlightRecording) starts its threads on main,
     * before the application's main: they are the JDK's, not the application's, and run
     * unmanaged (managed, main waited for a thread that waited for main's token: the watchdog).
     */
    @Test
    void flightRecorderRunsBesideTheAgent() {
        Path journal = tmp.resolve("jfr");
        UnaryOperator<ForkedJvm> flightRecorder = jvm -> jvm.jvmOption("-XX:StartFlightRecording=filename="
            + tmp.resolve("recording-" + System.nanoTime() + ".jfr")).jvmOption("-Xlog:jfr+startup=error");
        ForkedJvm.Result recorded = flightRecorder.apply(ForkedJvm.record(journal)).run(Executors.class);
        assertEquals(0, recorded.exit(), recorded::toString);
        ForkedJvm.Result replayed = flightRecorder.apply(ForkedJvm.replay(journal)).run(Executors.class);
        assertEquals(0, replayed.exit(), replayed::toString);
        assertArrayEquals(recorded.stdoutBytes(), replayed.stdoutBytes(), replayed::toString);
    }

    /** A token holder blocked where the agent sees no switch point: a clear error with the stacks, not a hang. */
    @Test
    void theWatchdogReportsAMissedSwitchPoint() {
        ForkedJvm.Result result = ForkedJvm.record(tmp.resolve("missed")).agent("mode=record,journal=" + tmp.resolve("missed")
            + ",watchdog=1000").run(MissedSwitchPoint.class);
        assertEquals(5, result.exit(), result::toString);
        assertTrue(result.stderr().contains("holds the token but has been WAITING"), result::toString);
        assertTrue(result.stderr().contains("MissedSwitchPoint.main"), result::toString);
        assertTrue(result.stderr().contains("\"other\""), "the other managed threads' stacks are missing:\n" + result);
    }

    private static void assertRunsWithoutTheAgent(Class<?> program) {
        Set<String> outputs = new HashSet<>();
        for (int attempt = 0; attempt < (VARYING.contains(program) ? PLAIN_ATTEMPTS : 1); attempt++) {
            ForkedJvm.Result plain = ForkedJvm.plain().run(program);
            assertEquals(0, plain.exit(), plain::toString);
            outputs.add(plain.stdout());
            if (outputs.size() > 1) {
                return;
            }
        }
        assertTrue(!VARYING.contains(program), program.getSimpleName() + " printed the same in " + PLAIN_ATTEMPTS
            + " runs without the agent: its output does not show its interleaving");
    }

    private static ForkedJvm.Result assertReplayMatchesRecording(Class<?> program, Path journal, String moreOptions) {
        ForkedJvm.Result recorded = ForkedJvm.record(journal).agent("mode=record,journal=" + journal + moreOptions).run(program);
        assertEquals(0, recorded.exit(), recorded::toString);
        assertEquals("", recorded.stderr(), recorded::toString);
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).agent("mode=replay,journal=" + journal + moreOptions).run(program);
        assertEquals(0, replayed.exit(), replayed::toString);
        assertEquals(recorded.stdout(), replayed.stdout(), "the replay printed something else");
        assertArrayEquals(recorded.stdoutBytes(), replayed.stdoutBytes());
        assertArrayEquals(recorded.stderrBytes(), replayed.stderrBytes(), replayed::toString);
        return recorded;
    }
}
