package io.lockstep.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Closed-loop JDBC load ({@link ClosedLoop}): each connection inserts rows, one commit each.
 * Usage: {@code JdbcBench URL USER CLIENTS SECONDS WARMUP LABEL}
 */
public final class JdbcBench {
    private JdbcBench() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        try (Connection setup = DriverManager.getConnection(url, user, "");
             Statement statement = setup.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS bench (client INT, n BIGINT, payload VARCHAR(64), PRIMARY KEY (client, n))");
        }
        ClosedLoop.run(Integer.parseInt(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]), args.length > 5 ? args[5] : "",
            client -> {
                Connection connection = DriverManager.getConnection(url, user, "");
                PreparedStatement insert = connection.prepareStatement("INSERT INTO bench VALUES (?, ?, ?)");
                return new ClosedLoop.Connection() {
                    @Override
                    public void request(long n) throws SQLException {
                        insert.setInt(1, client);
                        insert.setLong(2, n);
                        insert.setString(3, "row " + n);
                        insert.executeUpdate();
                    }

                    @Override
                    public void close() throws SQLException {
                        connection.close();
                    }
                };
            });
    }
}
