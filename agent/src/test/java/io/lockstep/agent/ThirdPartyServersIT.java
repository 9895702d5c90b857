package io.lockstep.agent;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unmodified SQL database servers from Maven Central, in network mode, as primary and backup on
 * one host and one port, driven by their own JDBC clients: the client inserts rows one by one
 * (each acknowledged by its commit), the primary is killed with SIGKILL mid-stream, the client
 * reconnects to the same address and goes on; every acknowledged row must be there at the end.
 */
class ThirdPartyServersIT {
    private static final int ROWS = 400;
    private static final int KILL_AFTER = 120;

    /** A server: its jar in it-libs, its main, how to start it on a port, and its JDBC URL. */
    private record Server(String jarPrefix, String mainClass, String readyLine, String user) {
        String[] args(int port) {
            return switch (jarPrefix) {
                case "h2-" -> new String[] {"-tcp", "-tcpPort", Integer.toString(port), "-ifNotExists"};
                case "hsqldb-" -> new String[] {"--database.0", "mem:lockstep", "--dbname.0", "lockstep", "--port",
                    Integer.toString(port), "--address", "127.0.0.1", "--silent", "false"};
                default -> throw new IllegalArgumentException(jarPrefix);
            };
        }

        String url(int port) {
            return switch (jarPrefix) {
                case "h2-" -> "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:lockstep;DB_CLOSE_DELAY=-1";
                case "hsqldb-" -> "jdbc:hsqldb:hsql://127.0.0.1:" + port + "/lockstep";
                default -> throw new IllegalArgumentException(jarPrefix);
            };
        }
    }

    private static final Server H2 = new Server("h2-", "org.h2.tools.Server", "TCP server running", "sa");
    private static final Server HSQLDB = new Server("hsqldb-", "org.hsqldb.server.Server", "Startup sequence completed", "SA");

    @TempDir
    Path tmp;

    @RepeatedTest(2)
    void h2SurvivesTheDeathOfItsPrimary() throws Exception {
        survivesTheDeathOfItsPrimary(H2);
    }

    @RepeatedTest(2)
    void hsqldbSurvivesTheDeathOfItsPrimary() throws Exception {
        survivesTheDeathOfItsPrimary(HSQLDB);
    }

    private void survivesTheDeathOfItsPrimary(Server server) throws Exception {
        int port = ForkedJvm.freeTcpPort();
        String options = ForkedJvm.liveOptions(tmp.resolve("lock"), 30000);
        Path jar = jar(server.jarPrefix());
        ForkedJvm.Running backup = ForkedJvm.plain().agent("mode=backup,journal=" + tmp.resolve("b") + "," + options)
            .classPath(jar).start(server.mainClass(), server.args(port));
        ForkedJvm.Running primary = ForkedJvm.plain().agent("mode=primary,journal=" + tmp.resolve("p") + "," + options)
            .classPath(jar).start(server.mainClass(), server.args(port));
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
                            try (Statement statement = connection.createStatement()) {
                                statement.execute("CREATE TABLE IF NOT EXISTS writes (id INT PRIMARY KEY, payload VARCHAR(64))");
                            }
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

    private static boolean isDuplicate(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("23"); // integrity constraint violation
    }

    private static Connection connect(String url, String user) throws SQLException {
        return DriverManager.getConnection(url, user, "");
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

    private static void awaitOutput(ForkedJvm.Running server, String line) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!server.stdoutSoFar().contains(line)) {
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
