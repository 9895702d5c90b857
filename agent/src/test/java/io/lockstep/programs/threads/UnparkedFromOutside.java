package io.lockstep.programs.threads;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An unpark from a thread the agent does not manage (a SIGHUP handler: the JDK starts it from
 * its signal dispatcher) while main sleeps. Without the agent the sleep goes on to its end and
 * the unpark is a permit: main's next park returns at once. Prints "sleeping", then what it saw.
 */
public final class UnparkedFromOutside {
    private static final long SLEEP_MILLIS = 3_000;

    public static void main(String[] args) throws Exception {
        Thread main = Thread.currentThread();
        // sun.misc.Signal: the handler runs on a thread the JDK starts, which no managed thread started.
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> LockSupport.unpark(main));
        System.out.println("sleeping");
        long start = System.nanoTime();
        Thread.sleep(SLEEP_MILLIS);
        long slept = System.nanoTime() - start;
        System.out.println(slept >= TimeUnit.MILLISECONDS.toNanos(SLEEP_MILLIS) ? "slept it all" : "woke early");
        start = System.nanoTime();
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(20));
        long parked = System.nanoTime() - start;
        System.out.println(parked < TimeUnit.SECONDS.toNanos(10) ? "the park returned at once" : "the park waited");
    }
}
