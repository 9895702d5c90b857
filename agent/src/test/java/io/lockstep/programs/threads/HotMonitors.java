package io.lockstep.programs.threads;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Synchronized blocks hot enough for the JIT: one plain, one with a path that throws out of the
 * block, and ConcurrentHashMap's put (a synchronized block in the JDK's own code).
 */
public final class HotMonitors {
    private static final Object LOCK = new Object();
    private static long total;

    static void add(int value) {
        synchronized (LOCK) {
            total += value;
        }
    }

    static void addChecked(int value) {
        synchronized (LOCK) {
            if (value < 0) {
                throw new IllegalArgumentException("negative: " + value);
            }
            total += value;
        }
    }

    public static void main(String[] args) {
        ConcurrentHashMap<Integer, Integer> map = new ConcurrentHashMap<>();
        for (int i = 0; i < 300_000; i++) {
            add(i & 7);
            addChecked(i & 3);
            map.put(i & 1023, i);
        }
        System.out.println("total " + total + ", " + map.size() + " keys");
    }
}
