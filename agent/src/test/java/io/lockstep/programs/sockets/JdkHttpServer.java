package io.lockstep.programs.sockets;

import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK's own HTTP server (jdk.httpserver: a dispatcher thread on a selector, a pool of four
 * handlers) on 127.0.0.1:{@code args[0]}; it answers {@code args[1]} requests, each with a
 * count, a random id and the time, prints what it served, and stops.
 */
public final class JdkHttpServer {
    private JdkHttpServer() {
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(args[1]);
        CountDownLatch served = new CountDownLatch(requests);
        AtomicInteger count = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 50);
        ExecutorService handlers = Executors.newFixedThreadPool(4);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String answer = exchange.getRequestMethod() + " " + exchange.getRequestURI() + " #" + count.incrementAndGet() + " "
                + UUID.randomUUID().toString().substring(0, 8) + " " + System.nanoTime() % 1000;
            System.out.println("served " + answer + " for \"" + body + "\"");
            byte[] bytes = (answer + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
            served.countDown();
        });
        server.start();
        System.out.println("listening");
        served.await();
        server.stop(0);
        handlers.shutdown();
        System.out.println("served " + count.get() + " requests");
    }
}
