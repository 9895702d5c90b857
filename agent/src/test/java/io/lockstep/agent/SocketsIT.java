package io.lockstep.agent;

import io.lockstep.demo.kv.KvLoad;
import io.lockstep.demo.kv.KvServer;
import io.lockstep.demo.kv.NioKvServer;
import io.lockstep.log.Entry;
import io.lockstep.log.EntryKind;
import io.lockstep.log.JournalReader;
import io.lockstep.programs.sockets.ChannelEcho;
import io.lockstep.programs.sockets.EphemeralPortServer;
import io.lockstep.programs.sockets.RandomAcrossReads;
import io.lockstep.programs.sockets.HttpCalls;
import io.lockstep.programs.sockets.JdkHttpServer;
import io.lockstep.programs.sockets.SocketTimeouts;
import io.lockstep.programs.sockets.StoppedServer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sockets under record, replay and failover: real TCP on 127.0.0.1, the real agent jar, real
 * journals. The clients ({@link KvLoad}) run without the agent, as a server's clients would.
 */
class SocketsIT {
    private static final Pattern SUMMARY = Pattern.compile("acknowledged (\\d+) writes .* (\\d+) reconnect\\(s\\), (\\d+) lost");

    @TempDir
    Path tmp;

    /** A server session recorded with real clients replays offline with none: the same output, byte for byte. */
    @RepeatedTest(3)
    void aRecordedServerSessionReplaysWithoutAnyClient() throws Exception {
        replaysWithoutAnyClient(KvServer.class);
    }

    /** The same for a selector server: one thread, non-blocking channels. */
    @RepeatedTest(3)
    void aRecordedSelectorServerSessionReplaysWithoutAnyClient() throws Exception {
        replaysWithoutAnyClient(NioKvServer.class);
    }

    private void replaysWithoutAnyClient(Class<?> serverClass) throws Exception {
        int port = ForkedJvm.freeTcpPort();
        Path journal = tmp.resolve("server");
        ForkedJvm.Running server = ForkedJvm.record(journal).classPath(ForkedJvm.classesOf(serverClass))
            .start(serverClass, Integer.toString(port));
        ForkedJvm.Result load = client(port, 4, 150);
        assertEquals(0, load.exit(), load::toString);
        ForkedJvm.Result recorded = server.await(60);
        assertEquals(0, recorded.exit(), recorded::toString);
        assertEquals(602, recorded.stdout().lines().count(), recorded::toString);

        // The port is taken while the replay runs: a replay that bound it, or met a client, would show.
        try (ServerSocket squatter = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            ForkedJvm.Result replayed = ForkedJvm.replay(journal).classPath(ForkedJvm.classesOf(serverClass))
                .run(serverClass, Integer.toString(port));
            assertEquals(0, replayed.exit(), replayed::toString);
            assertEquals(recorded.stdout(), replayed.stdout(), "the replayed server prints what the recorded one did");
        }
    }

    /** Without the agent the same session prints other ids and times: the replay's sameness is not an accident. */
    @Test
    void withoutTheAgentTheServerOutputVaries() throws Exception {
        String first = plainSession();
        String second = plainSession();
        assertEquals(first.lines().count(), second.lines().count());
        assertNotEquals(first, second);
    }

    /**
     * The JDK's HTTP server (jdk.httpserver) and client (java.net.http: a selector thread, workers,
     * a connect timeout), each in a JVM of its own under the agent: both recorded, then each
     * replayed alone, with the port taken, and each prints what it did.
     */
    @RepeatedTest(3)
    void theJdksHttpServerAndClientRecordAndReplay() throws Exception {
        int port = ForkedJvm.freeTcpPort();
        Path serverJournal = tmp.resolve("http-server");
        Path clientJournal = tmp.resolve("http-client");
        String[] recorded = httpSession(port, ForkedJvm.record(serverJournal), ForkedJvm.record(clientJournal));
        try (ServerSocket squatter = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            ForkedJvm.Result server = ForkedJvm.replay(serverJournal).run(JdkHttpServer.class, Integer.toString(port), "9");
            assertEquals(0, server.exit(), server::toString);
            assertEquals(recorded[0], server.stdout(), "the replayed server prints what the recorded one did");
            ForkedJvm.Result client = ForkedJvm.replay(clientJournal).run(HttpCalls.class, Integer.toString(port));
            assertEquals(0, client.exit(), client::toString);
            assertEquals(recorded[1], client.stdout(), "the replayed client prints what the recorded one did");
        }
    }

    @Test
    void withoutTheAgentTheHttpSessionVaries() throws Exception {
        String[] first = httpSession(ForkedJvm.freeTcpPort(), ForkedJvm.plain(), ForkedJvm.plain());
        String[] second = httpSession(ForkedJvm.freeTcpPort(), ForkedJvm.plain(), ForkedJvm.plain());
        assertNotEquals(first[0], second[0], "the server's transcript varies");
        assertNotEquals(first[1], second[1], "the client's transcript varies");
    }

    /** Nine requests of {@link HttpCalls} to {@link JdkHttpServer}: the server's stdout and the client's. */
    private static String[] httpSession(int port, ForkedJvm serverJvm, ForkedJvm clientJvm) throws Exception {
        ForkedJvm.Running server = serverJvm.start(JdkHttpServer.class, Integer.toString(port), "9");
        assertTrue(server.awaitLines(1, 30_000), server::stderrSoFar);
        ForkedJvm.Result client = clientJvm.run(HttpCalls.class, Integer.toString(port));
        assertEquals(0, client.exit(), client::toString);
        assertEquals("", client.stderr(), client::toString);
        assertEquals(10, client.stdout().lines().count(), client::toString);
        ForkedJvm.Result served = server.await(60);
        assertEquals(0, served.exit(), served::toString);
        assertEquals("", served.stderr(), served::toString);
        assertEquals(11, served.stdout().lines().count(), served::toString);
        return new String[] {served.stdout(), client.stdout()};
    }

    /** NIO blocking channels, gathering writes and scattering reads, both ends in one program. */
    @RepeatedTest(3)
    void channelsRecordAndReplay() {
        differential(ChannelEcho.class, "60");
    }

    /** Two threads blocked in reads at once each keep their own ThreadLocalRandom across the read. */
    @RepeatedTest(3)
    void eachThreadKeepsItsOwnRandomnessAcrossABlockingRead() {
        differential(RandomAcrossReads.class);
    }

    /** SO_TIMEOUT on accept and read, and a reset: the timeouts happen where they happened. */
    @RepeatedTest(3)
    void timeoutsAndResetsRecordAndReplay() {
        differential(SocketTimeouts.class);
    }

    /**
     * Primary and backup of the key-value server on one host and one port; clients keep writing
     * while the primary is killed; they reconnect to the backup, which went live on the same
     * port, and every write that was acknowledged is there.
     */
    @RepeatedTest(3)
    void killingThePrimaryServerLosesNoAcknowledgedWrite() throws Exception {
        failoverLosesNoAcknowledgedWrite(KvServer.class);
    }

    @RepeatedTest(3)
    void killingThePrimarySelectorServerLosesNoAcknowledgedWrite() throws Exception {
        failoverLosesNoAcknowledgedWrite(NioKvServer.class);
    }

    private void failoverLosesNoAcknowledgedWrite(Class<?> serverClass) throws Exception {
        int port = ForkedJvm.freeTcpPort();
        LivePair pair = startLivePair(serverClass, port);
        ForkedJvm.Running backup = pair.backup();
        ForkedJvm.Running primary = pair.primary();
        ForkedJvm.Running load = ForkedJvm.plain().classPath(ForkedJvm.classesOf(KvLoad.class))
            .start(KvLoad.class, "127.0.0.1", Integer.toString(port), "4", "300", "30", "SHUTDOWN");
        assertTrue(primary.awaitLines(1 + 100, 60_000), primary::stderrSoFar);
        ForkedJvm.Result killed = primary.kill();
        ForkedJvm.Result loaded = load.await(120);
        assertEquals(0, loaded.exit(), loaded::toString);
        Matcher summary = SUMMARY.matcher(loaded.stdout());
        assertTrue(summary.find(), loaded::toString);
        assertEquals(1200, Integer.parseInt(summary.group(1)), loaded::toString);
        assertTrue(Integer.parseInt(summary.group(2)) >= 1, "the clients saw the failover: " + loaded);
        assertEquals(0, Integer.parseInt(summary.group(3)), loaded::toString);
        ForkedJvm.Result tookOver = backup.await(60);
        assertEquals(0, tookOver.exit(), tookOver::toString);
        assertTrue(tookOver.stderr().contains("this backup is live"), tookOver::toString);
        assertFalse(tookOver.stderr().contains("not all written out"), "the backup gone live wrote out all at its end: " + tookOver);
        assertTrue(killed.stdout().startsWith("listening on " + port), killed::toString);
        String lastLine = tookOver.stdout().lines().reduce((before, line) -> line).orElse("");
        assertTrue(lastLine.startsWith("served "), "the backup served on to the clients' SHUTDOWN: " + tookOver);

        // The backup's journal replays the whole run offline: the primary's lines up to where the backup
        // took over, then the backup's. Its acceptor was in an accept when it went live, and readers in reads,
        // which it made again for real.
        ForkedJvm.Result replayed = ForkedJvm.replay(tmp.resolve("b")).classPath(ForkedJvm.classesOf(serverClass))
            .run(serverClass, Integer.toString(port));
        assertEquals(0, replayed.exit(), replayed::toString);
        assertTrue(replayed.stdout().endsWith(tookOver.stdout()), "the replay ends with the backup's lines: " + replayed);
        String before = replayed.stdout().substring(0, replayed.stdout().length() - tookOver.stdout().length());
        assertTrue(killed.stdout().startsWith(before) && before.startsWith("listening on " + port),
            "the replay begins with the primary's lines: " + replayed);
    }

    /**
     * A server on a port the system picked (port 0) listens on the primary's port once its backup
     * goes live: its clients know no other (the backup once bound port 0 anew, and every
     * connection after the failover was refused).
     */
    @Test
    void aServerOnAnEphemeralPortKeepsThePrimarysPortAcrossAFailover() throws Exception {
        String options = ForkedJvm.liveOptions(tmp.resolve("lock"), 20000);
        ForkedJvm.Running backup = ForkedJvm.plain().agent("mode=backup,journal=" + tmp.resolve("b") + "," + options)
            .classPath(ForkedJvm.classesOf(EphemeralPortServer.class)).start(EphemeralPortServer.class, "150");
        ForkedJvm.Running primary = ForkedJvm.plain().agent("mode=primary,journal=" + tmp.resolve("p") + "," + options)
            .classPath(ForkedJvm.classesOf(EphemeralPortServer.class)).start(EphemeralPortServer.class, "150");
        assertTrue(primary.awaitLines(30, 60_000), primary::stderrSoFar);
        primary.kill();
        ForkedJvm.Result tookOver = backup.await(60);
        assertEquals(0, tookOver.exit(), tookOver::toString);
        assertTrue(tookOver.stderr().contains("this backup is live"), tookOver::toString);
        assertFalse(tookOver.stdout().contains("client error"), tookOver::toString);
        assertTrue(tookOver.stdout().contains(System.lineSeparator() + "149 got hello ")
            && tookOver.stdout().endsWith(System.lineSeparator() + "end" + System.lineSeparator()), tookOver::toString);
    }

    /**
     * A request's outputs (the server's line on stdout, then its reply) leave the primary in one
     * block: the server's thread drains the log at its next switch point (the read of the next
     * request), not at each output, so a request waits for one acknowledgement, not two. Drained
     * at each output (the build before this rule), the line's entry ended its block every time.
     */
    @Test
    void aRequestsOutputsLeaveThePrimaryInOneBlock() throws Exception {
        int port = ForkedJvm.freeTcpPort();
        LivePair pair = startLivePair(KvServer.class, port);
        ForkedJvm.Running backup = pair.backup();
        ForkedJvm.Running primary = pair.primary();
        ForkedJvm.Result loaded = ForkedJvm.plain().classPath(ForkedJvm.classesOf(KvLoad.class))
            .run(KvLoad.class, "127.0.0.1", Integer.toString(port), "1", "200", "30", "SHUTDOWN");
        assertEquals(0, loaded.exit(), loaded::toString);
        assertEquals(0, primary.await(60).exit(), primary::stderrSoFar);
        backup.await(60);

        int requests = 0;
        int inOneBlock = 0;
        java.util.Map<Integer, Integer> lineBlockByThread = new java.util.HashMap<>();
        try (JournalReader journal = JournalReader.open(tmp.resolve("p"))) {
            int blockNumber = 0;
            while (true) {
                if (!journal.hasBufferedEntry()) {
                    blockNumber++; // the next entry starts a block
                }
                Entry entry = journal.next();
                if (entry == null) {
                    break;
                }
                if (entry.kind() != EntryKind.OUTPUT) {
                    continue;
                }
                int stream = (int) (entry.readLong() >>> 32);
                if (stream == 1) {
                    lineBlockByThread.put(entry.threadId(), blockNumber);
                } else if (stream == 0) {
                    Integer lineBlock = lineBlockByThread.remove(entry.threadId());
                    if (lineBlock != null) {
                        requests++;
                        inOneBlock += lineBlock == blockNumber ? 1 : 0;
                    }
                }
            }
        }
        assertTrue(requests >= 200, "the SETs' lines and replies in the primary's journal: " + requests);
        assertTrue(inOneBlock >= requests * 8 / 10, inOneBlock + " of " + requests + " requests' outputs in one block");
    }

    /**
     * A client that stops reading holds up its own replies only, as without the agent: the
     * primary writes each connection's outputs in order, but no connection waits for another's
     * (one writer for all once left every client waiting behind the one that did not read).
     */
    @Test
    void aClientThatStopsReadingHoldsUpNoOtherClient() throws Exception {
        stalledClientHoldsUpNoOtherClient(KvServer.class);
    }

    /**
     * The same with one selector thread serving every connection: its writes never wait for a
     * backlog (without the agent they would return short, and the loop would go on), or the one
     * client that does not read would stop the server for all.
     */
    @Test
    void aClientThatStopsReadingHoldsUpNoOtherClientOfASelectorServer() throws Exception {
        stalledClientHoldsUpNoOtherClient(NioKvServer.class);
    }

    private void stalledClientHoldsUpNoOtherClient(Class<?> serverClass) throws Exception {
        int port = ForkedJvm.freeTcpPort();
        LivePair pair = startLivePair(serverClass, port);
        ForkedJvm.Running backup = pair.backup();
        ForkedJvm.Running primary = pair.primary();
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(64 * 1024); // no autotuning: the replies below overflow what the kernel buffers
            stalled.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Writer requests = new OutputStreamWriter(stalled.getOutputStream(), StandardCharsets.UTF_8);
            requests.write("SET big " + "x".repeat(64 * 1024) + "\n");
            for (int i = 0; i < 300; i++) {
                requests.write("GET big\n"); // ~19 MiB of replies, never read
            }
            requests.flush();
            assertTrue(primary.awaitLines(2, 60_000), primary::stderrSoFar); // "set big ...": the server is on it
            try (Socket other = new Socket(InetAddress.getLoopbackAddress(), port)) {
                other.setSoTimeout(20_000);
                BufferedReader replies = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
                Writer out = new OutputStreamWriter(other.getOutputStream(), StandardCharsets.UTF_8);
                for (int i = 0; i < 20; i++) {
                    out.write("SET k" + i + " v\n");
                    out.flush();
                    String reply;
                    try {
                        reply = replies.readLine();
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("another client's reply waited behind the stalled one's: " + primary.stderrSoFar(), e);
                    }
                    assertTrue(reply != null && reply.startsWith("OK "), "reply " + i + ": " + reply);
                }
                out.write("SHUTDOWN\n");
                out.flush();
                assertEquals("BYE", replies.readLine());
            }
        }
        ForkedJvm.Result served = primary.await(60);
        assertEquals(0, served.exit(), served::toString);
        assertTrue(served.stdout().lines().anyMatch(line -> line.startsWith("served 2 connection(s)")), served::toString);
        ForkedJvm.Result followed = backup.await(60);
        assertEquals(0, followed.exit(), "the backup followed to the end without diverging: " + followed);
        assertEquals("", followed.stdout(), "a backup's output is suppressed");
    }

    /**
     * A client that stops reading holds its writer back, as without the agent: once the replies
     * the primary keeps for that connection pass the lane's limit, the server thread's next write
     * waits (it does not read the next request) until the client reads, and nothing is lost. The
     * backup waits at the same point of its replay. Before this, the primary kept every reply in
     * memory, without a bound, and the server read on.
     */
    @Test
    void aClientThatStopsReadingHoldsItsWriterBackAsWithoutTheAgent() throws Exception {
        int port = ForkedJvm.freeTcpPort();
        ForkedJvm.Running plain = ForkedJvm.plain().classPath(ForkedJvm.classesOf(KvServer.class))
            .start(KvServer.class, Integer.toString(port));
        assertTrue(plain.awaitLines(1, 60_000), plain::stderrSoFar);
        stallThenRead(port, plain, null);
        assertEquals(0, plain.await(60).exit());

        port = ForkedJvm.freeTcpPort();
        LivePair pair = startLivePair(KvServer.class, port);
        ForkedJvm.Running backup = pair.backup();
        ForkedJvm.Running primary = pair.primary();
        stallThenRead(port, primary, tmp.resolve("p").resolve("lockstep-status"));
        ForkedJvm.Result served = primary.await(60);
        assertEquals(0, served.exit(), served::toString);
        ForkedJvm.Result followed = backup.await(60);
        assertEquals(0, followed.exit(), "the backup followed to the end without diverging: " + followed);
        assertEquals("", followed.stdout(), "a backup's output is suppressed");
    }

    /**
     * 300 replies of 64 KiB (19 MiB) that the client does not read for 3 s, a SET behind them,
     * then everything read. A primary's status file (if given) says meanwhile that a writer is held back.
     */
    private static void stallThenRead(int port, ForkedJvm.Running server, Path status) throws Exception {
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(64 * 1024); // no autotuning: the kernel buffers little of the replies
            stalled.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Writer requests = new OutputStreamWriter(stalled.getOutputStream(), StandardCharsets.UTF_8);
            String value = "x".repeat(64 * 1024);
            requests.write("SET big " + value + "\n");
            for (int i = 0; i < 300; i++) {
                requests.write("GET big\n");
            }
            requests.write("SET after v\nSHUTDOWN\n");
            requests.flush();
            assertTrue(server.awaitLines(2, 60_000), server::stderrSoFar); // "set big ...": the server is on it
            Thread.sleep(3000);
            if (status != null) {
                String facts = Files.readString(status);
                assertTrue(facts.contains("writers_held_back=1\n"), facts);
                Matcher backlog = Pattern.compile("largest_lane_backlog_bytes=(\\d+)").matcher(facts);
                assertTrue(backlog.find() && Long.parseLong(backlog.group(1)) > 2 << 20, facts);
            }
            assertTrue(server.stdoutSoFar().lines().noneMatch(line -> line.startsWith("set after ")),
                "the server read on past replies its client did not read: " + server.stdoutSoFar());
            BufferedReader replies = new BufferedReader(new InputStreamReader(stalled.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(replies.readLine().startsWith("OK "));
            for (int i = 0; i < 300; i++) {
                String reply = replies.readLine();
                assertTrue(reply != null && reply.startsWith("VALUE " + value + " "), "reply " + i + " is whole");
            }
            assertTrue(replies.readLine().startsWith("OK "));
            assertEquals("BYE", replies.readLine());
        }
        assertTrue(server.awaitLines(3, 60_000), server::stderrSoFar);
        assertTrue(server.stdoutSoFar().lines().anyMatch(line -> line.startsWith("set after ")), server::stdoutSoFar);
    }

    /**
     * A server stopped by SIGTERM while its threads wait in a select, an accept and a read: its
     * replay stops where the recording was stopped, and its threads' waits end there as the
     * recording's did (the hook closes the selector and the connection). Past the recording's end
     * they once went on for real on the replay's stand-in sockets, never bound or connected: the
     * accept failed at once (EINVAL) and the read with "not connected", lines the recording never printed.
     */
    @Test
    void aServerStoppedWhileItsThreadsWaitReplaysItsEndAsRecorded() throws Exception {
        Path journal = tmp.resolve("stopped");
        String[] ports = {Integer.toString(ForkedJvm.freeTcpPort()), Integer.toString(ForkedJvm.freeTcpPort())};
        ForkedJvm.Running server = ForkedJvm.record(journal).classPath(ForkedJvm.classesOf(StoppedServer.class))
            .start(StoppedServer.class, ports);
        assertTrue(server.awaitLines(1, 60_000), server::stderrSoFar);
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(ports[1]))) {
            client.getOutputStream().write('x');
            assertTrue(server.awaitLines(3, 60_000), server::stdoutSoFar);
            server.signal("TERM");
            ForkedJvm.Result recorded = server.await(60);
            assertEquals(143, recorded.exit(), recorded::toString);
            assertEquals(String.join(System.lineSeparator(), "listening", "accepted", "read 120",
                "selector closed", "read ended: java.net.SocketException: Socket closed", ""), recorded.stdout(), recorded::toString);
        }
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).classPath(ForkedJvm.classesOf(StoppedServer.class))
            .run(StoppedServer.class, ports);
        assertEquals(0, replayed.exit(), replayed::toString);
        assertTrue(replayed.stderr().contains("the replay stops there too"), replayed::toString);
        assertEquals(String.join(System.lineSeparator(), "listening", "accepted", "read 120",
            "selector closed", "read ended: java.net.SocketException: Socket closed", ""), replayed.stdout(), replayed::toString);
    }

    private void differential(Class<?> program, String... args) {
        Path journal = tmp.resolve("j" + System.nanoTime());
        ForkedJvm.Result recorded = ForkedJvm.record(journal).run(program, args);
        assertEquals(0, recorded.exit(), recorded::toString);
        assertEquals("", recorded.stderr(), recorded::toString);
        ForkedJvm.Result replayed = ForkedJvm.replay(journal).run(program, args);
        assertEquals(0, replayed.exit(), replayed::toString);
        assertEquals(recorded.stdout(), replayed.stdout(), "replay prints what the recording did");
        ForkedJvm.Result plain1 = ForkedJvm.plain().run(program, args);
        ForkedJvm.Result plain2 = ForkedJvm.plain().run(program, args);
        assertEquals(0, plain1.exit(), plain1::toString);
        assertNotEquals(plain1.stdout(), plain2.stdout(), "without the agent the program's output varies");
    }

    private String plainSession() throws Exception {
        int port = ForkedJvm.freeTcpPort();
        ForkedJvm.Running server = ForkedJvm.plain().classPath(ForkedJvm.classesOf(KvServer.class))
            .start(KvServer.class, Integer.toString(port));
        assertEquals(0, client(port, 2, 20).exit());
        ForkedJvm.Result done = server.await(60);
        assertEquals(0, done.exit(), done::toString);
        return done.stdout();
    }

    private static ForkedJvm.Result client(int port, int clients, int writes) {
        return ForkedJvm.plain().classPath(ForkedJvm.classesOf(KvLoad.class))
            .run(KvLoad.class, "127.0.0.1", Integer.toString(port), Integer.toString(clients), Integer.toString(writes), "30",
                "SHUTDOWN");
    }

    /** A backup and a primary of a server, both on {@code port}. */
    private record LivePair(ForkedJvm.Running backup, ForkedJvm.Running primary) {
    }

    /** Starts a backup, then a primary, of {@code server} on {@code port} (journals b and p), and waits for the primary's first line. */
    private LivePair startLivePair(Class<?> server, int port) throws Exception {
        String options = ForkedJvm.liveOptions(tmp.resolve("lock"), 20000);
        ForkedJvm.Running backup = ForkedJvm.plain().agent("mode=backup,journal=" + tmp.resolve("b") + "," + options)
            .classPath(ForkedJvm.classesOf(server)).start(server, Integer.toString(port));
        ForkedJvm.Running primary = ForkedJvm.plain().agent("mode=primary,journal=" + tmp.resolve("p") + "," + options)
            .classPath(ForkedJvm.classesOf(server)).start(server, Integer.toString(port));
        assertTrue(primary.awaitLines(1, 60_000), primary::stderrSoFar);
        return new LivePair(backup, primary);
    }
}
