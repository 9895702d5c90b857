package io.lockstep.programs.sockets;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A server that SIGTERM stops while its threads wait: a selector thread for connections on one
 * port, a blocking acceptor on another, and a reader on the connection that acceptor took. Its
 * shutdown hook closes the selector, then the connection; each thread says how its wait ended.
 * Args: the selector's port, the blocking acceptor's port.
 */
public final class StoppedServer {
    public static void main(String[] args) throws Exception {
        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
        channel.configureBlocking(false);
        Selector selector = Selector.open();
        channel.register(selector, SelectionKey.OP_ACCEPT);
        Thread selecting = new Thread(() -> select(selector, channel), "selecting");
        selecting.start();
        ServerSocket listener = new ServerSocket(Integer.parseInt(args[1]), 50, InetAddress.getLoopbackAddress());
        System.out.println("listening");
        Socket connection = listener.accept();
        System.out.println("accepted");
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try { // one thread at a time, so that the lines come in one order
                selector.close();
                selecting.join(5_000);
                connection.close();
                main.join(5_000);
            } catch (IOException | InterruptedException e) {
                System.out.println("hook: " + e);
            }
        }));
        InputStream in = connection.getInputStream();
        try {
            for (int b; (b = in.read()) >= 0; ) {
                System.out.println("read " + b);
            }
            System.out.println("end of stream");
        } catch (IOException e) {
            System.out.println("read ended: " + e);
        }
    }

    private static void select(Selector selector, ServerSocketChannel channel) {
        int failures = 0;
        try {
            while (failures < 5) {
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        SocketChannel accepted = channel.accept();
                        System.out.println(accepted == null ? "nothing to accept" : "selector accepted");
                        if (accepted != null) {
                            accepted.close();
                        }
                    } catch (IOException e) {
                        System.out.println("accept failed: " + e);
                        failures++;
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (ClosedSelectorException | IOException e) {
            System.out.println("selector closed");
        }
    }
}
