package io.lockstep.agent;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unmodified servers from Maven Central as primary and backup on one host and one port, driven
 * by their own clients: SQL databases in network mode (H2, HSQLDB, Apache Derby) by their JDBC
 * drivers, a Redis-protocol server (ClauDB) by redis-cli, Jetty by HTTP GETs. The client writes
 * one by one (each acknowledged: a commit, an OK), the primary is killed with SIGKILL mid-stream,
 * the client reconnects to the same address and goes on; every acknowledged write must be there
 * at the end.
 */
class ThirdPartyServersIT {
    private static final int ROWS = 400;
    private static final int KILL_AFTER = 120;

    /** A server: its jars in it-libs (by name prefix), its main, how to start it on a port, and its JDBC URL. */
    private record Server(String name, List<String> jarPrefixes, String mainClass, String readyLine, String user) {
        String[] args(int port) {
            return switch (name) {
                case "h2", "h2-file" -> new String[] {"-tcp", "-tcpPort", Integer.toString(port), "-ifNotExists"};
                case "hsqldb" -> new String[] {"--database.0", "mem:lockstep", "--dbname.0", "lockstep", "--port",
                    Integer.toString(port), "--address", "127.0.0.1", "--silent", "false"};
                case "derby", "derby-file" -> new String[] {"start", "-p", Integer.toString(port), "-h", "127.0.0.1", "-noSecurityManager"};
                default -> throw new IllegalArgumentException(name);
            };
        }

        String url(int port) {
            return switch (name) {
                case "h2" -> "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:lockstep;DB_CLOSE_DELAY=-1";
                case "hsqldb" -> "jdbc:hsqldb:hsql://127.0.0.1:" + port + "/lockstep";
                case "derby" -> "jdbc:derby://127.0.0.1:" + port + "/memory:lockstep;create=true";
                // Files: H2's under the home directory, which both sides share on one host; Derby's
                // under its system home, the working directory (user.dir), which each side has its own.
                case "h2-file" -> "jdbc:h2:tcp://127.0.0.1:" + port + "/~/lockstep";
                case "derby-file" -> "jdbc:derby://127.0.0.1:" + port + "/lockstep;create=true";
                default -> throw new IllegalArgumentException(name);
            };
        }
    }

    private static final Server H2 = new Server("h2", List.of("h2-"), "org.h2.tools.Server", "TCP server running", "sa");
    private static final Server HSQLDB = new Server("hsqldb", List.of("hsqldb-"), "org.hsqldb.server.Server",
        "Startup sequence completed", "SA");
    /** Apache Derby's network server (DRDA); it writes derby.log in its working directory: each side has its own. */
    private static final Server DERBY = new Server("derby", List.of("derby-", "derbynet-", "derbyshared-", "derbytools-"),
        "org.apache.derby.drda.NetworkServerControl", "started and ready to accept connections", "app");

    private static final Server H2_FILE = new Server("h2-file", H2.jarPrefixes(), H2.mainClass(), H2.readyLine(), H2.user());
    private static final Server DERBY_FILE = new Server("derby-file", DERBY.jarPrefixes(), DERBY.mainClass(), DERBY.readyLine(),
        DERBY.user());

    @TempDir
    Path tmp;

    @RepeatedTest(2)
    void h2SurvivesTheDeathOfItsPrimary() throws Exception {
        survivesTheDeathOfItsPrimary(H2);
    }

    /**
     * Databases in files, on one host: the backup's replay once opened the very files the primary
     * had open (H2's under the home directory both share: locked, so the backup diverged at once
     * and the failover lost every row); a backup on its primary's host now keeps its own working
     * directory and gets a home directory of its own.
     */
    @RepeatedTest(2)
    void h2WithAFileDatabaseInTheHomeDirectorySurvivesTheDeathOfItsPrimary() throws Exception {
        survivesTheDeathOfItsPrimary(H2_FILE);
    }

    @RepeatedTest(1)
    void derbyWithADatabaseOnDiskSurvivesTheDeathOfItsPrimary() throws Exception {
        survivesTheDeathOfItsPrimary(DERBY_FILE);
    }

    @RepeatedTest(2)
    void hsqldbSurvivesTheDeathOfItsPrimary() throws Exception {
        survivesTheDeathOfItsPrimary(HSQLDB);
    }

    @RepeatedTest(2)
    void derbySurvivesTheDeathOfItsPrimary() throws Exception {
        survivesTheDeathOfItsPrimary(DERBY);
    }

    private void survivesTheDeathOfItsPrimary(Server server) throws Exception {
        int port = ForkedJvm.freeTcpPort();
        String options = ForkedJvm.liveOptions(tmp.resolve("lock"), 30000);
        ForkedJvm.Running backup = side(server, "backup", options).start(server.mainClass(), server.args(port));
        ForkedJvm.Running primary = side(server, "primary", options).start(server.mainClass(), server.args(port));
        try {
            awaitOutput(primary, server.readyLine());
            Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
            String url = server.url(port);
            Thread writer = new Thread(() -> insertAll(url, server.user(), acknowledged), "jdbc-writer");
            writer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (acknowledged.size() < KILL_AFTER && writer.isAlive() && System.nanoTime() - deadline < 0) {
                Thread.sleep(2);
            }
            assertTrue(acknowledged.size() >= KILL_AFTER, () -> "the primary took only " + acknowledged.size() + " rows: "
                + primary.stderrSoFar() + backup.stderrSoFar());
            primary.kill();
            writer.join(TimeUnit.SECONDS.toMillis(120));
            assertEquals(ROWS, acknowledged.size(), () -> "the client could not write everything: " + backup.stderrSoFar());
            Set<Integer> present = new HashSet<>();
            try (Connection connection = connect(url, server.user());
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT id FROM writes")) {
                while (rows.next()) {
                    present.add(rows.getInt(1));
                }
            }
            Set<Integer> lost = new HashSet<>(acknowledged);
            lost.removeAll(present);
            assertEquals(Set.of(), lost, "acknowledged rows missing after the failover");
            assertTrue(backup.stderrSoFar().contains("this backup is live"), backup::stderrSoFar);
        } finally {
            primary.kill();
            backup.kill();
        }
    }

    /**
     * Eclipse Jetty 12 from its own distribution (start.jar, a jetty.base with the http and deploy
     * modules and a static webapp), driven by an HTTP client: GETs go on while the primary is
     * killed; the backup goes live on the same port and serves the same page. Jetty makes its
     * start properties and its webapp's work directory as temporary files with random names: on
     * one host the backup draws the same names, and makes them in a directory of its own.
     */
    @RepeatedTest(2)
    void jettySurvivesTheDeathOfItsPrimary() throws Exception {
        int port = ForkedJvm.freeTcpPort();
        String options = ForkedJvm.liveOptions(tmp.resolve("lock"), 30000);
        Path home = ForkedJvm.IT_LIBS.resolve("jetty-home-" + System.getProperty("lockstep.jetty.version"));
        Path base = Files.createDirectories(tmp.resolve("jetty-base"));
        Files.createDirectories(base.resolve("start.d"));
        Files.writeString(base.resolve("start.d/server.ini"), "--modules=http,ee10-deploy\n");
        Path page = Files.createDirectories(base.resolve("webapps/ROOT")).resolve("index.html");
        Files.writeString(page, "served by jetty\n");
        Path shared = Files.createDirectories(tmp.resolve("shared-tmp"));
        String[] args = {"jetty.http.host=127.0.0.1", "jetty.http.port=" + port};
        ForkedJvm.Running[] sides = new ForkedJvm.Running[2];
        for (String mode : List.of("backup", "primary")) {
            ForkedJvm side = ForkedJvm.plain().agent("mode=" + mode + ",journal=" + tmp.resolve(mode) + "," + options)
                .directory(Files.createDirectories(tmp.resolve(mode + "-work"))).classPath(home.resolve("start.jar"))
                .jvmOption("-Djetty.home=" + home).jvmOption("-Djetty.base=" + base).jvmOption("-Djava.io.tmpdir=" + shared);
            sides[mode.equals("backup") ? 0 : 1] = side.start("org.eclipse.jetty.start.Main", args);
        }
        ForkedJvm.Running backup = sides[0];
        ForkedJvm.Running primary = sides[1];
        try {
            awaitOutput(primary, "Started oejs.Server");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                .timeout(Duration.ofSeconds(5)).build();
            int served = 0;
            int failed = 0;
            long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (served < 2 * KILL_AFTER && System.nanoTime() - giveUpAt < 0) {
                if (served == KILL_AFTER && primary.alive()) {
                    primary.kill();
                }
                try {
                    HttpResponse<String> response = client.send(get, HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, response.statusCode(), response::body);
                    assertEquals("served by jetty\n", response.body());
                    served++;
                } catch (IOException e) {
                    failed++; // the dead primary's connection, then no server until the backup listens
                    Thread.sleep(20);
                }
            }
            int requests = served;
            assertEquals(2 * KILL_AFTER, served, () -> "served " + requests + ": " + backup.stderrSoFar());
            assertTrue(failed < 200, "failed requests: " + failed);
            assertTrue(backup.stderrSoFar().contains("this backup is live"), backup::stderrSoFar);
            try (Stream<Path> files = Files.list(tmp.resolve("backup").resolve("tmp"))) {
                assertTrue(files.findAny().isPresent(), "the backup made its temporary files elsewhere");
            }
        } finally {
            primary.kill();
            backup.kill();
        }
    }

    /**
     * ClauDB, a Redis-protocol server in Java (Netty's NIO transport, an RxJava pipeline), driven
     * by Debian's {@code redis-cli}: one {@code SET} per client process, each acknowledged by its
     * {@code OK}; the primary is killed mid-stream, the client retries at the same address, and
     * every acknowledged key is there at the end. Needs redis-cli on the PATH (.ci/run installs
     * it); without it the test is skipped, saying so.
     */
    @RepeatedTest(2)
    void claudbSurvivesTheDeathOfItsPrimaryUnderRedisCli() throws Exception {
        Assumptions.assumeTrue(redisCliPresent(), "redis-cli is not installed (apt-get install redis-tools)");
        int port = ForkedJvm.freeTcpPort();
        String options = ForkedJvm.liveOptions(tmp.resolve("lock"), 30000);
        ForkedJvm.Running[] sides = new ForkedJvm.Running[2];
        for (String mode : List.of("backup", "primary")) {
            ForkedJvm side = ForkedJvm.plain().agent("mode=" + mode + ",journal=" + tmp.resolve(mode) + "," + options)
                .directory(Files.createDirectories(tmp.resolve(mode + "-work")));
            try (Stream<Path> jars = Files.list(ForkedJvm.IT_LIBS.resolve("claudb"))) {
                for (Path jar : (Iterable<Path>) jars.sorted()::iterator) {
                    side = side.classPath(jar);
                }
            }
            sides[mode.equals("backup") ? 0 : 1] = side.start("com.github.tonivade.claudb.Server", "-h", "127.0.0.1",
                "-p", Integer.toString(port));
        }
        ForkedJvm.Running backup = sides[0];
        ForkedJvm.Running primary = sides[1];
        try {
            awaitOutput(primary, "server started");
            Set<Integer> acknowledged = new HashSet<>();
            for (int id = 0; id < ROWS; id++) {
                if (id == KILL_AFTER) {
                    primary.kill();
                }
                long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!redisCli(port, "SET", "w:" + id, "row " + id).equals("OK")) {
                    assertTrue(System.nanoTime() - giveUpAt < 0, () -> "no server at port " + port + " for 60 s: "
                        + backup.stderrSoFar());
                    Thread.sleep(20);
                }
                acknowledged.add(id);
            }
            Set<Integer> present = new HashSet<>();
            for (String key : redisCli(port, "KEYS", "w:*").split("\n")) {
                present.add(Integer.parseInt(key.substring(2)));
            }
            Set<Integer> lost = new HashSet<>(acknowledged);
            lost.removeAll(present);
            assertEquals(Set.of(), lost, "acknowledged keys missing after the failover");
            assertEquals("row " + (KILL_AFTER - 1), redisCli(port, "GET", "w:" + (KILL_AFTER - 1)));
            assertTrue(backup.stderrSoFar().contains("this backup is live"), backup::stderrSoFar);
        } finally {
            primary.kill();
            backup.kill();
        }
    }

    /** One redis-cli command: its reply (raw), or "" if it could not get one (no server, a broken connection). */
    private static String redisCli(int port, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of("redis-cli", "--raw", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String reply = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "";
        }
        return process.exitValue() == 0 && !reply.startsWith("Could not connect") && !reply.startsWith("Error") ? reply : "";
    }

    private static boolean redisCliPresent() {
        try {
            return new ProcessBuilder("redis-cli", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** One side of the pair, in a working directory of its own (a server's files there are its own). */
    private ForkedJvm side(Server server, String mode, String options) throws IOException {
        // One home directory for both sides, as two processes of one user on one host have.
        ForkedJvm side = ForkedJvm.plain().agent("mode=" + mode + ",journal=" + tmp.resolve(mode) + "," + options)
            .directory(Files.createDirectories(tmp.resolve(mode + "-work")))
            .jvmOption("-Duser.home=" + Files.createDirectories(tmp.resolve("home")));
        for (String prefix : server.jarPrefixes()) {
            side = side.classPath(jar(prefix));
        }
        return side;
    }

    /** Inserts ROWS rows, each in its own commit; a broken connection is opened again and the row sent again. */
    private static void insertAll(String url, String user, Set<Integer> acknowledged) {
        Connection connection = null;
        try {
            for (int id = 0; id < ROWS; id++) {
                long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    try {
                        if (connection == null) {
                            connection = connect(url, user);
                            createTable(connection);
                        }
                        try (Statement statement = connection.createStatement()) {
                            statement.executeUpdate("INSERT INTO writes VALUES (" + id + ", 'row " + id + "')");
                        }
                        acknowledged.add(id);
                        break;
                    } catch (SQLException e) {
                        if (isDuplicate(e)) {
                            acknowledged.add(id); // the dead primary's last insert, which the backup had: it is there
                            break;
                        }
                        close(connection);
                        connection = null;
                        if (System.nanoTime() - giveUpAt > 0) {
                            throw new IllegalStateException("no server at " + url + " for 60 s", e);
                        }
                        Thread.sleep(20);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close(connection);
        }
    }

    /** CREATE TABLE IF NOT EXISTS where the dialect has it (not Derby's: there the table's being there is an error). */
    private static void createTable(Connection connection) throws SQLException {
        boolean derby = connection.getMetaData().getDatabaseProductName().contains("Derby");
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + (derby ? "" : "IF NOT EXISTS ") + "writes (id INT PRIMARY KEY, payload VARCHAR(64))");
        } catch (SQLException e) {
            if (!derby || !"X0Y32".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private static boolean isDuplicate(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("23"); // integrity constraint violation
    }

    /** Derby's client sends a password of at least one character even where nobody checks it. */
    private static Connection connect(String url, String user) throws SQLException {
        return DriverManager.getConnection(url, user, url.startsWith("jdbc:derby:") ? user : "");
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // broken already
            }
        }
    }

    /** Waits until the server says {@code line} on stdout or stderr (Jetty logs on stderr). */
    private static void awaitOutput(ForkedJvm.Running server, String line) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!server.stdoutSoFar().contains(line) && !server.stderrSoFar().contains(line)) {
            assertTrue(server.alive() && System.nanoTime() - deadline < 0, () -> "the server never said \"" + line + "\": "
                + server.stdoutSoFar() + server.stderrSoFar());
            Thread.sleep(10);
        }
    }

    private static Path jar(String prefix) throws IOException {
        try (Stream<Path> libs = Files.list(ForkedJvm.IT_LIBS)) {
            return libs.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + ForkedJvm.IT_LIBS));
        }
    }

}
