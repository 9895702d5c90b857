package io.lockstep.agent;

import io.lockstep.demo.Ticker;
import io.lockstep.demo.bench.OutputLatency;
import io.lockstep.programs.TempFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A primary and a backup of the multithreaded {@link Ticker} (every line depends on randomness,
 * time and the interleaving of its threads, and carries a digest of all lines before it), on
 * 127.0.0.1 with real Aeron, real journals and a real lock file; failures are real signals.
 */
class FailoverIT {
    private static final int LINES = 400;
    /** About 300 KB of Ticker's lines: far more than a pipe holds, far less than a lane's backlog limit. */
    private static final int LAGGING_LINES = 3000;
    private static final Pattern LINE = Pattern.compile("^(\\d{6}) run=(\\w+) .* digest=([0-9a-f]+)$");

    @TempDir
    Path tmp;

    private String options;

    private ForkedJvm side(String mode, String extra) throws IOException {
        if (options == null) {
            options = ForkedJvm.liveOptions(tmp.resolve("lock"), 20000);
        }
        return ForkedJvm.plain().agent("mode=" + mode + ",journal=" + tmp.resolve(mode) + "," + options + extra)
            .classPath(ForkedJvm.classesOf(Ticker.class)).timeoutSeconds(120);
    }

    /** SIGKILL of the primary at a random line: its output followed by the backup's is one unbroken, consistent run. */
    @RepeatedTest(10)
    void killingThePrimaryLosesNoOutput() throws Exception {
        ForkedJvm.Running backup = side("backup", "").start(Ticker.class, Integer.toString(LINES), "2");
        ForkedJvm.Running primary = side("primary", "").start(Ticker.class, Integer.toString(LINES), "2");
        int killAt = 20 + new Random().nextInt(LINES - 60);
        assertTrue(primary.awaitLines(killAt, 60_000), () -> "primary never printed " + killAt + " lines: " + primary.stderrSoFar());
        ForkedJvm.Result killed = primary.kill();
        ForkedJvm.Result tookOver = backup.await(60);
        assertEquals(0, tookOver.exit(), tookOver::toString);
        assertTrue(tookOver.stderr().contains("this backup is live"), tookOver::toString);
        List<String> visible = joinWithoutDuplicates(killed, tookOver);
        checkComplete(visible);
    }

    /**
     * Both journals replay offline: the primary's of a run without failure gives the primary's
     * output; the backup's of a run with a failover gives the whole run, each line once.
     */
    @Test
    void theJournalsOfBothSidesReplayOffline() throws Exception {
        ForkedJvm.Running backup = side("backup", "").start(Ticker.class, Integer.toString(LINES), "1");
        ForkedJvm.Running primary = side("primary", "").start(Ticker.class, Integer.toString(LINES), "1");
        assertTrue(primary.awaitLines(LINES / 2, 60_000), primary::stderrSoFar);
        ForkedJvm.Result killed = primary.kill();
        ForkedJvm.Result tookOver = backup.await(60);
        assertEquals(0, tookOver.exit(), tookOver::toString);
        List<String> visible = joinWithoutDuplicates(killed, tookOver);
        ForkedJvm.Result replayed = ForkedJvm.replay(tmp.resolve("backup")).classPath(ForkedJvm.classesOf(Ticker.class))
            .run(Ticker.class, Integer.toString(LINES), "1");
        assertEquals(0, replayed.exit(), replayed::toString);
        assertEquals(visible, lines(replayed.stdout()), "the backup's journal replays the whole run");
        checkComplete(lines(replayed.stdout()));

        options = null;
        Path second = tmp.resolve("second");
        tmp = Files.createDirectories(second);
        ForkedJvm.Running backup2 = side("backup", "").start(Ticker.class, "100", "1");
        ForkedJvm.Result done = side("primary", "").run(Ticker.class, "100", "1");
        assertEquals(0, done.exit(), done::toString);
        ForkedJvm.Result followed = backup2.await(60);
        assertEquals(0, followed.exit(), followed::toString);
        ForkedJvm.Result primaryReplayed = ForkedJvm.replay(second.resolve("primary")).classPath(ForkedJvm.classesOf(Ticker.class))
            .run(Ticker.class, "100", "1");
        assertEquals(0, primaryReplayed.exit(), primaryReplayed::toString);
        assertEquals(done.stdout(), primaryReplayed.stdout(), "the primary's journal replays its output byte for byte");
    }

    /**
     * On one host a backup draws the very names of the primary's temporary files (recorded
     * randomness): it makes them in a directory of its own, so it neither finds them taken (a
     * divergence) nor shares the primary's files.
     */
    @Test
    void aBackupOnTheSameHostMakesItsTemporaryFilesApart() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared-tmp"));
        UnaryOperator<ForkedJvm> sameHost = jvm -> jvm.jvmOption("-Djava.io.tmpdir=" + shared)
            .classPath(ForkedJvm.classesOf(TempFiles.class));
        ForkedJvm.Running backup = sameHost.apply(side("backup", "")).start(TempFiles.class);
        ForkedJvm.Result primary = sameHost.apply(side("primary", "")).run(TempFiles.class);
        assertEquals(0, primary.exit(), primary::toString);
        ForkedJvm.Result followed = backup.await(60);
        assertEquals(0, followed.exit(), followed::toString);
        assertEquals("", followed.stderr());
        for (Path directory : List.of(shared, tmp.resolve("backup").resolve("tmp"))) {
            try (Stream<Path> files = Files.list(directory)) {
                assertEquals(3, files.count(), "two files and a directory in " + directory);
            }
        }
    }

    /**
     * A primary whose output outruns the link (Aeron pushes back on every thread that sends)
     * finishes with its backup: senders wait for the room the link thread's duty cycles make, and
     * the link thread never waits to send (it once waited for room only it could make: a hang).
     */
    @Test
    void anOutputHeavyPrimaryFinishesWithItsBackup() throws Exception {
        int lines = 200_000;
        ForkedJvm.Running backup = side("backup", "").start(OutputLatency.class, Integer.toString(lines), "0");
        ForkedJvm.Result primary = side("primary", "").run(OutputLatency.class, Integer.toString(lines), "0");
        assertEquals(0, primary.exit(), primary::toString);
        assertFalse(primary.stderr().contains("unprotected"), primary::toString);
        ForkedJvm.Result followed = backup.await(60);
        assertEquals(0, followed.exit(), followed::toString);
        List<String> printed = lines(primary.stdout());
        assertEquals(lines, printed.size());
        assertTrue(printed.stream().allMatch(line -> line.matches("t \\d+")), "every line whole");
    }

    /**
     * The primary's run has ended (the backup has the whole log) but its reader has not taken its
     * last lines when it is killed: the backup, which stays until the primary says its last
     * outputs are written, writes again those it was not told of.
     */
    @Test
    void killingThePrimaryWhileItWritesItsLastLinesLosesNone() throws Exception {
        int count = LAGGING_LINES;
        Pair pair = startWithAnUnreadPrimary();
        awaitTheEndOfTheRun(pair);
        ForkedJvm.Result killed = pair.primary().kill();
        ForkedJvm.Result followed = pair.backup().await(60);
        assertEquals(0, followed.exit(), followed::toString);
        assertFalse(followed.stderr().contains("this backup is live"), "the run had ended: nothing to go live for\n" + followed);
        assertTrue(followed.stderr().contains("the primary died as its run was ending"), followed::toString);
        int printed = lines(killed.stdout()).size();
        assertTrue(printed <= count, "the case under test: lines the primary did not write out");
        checkComplete(joinWithoutDuplicates(killed, followed), count);
        int repeated = printed + lines(followed.stdout()).size() - (count + 1);
        assertTrue(repeated < 100, "the backup wrote again only what the primary had not confirmed, not " + repeated + " lines more");
    }

    /**
     * A reader that stops reading near the end of the run: the primary gives up on it (5 s without
     * an output leaving) and tells the backup how far it got; the backup writes the rest.
     */
    @Test
    void linesThePrimaryGaveUpOnAreWrittenByTheBackup() throws Exception {
        Pair pair = startWithAnUnreadPrimary();
        ForkedJvm.Result followed = pair.backup().await(60); // once the primary has given up
        ForkedJvm.Result gaveUp = pair.primary().await(60); // (what its pipe holds is read now)
        assertEquals(0, gaveUp.exit(), gaveUp::toString);
        assertTrue(gaveUp.stderr().contains("the last outputs were not all written out"), gaveUp::toString);
        assertEquals(0, followed.exit(), followed::toString);
        assertTrue(followed.stderr().contains("gave up on a reader that did not read"), followed::toString);
        checkComplete(joinWithoutDuplicates(gaveUp, followed), LAGGING_LINES);
    }

    /**
     * A primary stopped (SIGSTOP, as a partition looks) while it writes its last lines to a slow
     * reader: the backup, which waits for it, finds it silent but holding the lock, so alive; it
     * leaves, saying so, without writing a line or going live.
     */
    @Test
    void aPrimaryStoppedAtTheEndOfItsRunIsLeftToFinishAlone() throws Exception {
        Pair pair = startWithAnUnreadPrimary();
        awaitTheEndOfTheRun(pair);
        pair.primary().signal("STOP");
        ForkedJvm.Result left = pair.backup().await(60);
        pair.primary().signal("CONT");
        ForkedJvm.Result finished = pair.primary().await(60);
        assertEquals(0, left.exit(), left::toString);
        assertTrue(left.stderr().contains("it finishes alone"), left::toString);
        assertFalse(left.stderr().contains("this backup is live"), left::toString);
        assertEquals("", left.stdout(), "the backup wrote nothing: the live primary's outputs are its own");
        assertEquals(0, finished.exit(), finished::toString);
    }

    /** A backup and a primary of Ticker's {@link #LAGGING_LINES} lines, at full speed; the primary's stdout unread until the test reads it. */
    private Pair startWithAnUnreadPrimary() throws IOException {
        String lines = Integer.toString(LAGGING_LINES);
        return new Pair(side("backup", "").start(Ticker.class, lines, "0"),
            side("primary", "").stdoutUnread().start(Ticker.class, lines, "0"));
    }

    private record Pair(ForkedJvm.Running backup, ForkedJvm.Running primary) { }

    /** Until the backup's status says the primary's run has ended (the backup has END), or the backup has left. */
    private void awaitTheEndOfTheRun(Pair pair) throws Exception {
        ForkedJvm.Running backup = pair.backup();
        ForkedJvm.Running primary = pair.primary();
        Path status = tmp.resolve("backup").resolve("lockstep-status");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!readIfThere(status).contains("primary_run_ended=true\n") && backup.alive()) { // (a backup that left at once: the caller fails)
            assertTrue(primary.alive() && System.nanoTime() - deadline < 0, () -> "the backup never saw the end of the primary's "
                + "run: " + primary.stderrSoFar() + backup.stderrSoFar());
            Thread.sleep(20);
        }
    }

    private static String readIfThere(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return "";
        }
    }

    /** SIGKILL of the backup: the primary drops the output rule within the timeout and finishes alone. */
    @Test
    void killingTheBackupLetsThePrimaryCarryOn() throws Exception {
        ForkedJvm.Running backup = side("backup", "").start(Ticker.class, Integer.toString(LINES), "2");
        ForkedJvm.Running primary = side("primary", "").start(Ticker.class, Integer.toString(LINES), "2");
        assertTrue(primary.awaitLines(50, 60_000), primary::stderrSoFar);
        backup.kill();
        ForkedJvm.Result alone = primary.await(60);
        assertEquals(0, alone.exit(), alone::toString);
        assertTrue(alone.stderr().contains("silent") && alone.stderr().contains("runs unprotected"), alone::toString);
        checkComplete(lines(alone.stdout()));
    }

    /** SIGSTOP of the backup (as a partition looks), then SIGCONT: the primary carries on alone, the stale backup stops. */
    @Test
    void aStoppedBackupIsDroppedAndNeverGoesLive() throws Exception {
        ForkedJvm.Running backup = side("backup", "").start(Ticker.class, Integer.toString(LINES), "5");
        ForkedJvm.Running primary = side("primary", "").start(Ticker.class, Integer.toString(LINES), "5");
        assertTrue(primary.awaitLines(30, 60_000), primary::stderrSoFar);
        backup.signal("STOP");
        int before = primary.stdoutLines();
        assertTrue(primary.awaitLines(before + 100, 20_000), () -> "the primary did not carry on: " + primary.stderrSoFar());
        backup.signal("CONT");
        ForkedJvm.Result stale = backup.await(60);
        assertEquals(6, stale.exit(), stale::toString);
        assertTrue(stale.stderr().contains("stale"), stale::toString);
        assertEquals("", stale.stdout(), "a stale backup must not go live");
        ForkedJvm.Result alone = primary.await(60);
        assertEquals(0, alone.exit(), alone::toString);
        checkComplete(lines(alone.stdout()));
    }

    /** SIGSTOP of the primary, then SIGCONT: the backup finds it silent but holding the lock, and stops; the primary carries on. */
    @Test
    void aStoppedPrimaryKeepsItsRoleAndTheBackupStops() throws Exception {
        ForkedJvm.Running backup = side("backup", "").start(Ticker.class, Integer.toString(LINES), "5");
        ForkedJvm.Running primary = side("primary", "").start(Ticker.class, Integer.toString(LINES), "5");
        assertTrue(primary.awaitLines(30, 60_000), primary::stderrSoFar);
        primary.signal("STOP");
        ForkedJvm.Result stale = backup.await(60);
        primary.signal("CONT");
        assertEquals(6, stale.exit(), stale::toString);
        assertTrue(stale.stderr().contains("still holds the arbiter lock"), stale::toString);
        assertEquals("", stale.stdout(), "the backup must not go live while the primary lives");
        ForkedJvm.Result alone = primary.await(60);
        assertEquals(0, alone.exit(), alone::toString);
        assertTrue(alone.stderr().contains("runs unprotected"), alone::toString);
        checkComplete(lines(alone.stdout()));
    }

    /** A backup whose application differs (one more jar on its class path) refuses to follow, saying what differs. */
    @Test
    void aBackupOfAnotherProgramIsRefused() throws Exception {
        ForkedJvm.Running backup = side("backup", "").classPath(ForkedJvm.IT_LIBS.resolve("asm-7.0.jar"))
            .start(Ticker.class, "50", "1");
        ForkedJvm.Running primary = side("primary", "").start(Ticker.class, "50", "1");
        ForkedJvm.Result refused = backup.await(60);
        assertEquals(4, refused.exit(), refused::toString);
        assertTrue(refused.stderr().contains("runs another program") && refused.stderr().contains("application"), refused::toString);
        assertEquals("", refused.stdout());
        ForkedJvm.Result alone = primary.await(60);
        assertEquals(0, alone.exit(), alone::toString);
        assertTrue(alone.stderr().contains("refused this primary"), alone::toString);
        checkComplete(lines(alone.stdout()), 50);
    }

    /** Datagrams that are not Lockstep's, sent to both endpoints while they run: ignored and counted, nothing breaks. */
    @Test
    void garbageDatagramsAreIgnored() throws Exception {
        ForkedJvm.Running backup = side("backup", "").start(Ticker.class, Integer.toString(LINES), "2");
        ForkedJvm.Running primary = side("primary", "").start(Ticker.class, Integer.toString(LINES), "2");
        assertTrue(primary.awaitLines(20, 60_000), primary::stderrSoFar);
        Random random = new Random(7);
        try (DatagramSocket socket = new DatagramSocket()) {
            for (String endpoint : List.of(endpoint("primary"), endpoint("backup"))) {
                int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
                for (int i = 0; i < 200; i++) {
                    byte[] garbage = new byte[1 + random.nextInt(1400)];
                    random.nextBytes(garbage);
                    socket.send(new DatagramPacket(garbage, garbage.length, InetAddress.getLoopbackAddress(), port));
                }
            }
        }
        ForkedJvm.Result done = primary.await(60);
        ForkedJvm.Result followed = backup.await(60);
        assertEquals(0, done.exit(), done::toString);
        assertEquals(0, followed.exit(), followed::toString);
        assertTrue(done.stderr().contains("ignored") && followed.stderr().contains("ignored"), () -> done + "\n" + followed);
        checkComplete(lines(done.stdout()));
        assertEquals("", followed.stdout(), "the backup's output is suppressed while the primary lives");
    }

    /**
     * Between outputs the link threads sleep until a datagram or a sender wakes them: on a host
     * shared with the application, a link thread that polls on a timer is a CPU hog the kernel
     * makes wait for a core when its datagram arrives (stop 14: 12-45% of a core each under load;
     * the backup's about a whole core while idle). A pair printing a line every 100 ms, once warm,
     * must leave them nearly idle (about 4% each here).
     */
    @Test
    void anIdlePairsLinkThreadsSleep() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/schedstat")), "needs Linux's /proc/<pid>/task/<tid>/schedstat");
        ForkedJvm.Running backup = side("backup", "").start(Ticker.class, "80", "100");
        ForkedJvm.Running primary = side("primary", "").start(Ticker.class, "80", "100");
        assertTrue(primary.awaitLines(40, 60_000), primary::stderrSoFar);
        long primaryBefore = linkThreadCpuNanos(primary.pid());
        long backupBefore = linkThreadCpuNanos(backup.pid());
        long startedNanos = System.nanoTime();
        Thread.sleep(2000);
        long primaryUsed = linkThreadCpuNanos(primary.pid()) - primaryBefore;
        long backupUsed = linkThreadCpuNanos(backup.pid()) - backupBefore;
        long elapsed = System.nanoTime() - startedNanos;
        ForkedJvm.Result primaryEnd = primary.await(60);
        ForkedJvm.Result backupEnd = backup.await(60);
        assertEquals(0, primaryEnd.exit(), primaryEnd::toString);
        assertEquals(0, backupEnd.exit(), backupEnd::toString);
        assertTrue(primaryUsed * 100 < elapsed * 15 && backupUsed * 100 < elapsed * 15, () -> "the link threads ran "
            + primaryUsed / 1_000_000 + " ms (primary) and " + backupUsed / 1_000_000 + " ms (backup) in " + elapsed / 1_000_000
            + " ms: more than 15% of a core");
    }

    /** Time on a CPU, in ns (schedstat: exact, where clock-tick accounting misjudges a thread that wakes on the tick), of the threads of {@code pid} named "lockstep-link". */
    private static long linkThreadCpuNanos(long pid) throws IOException {
        long nanos = 0;
        boolean found = false;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).trim().equals("lockstep-link")) {
                        nanos += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                        found = true;
                    }
                } catch (NoSuchFileException ended) {
                    // a thread that ended while listed (a compiler thread, an idle output writer)
                }
            }
        }
        assertTrue(found, "no lockstep-link thread in " + pid);
        return nanos;
    }

    private String endpoint(String side) {
        Matcher matcher = Pattern.compile(side + "=([^,]+)").matcher(options);
        assertTrue(matcher.find());
        return matcher.group(1);
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /**
     * The backup may repeat the primary's last lines (outputs whose release it never heard of),
     * but must start no later than the line after the primary's last, and agree where they overlap.
     */
    private static List<String> joinWithoutDuplicates(ForkedJvm.Result killed, ForkedJvm.Result tookOver) {
        List<String> primary = lines(killed.stdout());
        List<String> backup = lines(tookOver.stdout());
        // Both sides' stderr: the backup's says how many outputs it wrote again, the primary's what it warned of.
        Supplier<String> sides = () -> "\nprimary's stderr:\n" + killed.stderr() + "\nbackup's stderr:\n" + tookOver.stderr();
        assertFalse(backup.isEmpty(), () -> "the backup printed nothing after going live" + sides.get());
        int first = number(backup.get(0));
        assertTrue(first >= 1 && first <= primary.size() + 1, () -> "the backup resumed at line " + first + " but the primary had "
            + "printed " + primary.size() + ": lines are missing" + sides.get());
        List<String> joined = new ArrayList<>(primary.subList(0, first - 1));
        for (int i = first - 1; i < primary.size(); i++) {
            assertEquals(primary.get(i), backup.get(i - first + 1), "a repeated line differs");
        }
        joined.addAll(backup);
        return joined;
    }

    private static void checkComplete(List<String> lines) {
        checkComplete(lines, LINES);
    }

    /** Lines 1..count in order, from one run, each digest following from the lines before it, then the closing line. */
    private static void checkComplete(List<String> lines, int count) {
        assertEquals(count + 1, lines.size(), () -> "expected " + (count + 1) + " lines, got " + lines.size() + ": " + lines);
        long digest = 17;
        String run = null;
        for (int i = 0; i < count; i++) {
            String line = lines.get(i);
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches()) {
                fail("line " + (i + 1) + " is malformed: " + line);
            }
            assertEquals(i + 1, Integer.parseInt(matcher.group(1)), "line out of order: " + line);
            if (run == null) {
                run = matcher.group(2);
            }
            assertEquals(run, matcher.group(2), "a line from another run: " + line);
            String content = line.substring(0, line.lastIndexOf(" digest="));
            digest = digest * 31 + content.hashCode();
            assertEquals(Long.toHexString(digest), matcher.group(3), "the digest chain breaks at line " + (i + 1) + ": " + line);
        }
        assertEquals("done " + count + " lines digest=" + Long.toHexString(digest), lines.get(count));
    }

    private static int number(String line) {
        Matcher matcher = LINE.matcher(line);
        assertTrue(matcher.matches(), () -> "malformed line " + line);
        return Integer.parseInt(matcher.group(1));
    }
}
