package io.lockstep.programs;

import java.util.Random;

/** Asks for a clock or for a random seed depending on its argument: replayed with the other, it diverges. */
public final class Branching {
    public static void main(String[] args) {
        System.out.println("start");
        if (args[0].equals("clock")) {
            System.out.println("clock " + System.currentTimeMillis());
        } else {
            System.out.println("random " + new Random().nextInt());
        }
    }
}
