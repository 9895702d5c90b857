package io.lockstep.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The VM's park and unpark, reached past LockSupport, whose bodies the agent intercepts: the
 * scheduler's own hand-overs must never be mistaken for the application's.
 */
final class Parking {
    private static final Object UNSAFE;
    private static final MethodHandle PARK;
    private static final MethodHandle UNPARK;

    static {
        try {
            Class<?> type = Class.forName("jdk.internal.misc.Unsafe");
            UNSAFE = type.getMethod("getUnsafe").invoke(null);
            MethodHandles.Lookup lookup = MethodHandles.lookup(); // our module has the export, granted in premain
            PARK = lookup.findVirtual(type, "park", MethodType.methodType(void.class, boolean.class, long.class)).bindTo(UNSAFE);
            UNPARK = lookup.findVirtual(type, "unpark", MethodType.methodType(void.class, Object.class)).bindTo(UNSAFE);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Parking() {
    }

    /** Parks the current thread until unparked, interrupted, or spuriously. */
    static void park() {
        try {
            PARK.invokeExact(false, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Parks for at most {@code nanos}. */
    static void parkNanos(long nanos) {
        try {
            PARK.invokeExact(false, Math.max(1L, nanos));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void unpark(Thread thread) {
        try {
            UNPARK.invokeExact((Object) thread);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
