package io.lockstep.programs;

import java.util.ArrayList;
import java.util.List;

/** What a program learns of its heap: what the garbage collector and the JVM's flags decide. */
public final class Memory {
    public static void main(String[] args) {
        Runtime runtime = Runtime.getRuntime();
        List<byte[]> kept = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 2_000; i++) {
                byte[] garbage = new byte[1024 + i];
                if (i % 100 == 0) {
                    kept.add(garbage);
                }
            }
            long total = runtime.totalMemory();
            long free = runtime.freeMemory();
            System.out.println("round " + round + ": used " + (total - free) + " of " + total + ", free " + free
                + ", max " + runtime.maxMemory() + ", kept " + kept.size());
        }
    }
}
