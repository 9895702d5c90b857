package io.lockstep.demo.kv;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The key-value server of {@link KvServer} (same protocol, same stdout log) on one thread: a
 * {@link Selector} over non-blocking channels, partial reads and writes buffered per connection.
 * Usage: {@code NioKvServer PORT}
 */
public final class NioKvServer {
    private final KvCommands commands = new KvCommands();
    private int connections;

    /** A connection's unparsed input and unsent output. */
    private static final class Peer {
        final StringBuilder input = new StringBuilder();
        ByteBuffer output = ByteBuffer.allocate(0);
        boolean closeWhenSent;
    }

    private NioKvServer() {
    }

    public static void main(String[] args) throws IOException {
        new NioKvServer().serve(Integer.parseInt(args[0]));
    }

    private void serve(int port) throws IOException {
        try (Selector selector = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(port));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("listening on " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            ByteBuffer readBuffer = ByteBuffer.allocate(4096);
            while (!commands.shutdownRequested() || !selector.keys().isEmpty()) {
                selector.select(200);
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        SocketChannel client = server.accept();
                        if (client != null) {
                            client.configureBlocking(false);
                            client.register(selector, SelectionKey.OP_READ, new Peer());
                            connections++;
                        }
                        continue;
                    }
                    SocketChannel channel = (SocketChannel) key.channel();
                    Peer peer = (Peer) key.attachment();
                    try {
                        if (key.isReadable()) {
                            readBuffer.clear();
                            int n = channel.read(readBuffer);
                            if (n < 0) {
                                channel.close();
                                continue;
                            }
                            peer.input.append(new String(readBuffer.array(), 0, n, StandardCharsets.UTF_8));
                            handleLines(peer);
                        }
                        if (peer.output.hasRemaining()) {
                            channel.write(peer.output);
                        }
                        if (peer.output.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        } else if (peer.closeWhenSent) {
                            channel.close();
                        } else {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } catch (IOException e) {
                        System.out.println("a connection failed: " + e.getMessage());
                        channel.close();
                    }
                }
                if (commands.shutdownRequested()) {
                    server.close();
                }
            }
        }
        System.out.println("served " + connections + " connection(s), " + commands.size() + " key(s)");
    }

    private void handleLines(Peer peer) {
        int end;
        StringBuilder replies = new StringBuilder();
        while ((end = peer.input.indexOf("\n")) >= 0) {
            String line = peer.input.substring(0, end);
            peer.input.delete(0, end + 1);
            String reply = commands.execute(line);
            replies.append(reply).append('\n');
            if (reply.equals("BYE")) {
                peer.closeWhenSent = true;
                break;
            }
        }
        if (replies.length() > 0) {
            byte[] bytes = replies.toString().getBytes(StandardCharsets.UTF_8);
            ByteBuffer joined = ByteBuffer.allocate(peer.output.remaining() + bytes.length);
            joined.put(peer.output).put(bytes).flip();
            peer.output = joined;
        }
    }
}
