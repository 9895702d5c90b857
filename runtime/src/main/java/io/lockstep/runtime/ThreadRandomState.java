package io.lockstep.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The ThreadLocalRandom state that the JDK keeps in fields of {@link Thread}. A managed thread
 * starts with none, so its first ThreadLocalRandom call seeds it through the recorded seeder;
 * and the agent's own work on a managed thread (reading the journal, say) must not consume it.
 */
final class ThreadRandomState {
    private static final VarHandle SEED;
    private static final VarHandle PROBE;
    private static final VarHandle SECONDARY;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            SEED = lookup.findVarHandle(Thread.class, "threadLocalRandomSeed", long.class);
            PROBE = lookup.findVarHandle(Thread.class, "threadLocalRandomProbe", int.class);
            SECONDARY = lookup.findVarHandle(Thread.class, "threadLocalRandomSecondarySeed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        // Links write's call sites now: linking runs JDK code, which may itself draw (a contended
        // map's ThreadLocalRandom init), and the scheduler clears main just before its first turn.
        Thread self = Thread.currentThread();
        write(self, (long) SEED.get(self), (int) PROBE.get(self), (int) SECONDARY.get(self));
    }

    private long seed;
    private int probe;
    private int secondary;

    static void clear(Thread thread) {
        write(thread, 0L, 0, 0);
    }

    private static void write(Thread thread, long seed, int probe, int secondary) {
        SEED.set(thread, seed);
        PROBE.set(thread, probe);
        SECONDARY.set(thread, secondary);
    }

    void save(Thread thread) {
        seed = (long) SEED.get(thread);
        probe = (int) PROBE.get(thread);
        secondary = (int) SECONDARY.get(thread);
    }

    void restore(Thread thread) {
        write(thread, seed, probe, secondary);
    }
}
