package io.lockstep.programs.sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * NIO blocking channels, both ends in one program: a server on an ephemeral port echoes each
 * message with its own clock reading; the client sends messages of random sizes through heap,
 * direct and gathering buffers, and reads the replies with a scattering read. The transcript
 * depends on the port, the time, the randomness and how the bytes happened to arrive.
 */
public final class ChannelEcho {
    private ChannelEcho() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            System.out.println("port " + (port > 0 ? "bound" : "missing") + ", " + (port % 7));
            Thread echo = new Thread(() -> serve(server), "echo");
            echo.start();
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                Random random = new Random();
                for (int i = 0; i < messages; i++) {
                    int size = 1 + random.nextInt(3000);
                    byte[] body = new byte[size];
                    random.nextBytes(body);
                    ByteBuffer header = ByteBuffer.allocateDirect(4).putInt(0, size);
                    client.write(new ByteBuffer[] {header, ByteBuffer.wrap(body)});
                    ByteBuffer replyHeader = ByteBuffer.allocate(12);
                    ByteBuffer replyBody = ByteBuffer.allocateDirect(size);
                    int reads = 0;
                    while (replyHeader.hasRemaining() || replyBody.hasRemaining()) {
                        if (client.read(new ByteBuffer[] {replyHeader, replyBody}) < 0) {
                            throw new IOException("the echo closed early");
                        }
                        reads++;
                    }
                    replyBody.flip();
                    int sum = 0;
                    while (replyBody.hasRemaining()) {
                        sum = sum * 31 + replyBody.get();
                    }
                    System.out.println("message " + i + ": " + size + " bytes, echoed at " + replyHeader.getLong(4)
                        + " in " + reads + " read(s), checksum " + Integer.toHexString(sum));
                }
            }
            echo.join();
        }
        System.out.println("done at " + System.currentTimeMillis());
    }

    private static void serve(ServerSocketChannel server) {
        try (SocketChannel peer = server.accept()) {
            ByteBuffer header = ByteBuffer.allocate(4);
            while (true) {
                header.clear();
                while (header.hasRemaining()) {
                    if (peer.read(header) < 0) {
                        System.out.println("echo: client closed");
                        return;
                    }
                }
                int size = header.getInt(0);
                ByteBuffer body = ByteBuffer.allocate(size);
                while (body.hasRemaining()) {
                    peer.read(body);
                }
                body.flip();
                ByteBuffer reply = ByteBuffer.allocate(12).putInt(size).putLong(System.nanoTime());
                reply.flip();
                while (reply.hasRemaining()) {
                    peer.write(reply);
                }
                while (body.hasRemaining()) {
                    peer.write(body);
                }
            }
        } catch (IOException e) {
            System.out.println("echo failed: " + e);
        }
    }
}
