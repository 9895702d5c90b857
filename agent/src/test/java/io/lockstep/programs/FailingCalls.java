package io.lockstep.programs;

import java.security.SecureRandom;
import java.util.Arrays;

/** Intercepted calls that throw, and a DRBG reseeded between draws: the exceptions are the application's. */
public final class FailingCalls {
    public static void main(String[] args) throws Exception {
        try {
            System.getenv(null);
        } catch (NullPointerException e) {
            System.out.println("getenv(null) threw " + e.getClass().getSimpleName());
        }
        try {
            new SecureRandom().nextBytes(null);
        } catch (RuntimeException e) {
            System.out.println("nextBytes(null) threw " + e.getClass().getSimpleName());
        }
        SecureRandom drbg = SecureRandom.getInstance("DRBG");
        byte[] bytes = new byte[8];
        drbg.nextBytes(bytes);
        drbg.reseed();
        drbg.nextBytes(bytes);
        System.out.println("drbg " + Arrays.toString(bytes) + " at " + System.nanoTime());
    }
}
