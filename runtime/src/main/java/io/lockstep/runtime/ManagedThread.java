package io.lockstep.runtime;

/**
 * The scheduler's model of one managed thread. Only the token holder (or the idle thread while
 * nobody holds the token) reads or writes these fields, except {@link #granted} and
 * {@link #granting}, the hand-over.
 */
final class ManagedThread {
    /** Where a thread is in the model. */
    enum State {
        RUNNABLE,
        /** Wants a monitor another managed thread owns. */
        BLOCKED,
        /** In Object.wait, in the wait set of {@link #monitor}. */
        WAITING,
        PARKED,
        SLEEPING,
        JOINING,
        /** In a blocking call performed without the token (stdin, joining an unmanaged thread). */
        OUTSIDE,
        TERMINATED
    }

    /** Why a blocked thread runs again. Its ordinal is logged with external admissions. */
    enum Wake {
        NOTIFIED, TIMEOUT, INTERRUPTED, UNPARKED, CALL_DONE, JOINED;

        static Wake of(int ordinal) {
            return ordinal >= 0 && ordinal < values().length ? values()[ordinal] : null;
        }
    }

    static final long NO_DEADLINE = Long.MAX_VALUE;

    final Thread thread;
    /** Logical id in the log: 1 for main, then in the order threads were started. */
    final int index;
    boolean daemon;
    State state = State.RUNNABLE;
    Wake wake;
    /** True once the thread took its first turn. */
    boolean begun;
    /** True while the agent works on this thread: the hooks pass its calls straight through. */
    boolean inAgent;
    /** ThreadLocalRandom seeds, probes and secondary seeds drawn so far, each kind counted apart (see Session#threadRandom). */
    final int[] threadRandomDraws = new int[3];
    /**
     * This thread's ThreadLocalRandom state, kept across a recorded call that may not touch it:
     * one per thread, since the call may give the token away and another thread make one too.
     */
    final ThreadRandomState randomAcrossCall = new ThreadRandomState();
    /** Depth of JDK class initialisers on this thread's stack: their reads are never recorded. */
    int jdkInitDepth;
    /** Never scheduled again: it was alive when the program began to shut down. */
    boolean frozen;
    /** Let go without a token when the scheduler detaches at the end of the run (read by a thread a real notify woke). */
    volatile boolean released;
    /** The token is this thread's: set by the thread that hands it over. */
    volatile boolean granted;
    /** A grant to this thread is under way: set before it becomes the holder, cleared once {@link #granted} is set. */
    volatile boolean granting;
    /**
     * Outside: its call has returned and it waits to be admitted. A backup that goes live admits
     * such threads itself (the replay's log, which would have, has ended).
     */
    final java.util.concurrent.atomic.AtomicInteger outsideCall = new java.util.concurrent.atomic.AtomicInteger();
    static final int CALLING = 0;
    static final int RETURNED = 1;
    static final int QUEUED = 2;

    boolean permit;
    /** Of a timed block, in System.nanoTime() of the recording side; a replay reads it only to bound a real wait. */
    long deadline = NO_DEADLINE;
    /**
     * Of the Object.wait the thread is in, which the model does not clear when it wakes the
     * thread: the real wait ends there at the latest. Written by the thread under the monitor.
     */
    long waitDeadline = NO_DEADLINE;
    /** An interrupt ended its real Object.wait while the model held it there; under the monitor. */
    boolean interruptedInWait;
    /** BLOCKED: the monitor it wants; WAITING: the monitor it waits on. */
    Object monitor;
    /** The monitor whose real Object.wait the thread sits in; the hand-over must notify it. */
    Object realWait;
    /** Recursion count to restore after a wait; 0 when the model did not know of the monitor. */
    int reacquireCount;
    ManagedThread joinTarget;

    private Object[] held = new Object[4];
    private int[] holds = new int[4];
    private int heldCount;

    ManagedThread(Thread thread, int index) {
        this.thread = thread;
        this.index = index;
    }

    boolean holdsAny() {
        return heldCount > 0;
    }

    boolean holds(Object monitor) {
        for (int i = heldCount - 1; i >= 0; i--) {
            if (held[i] == monitor) {
                return true;
            }
        }
        return false;
    }

    void enter(Object monitor) {
        if (heldCount > 0 && held[heldCount - 1] == monitor) {
            holds[heldCount - 1]++;
            return;
        }
        for (int i = heldCount - 2; i >= 0; i--) {
            if (held[i] == monitor) {
                holds[i]++;
                return;
            }
        }
        push(monitor, 1);
    }

    private void push(Object monitor, int count) {
        if (heldCount == held.length) {
            held = java.util.Arrays.copyOf(held, heldCount * 2);
            holds = java.util.Arrays.copyOf(holds, heldCount * 2);
        }
        held[heldCount] = monitor;
        holds[heldCount] = count;
        heldCount++;
    }

    /** @return true if this exit released the monitor entirely */
    boolean exit(Object monitor) {
        for (int i = heldCount - 1; i >= 0; i--) {
            if (held[i] == monitor) {
                if (--holds[i] > 0) {
                    return false;
                }
                remove(i);
                return true;
            }
        }
        return false;
    }

    /** Releases the monitor whatever its count (Object.wait); returns the count to restore. */
    int releaseAll(Object monitor) {
        for (int i = heldCount - 1; i >= 0; i--) {
            if (held[i] == monitor) {
                int count = holds[i];
                remove(i);
                return count;
            }
        }
        return 0;
    }

    void reacquire(Object monitor, int count) {
        if (count > 0) {
            push(monitor, count);
        }
    }

    private void remove(int i) {
        System.arraycopy(held, i + 1, held, i, heldCount - i - 1);
        System.arraycopy(holds, i + 1, holds, i, heldCount - i - 1);
        heldCount--;
        held[heldCount] = null;
    }

    @Override
    public String toString() {
        return "thread " + index + " (\"" + thread.getName() + "\", " + state + ")";
    }
}
