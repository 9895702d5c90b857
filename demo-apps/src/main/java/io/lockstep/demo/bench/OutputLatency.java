package io.lockstep.demo.bench;

import java.io.PrintStream;
import java.util.concurrent.locks.LockSupport;

/**
 * Prints {@code LINES} lines "t NANOTIME", each stamped with System.nanoTime() just before it is
 * written, {@code PAUSE_MICROS} apart: a reader on the same host (which shares the monotonic
 * clock) sees how long each line took to reach it. With a pause of 0 it is an output-heavy
 * single-threaded program. Usage: {@code OutputLatency LINES PAUSE_MICROS}
 */
public final class OutputLatency {
    private OutputLatency() {
    }

    public static void main(String[] args) {
        int lines = Integer.parseInt(args[0]);
        long pauseNanos = Long.parseLong(args[1]) * 1000;
        PrintStream out = System.out;
        for (int i = 0; i < lines; i++) {
            out.println("t " + System.nanoTime());
            if (pauseNanos > 0) {
                LockSupport.parkNanos(pauseNanos);
            }
        }
    }
}
