package io.lockstep.programs.threads;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Virtual threads (JDK 21+, reached by reflection: the tests compile for 17): a virtual thread
 * named by its builder and inheriting no thread-locals; a virtual thread per task with sleeps, a
 * lock and a monitor; a hand-off through a SynchronousQueue; a socket
 * served and read by virtual threads. What they print depends on how they interleave. Prints
 * "no virtual threads" and ends on a JDK without them.
 */
public final class VirtualThreads {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Object MONITOR = new Object();
    private static final StringBuffer ORDER = new StringBuffer();
    private static final InheritableThreadLocal<String> INHERITED = new InheritableThreadLocal<>();
    private static int racy;

    private VirtualThreads() {
    }

    public static void main(String[] args) throws Exception {
        ExecutorService perTask;
        ThreadFactory factory;
        try {
            perTask = (ExecutorService) java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
                .invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            builderType.getMethod("name", String.class, long.class).invoke(builder, "virtual-", 1L);
            builderType.getMethod("inheritInheritableThreadLocals", boolean.class).invoke(builder, false);
            factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
        } catch (NoSuchMethodException e) {
            System.out.println("no virtual threads");
            return;
        }
        INHERITED.set("main's");
        Thread named = factory.newThread(() -> System.out.println("a virtual thread named " + Thread.currentThread().getName()
            + ", daemon " + Thread.currentThread().isDaemon() + ", inherited " + INHERITED.get()));
        named.start();
        named.join();
        for (int task = 0; task < 40; task++) {
            int id = task;
            perTask.submit(() -> {
                sleepQuietly(ThreadLocalRandom.current().nextInt(3));
                for (int i = 0; i < 200; i++) {
                    if (id % 2 == 0) {
                        LOCK.lock();
                        try {
                            racy++;
                        } finally {
                            LOCK.unlock();
                        }
                    } else {
                        synchronized (MONITOR) {
                            racy++;
                        }
                    }
                    if (i % 50 == 0) {
                        Thread.yield();
                    }
                }
                ORDER.append(id).append(' ');
            });
        }
        ((AutoCloseable) perTask).close(); // waits for every task
        System.out.println("tasks ended in the order " + ORDER + "; counter " + racy);

        SynchronousQueue<String> handOff = new SynchronousQueue<>();
        StringBuilder taken = new StringBuilder();
        Thread consumer = factory.newThread(() -> {
            try {
                for (int i = 0; i < 10; i++) {
                    taken.append(handOff.take()).append('@').append(System.nanoTime() % 7).append(' ');
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        for (int i = 0; i < 10; i++) {
            handOff.put("item" + i);
        }
        consumer.join();
        System.out.println("handed off " + taken);

        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread serving = factory.newThread(() -> serve(server));
            serving.start();
            long started = System.nanoTime();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                DataInputStream in = new DataInputStream(socket.getInputStream());
                for (int i = 0; i < 5; i++) {
                    out.writeUTF("ping " + i);
                    System.out.println("echo: " + in.readUTF());
                }
            }
            serving.join();
            System.out.println("echoed in " + (System.nanoTime() - started) / 1000 % 1000 + " us mod 1000");
        }
    }

    private static void serve(ServerSocket server) {
        try (Socket peer = server.accept()) {
            DataInputStream in = new DataInputStream(peer.getInputStream());
            DataOutputStream out = new DataOutputStream(peer.getOutputStream());
            for (int i = 0; i < 5; i++) {
                out.writeUTF(in.readUTF() + " at " + System.currentTimeMillis() % 1000);
            }
        } catch (java.io.IOException e) {
            System.out.println("serving failed: " + e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
