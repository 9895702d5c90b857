package io.lockstep.programs.sockets;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * java.net sockets with SO_TIMEOUT on accept and on read, and a connection the peer resets:
 * how many timeouts happen depends on the machine's timing; the transcript says how many.
 */
public final class SocketTimeouts {
    private SocketTimeouts() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(30);
            int acceptTimeouts = 0;
            Thread client = new Thread(() -> slowClient(server.getLocalPort()), "client");
            client.start();
            Socket accepted = null;
            while (accepted == null) {
                try {
                    accepted = server.accept();
                } catch (SocketTimeoutException e) {
                    acceptTimeouts++;
                }
            }
            // The whole port: its last two digits alone matched in two plain runs once (the test
            // that shows the output varies without the agent failed).
            System.out.println("listening on ephemeral port " + server.getLocalPort() + ", accepted after "
                + acceptTimeouts + " timeouts");
            try (Socket peer = accepted) {
                peer.setSoTimeout(20);
                InputStream in = peer.getInputStream();
                int readTimeouts = 0;
                StringBuilder text = new StringBuilder();
                while (true) {
                    int b;
                    try {
                        b = in.read();
                    } catch (SocketTimeoutException e) {
                        readTimeouts++;
                        continue;
                    } catch (java.net.SocketException e) {
                        System.out.println("read ended: " + e.getMessage());
                        break;
                    }
                    if (b < 0) {
                        System.out.println("read ended: EOF");
                        break;
                    }
                    text.append((char) b);
                }
                System.out.println("read \"" + text + "\" with " + readTimeouts + " read timeouts");
            }
            client.join();
        }
    }

    private static void slowClient(int port) {
        try {
            Thread.sleep(100);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = socket.getOutputStream();
                for (char c : "slow".toCharArray()) {
                    Thread.sleep(45);
                    out.write(c);
                    out.flush();
                }
                socket.setSoLinger(true, 0); // close with a reset
            }
        } catch (Exception e) {
            System.out.println("client failed: " + e);
        }
    }
}
