package io.lockstep.programs.sockets;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two threads, each with its own ThreadLocalRandom in use, block in socket reads at the same
 * time; main answers them one after the other. Each thread's numbers after its read must go on
 * from its own generator: a recording that kept one thread's generator state across its read in
 * a place the other thread's read overwrote gave the first thread the second's numbers, which a
 * replay (that does not read for real) did not.
 */
public final class RandomAcrossReads {
    private RandomAcrossReads() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int readers = 2;
            CountDownLatch drawn = new CountDownLatch(readers);
            Thread[] threads = new Thread[readers];
            long[][] numbers = new long[readers][2];
            for (int i = 0; i < readers; i++) {
                int reader = i;
                threads[i] = new Thread(() -> {
                    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                        numbers[reader][0] = ThreadLocalRandom.current().nextLong();
                        drawn.countDown();
                        InputStream in = socket.getInputStream();
                        in.read(); // blocks until main answers this reader
                        numbers[reader][1] = ThreadLocalRandom.current().nextLong();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "reader-" + i);
                threads[i].start();
            }
            Socket[] accepted = new Socket[readers];
            for (int i = 0; i < readers; i++) {
                accepted[i] = server.accept();
            }
            drawn.await();
            Thread.sleep(50); // both readers are in their read by now, in the recording at least
            for (Socket socket : accepted) {
                OutputStream out = socket.getOutputStream();
                out.write(1);
                out.flush();
                Thread.sleep(20);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            for (Socket socket : accepted) {
                socket.close();
            }
            for (int i = 0; i < readers; i++) {
                System.out.println("reader " + i + " before its read " + numbers[i][0] + ", after " + numbers[i][1]);
            }
        }
    }
}
