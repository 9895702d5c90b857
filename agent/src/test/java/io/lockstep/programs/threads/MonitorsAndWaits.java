package io.lockstep.programs.threads;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** synchronized methods and blocks, wait/notify/notifyAll, timed waits, a bounded buffer. */
public final class MonitorsAndWaits {
    private final ArrayDeque<Integer> items = new ArrayDeque<>();
    private final List<String> log = new ArrayList<>();

    synchronized void put(int item) throws InterruptedException {
        while (items.size() == 2) {
            wait();
        }
        items.add(item);
        log.add(Thread.currentThread().getName() + "+" + item);
        notifyAll();
    }

    synchronized int take() throws InterruptedException {
        while (items.isEmpty()) {
            wait(50);
        }
        int item = items.remove();
        log.add(Thread.currentThread().getName() + "-" + item);
        notify();
        return item;
    }

    static synchronized void bump(int[] counter) {
        counter[0]++;
    }

    public static void main(String[] args) throws Exception {
        MonitorsAndWaits buffer = new MonitorsAndWaits();
        List<Thread> threads = new ArrayList<>();
        int[] sum = new int[1];
        for (int p = 0; p < 3; p++) {
            int base = p * 100;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 30; i++) {
                        buffer.put(base + i);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "producer" + p));
        }
        for (int c = 0; c < 2; c++) {
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 45; i++) {
                        int item = buffer.take();
                        synchronized (sum) {
                            sum[0] += item;
                        }
                        bump(sum);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "consumer" + c));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        Object gate = new Object();
        long before = System.nanoTime();
        synchronized (gate) {
            gate.wait(20); // nobody notifies: the timeout wakes it
        }
        System.out.println("timed wait returned after >= 20 ms: " + (System.nanoTime() - before >= 20_000_000));
        System.out.println("sum " + sum[0]);
        System.out.println(String.join(" ", buffer.log));
    }
}
