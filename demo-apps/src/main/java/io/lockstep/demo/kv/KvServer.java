package io.lockstep.demo.kv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

import java.io.Writer;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A thread-per-connection key-value server on blocking sockets: a synchronized map, each write
 * stamped with the time and a random id. One request per line:
 * <pre>
 *   SET key value   -> OK id          (the value is stored with its id and time)
 *   GET key         -> VALUE value id time | NONE
 *   COUNT           -> COUNT n
 *   QUIT            -> BYE, and the connection closes
 *   SHUTDOWN        -> BYE, and the server exits once every connection is closed
 * </pre>
 * It logs each write on stdout ("set key id time"), so two runs differ unless replayed.
 * Usage: {@code KvServer PORT}
 */
public final class KvServer {
    private final KvCommands commands = new KvCommands();
    private int connections;

    private KvServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = Integer.parseInt(args[0]);
        new KvServer().serve(port);
    }

    private void serve(int port) throws IOException, InterruptedException {
        try (ServerSocket server = new ServerSocket(port)) {
            System.out.println("listening on " + server.getLocalPort());
            server.setSoTimeout(200); // to notice a shutdown between clients
            while (!commands.shutdownRequested()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (java.net.SocketTimeoutException e) {
                    continue;
                }
                int number;
                synchronized (this) {
                    number = ++connections;
                }
                Thread handler = new Thread(() -> handle(client, number), "client-" + number);
                handler.start();
            }
        }
        synchronized (this) {
            System.out.println("served " + connections + " connection(s), " + commands.size() + " key(s)");
        }
    }

    private void handle(Socket client, int number) {
        try (Socket socket = client;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             Writer out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String reply = commands.execute(line);
                out.write(reply);
                out.write('\n');
                out.flush();
                if (reply.equals("BYE")) {
                    break;
                }
            }
        } catch (IOException e) {
            System.out.println("connection " + number + " failed: " + e.getMessage());
        }
    }
}
