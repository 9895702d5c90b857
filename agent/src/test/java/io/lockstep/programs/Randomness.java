package io.lockstep.programs;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** Every way to get randomness, directly and through the JDK. */
public final class Randomness {
    public static void main(String[] args) throws Exception {
        System.out.println("random " + new Random().nextLong() + " " + Arrays.toString(new Random().ints(3).toArray()));
        System.out.println("math " + Math.random() + " " + Math.random());
        System.out.println("tlr " + ThreadLocalRandom.current().nextInt() + " " + ThreadLocalRandom.current().nextDouble());
        SplittableRandom splittable = new SplittableRandom();
        System.out.println("splittable " + splittable.nextLong() + " " + splittable.split().nextInt());
        System.out.println("secure " + new SecureRandom().nextLong());
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        System.out.println("secure bytes " + Arrays.toString(bytes));
        System.out.println("secure seed " + Arrays.toString(new SecureRandom().generateSeed(4)));
        System.out.println("strong " + SecureRandom.getInstanceStrong().nextInt());
        System.out.println("uuid " + UUID.randomUUID() + " " + UUID.randomUUID());
        List<Integer> deck = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            deck.add(i);
        }
        Collections.shuffle(deck);
        System.out.println("shuffle " + deck);
        System.out.println("generator " + RandomGenerator.getDefault().nextInt());
        System.out.println("seeded " + new Random(42).nextInt());
    }
}
