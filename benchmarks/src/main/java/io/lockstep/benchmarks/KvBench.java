package io.lockstep.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Closed-loop load ({@link ClosedLoop}) on the demo's key-value server: each connection sends
 * "SET key value" and waits for the reply. Usage: {@code KvBench HOST PORT CLIENTS SECONDS WARMUP LABEL}
 */
public final class KvBench {
    private KvBench() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        ClosedLoop.run(Integer.parseInt(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]), args.length > 5 ? args[5] : "",
            client -> {
                Socket socket = new Socket();
                socket.connect(server, 5000);
                socket.setTcpNoDelay(true);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
                return new ClosedLoop.Connection() {
                    @Override
                    public void request(long n) throws IOException {
                        out.write("SET b" + client + "-" + (n % 1000) + " value" + n + "\n");
                        out.flush();
                        if (in.readLine() == null) {
                            throw new IOException("the server closed the connection");
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        socket.close();
                    }
                };
            });
    }
}
