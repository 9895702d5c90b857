package io.lockstep.programs.sockets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A server on a port the system picks (port 0) and, in the same program, a client that connects
 * to it again and again (args[0] times, 20 ms apart), knowing only the port the server was given.
 */
public final class EphemeralPortServer {
    private EphemeralPortServer() {
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        Thread acceptor = new Thread(() -> {
            for (int served = 0; ; served++) {
                try (Socket client = server.accept()) {
                    client.getOutputStream().write(("hello " + served + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    System.out.println("accept failed: " + e);
                    return;
                }
            }
        }, "acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        for (int i = 0; i < connections; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                System.out.println(i + " got " + in.readLine());
            } catch (IOException e) {
                System.out.println(i + " client error " + e);
            }
            Thread.sleep(20);
        }
        System.out.println("end");
    }
}
