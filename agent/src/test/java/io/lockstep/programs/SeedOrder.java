package io.lockstep.programs;

import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The main thread's first ThreadLocalRandom draw and its first secondary seed, in the order the
 * argument says ({@code generator-first} or {@code secondary-first}). In a real program that
 * order can be timing's: a contended ConcurrentHashMap seeds the thread's generator when another
 * thread happens to race it, and ConcurrentSkipListMap, LinkedTransferQueue and ForkJoinPool draw
 * secondary seeds. The log does not hold the arguments, so a test can record one order and
 * replay the other.
 */
public final class SeedOrder {
    private SeedOrder() {
    }

    public static void main(String[] args) {
        boolean secondaryFirst = args[0].equals("secondary-first");
        if (secondaryFirst) {
            drawSecondarySeed();
        }
        long first = ThreadLocalRandom.current().nextLong();
        if (!secondaryFirst) {
            drawSecondarySeed();
        }
        System.out.println("tlr " + first + " " + ThreadLocalRandom.current().nextLong());
    }

    /** An insert into a ConcurrentSkipListMap draws the thread's secondary seed (for the new node's index levels). */
    private static void drawSecondarySeed() {
        new ConcurrentSkipListMap<Integer, Integer>().put(1, 1);
    }
}
