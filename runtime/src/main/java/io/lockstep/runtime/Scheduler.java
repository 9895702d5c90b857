package io.lockstep.runtime;

import io.lockstep.boot.Hooks;
import io.lockstep.log.AgentThreads;
import io.lockstep.runtime.ManagedThread.State;
import io.lockstep.runtime.ManagedThread.Wake;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one-token scheduler: managed threads run one at a time and hand the token over only at
 * switch points, so the recording and the replay interleave them the same way.
 * <p>
 * The model (monitor owners, wait sets, park permits, the run queue) is touched only by the
 * token holder, or by the idle thread while nobody holds the token: the token is its lock.
 * Every switch decision is an <em>admission point</em>, numbered in order. What the program
 * cannot decide by itself (a timed wait expiring, a blocking call returning, an unpark or
 * interrupt from an unmanaged thread) is applied only at an admission point; the recording
 * logs it with the point's number and the replay applies it at the same point.
 */
public final class Scheduler {
    /** What the scheduler reads from and writes to the log. */
    interface SchedulingLog {
        boolean recording();

        /** Recording: a thread woken from outside at this point. */
        void admitted(long point, int thread, Wake wake);

        /** Recording: the run ends at this point. */
        void ended(long point);

        /** The holder stops running for now (a switch point, or its budget ran out with nobody else to run): a moment to send what it logged. */
        void holderPauses();

        /**
         * Replay: consumes the admission logged at this point, if the log holds one next.
         * @return {@code thread << 8 | wake}, {@link #NONE} or {@link #END}
         */
        long nextAdmission(long point);

        /** Replay: the admission point of the next admission or end in the log, or -1 if the log holds something else next. */
        long nextAdmissionPoint();

        /** Replay: what the log holds next, for a report. */
        String describeNext();

        /** Replay: the log holds nothing more (a recording that was killed). */
        boolean atEnd();

        /** Replay: the recording's end is reached; the threads, still where they stand, are about to go on for real. */
        void pastTheRecordingsEnd();
    }

    /** -Dlockstep.trace=true: every switch decision on stderr, for the agent's own debugging. */
    private static final boolean TRACE = Boolean.getBoolean("lockstep.trace");
    static final long NONE = -1;
    static final long END = -2;
    /** Ticks granted when preemption is put off (class initialisation, a JDK synchronized method). */
    static final int DEFER_TICKS = 10_000;
    /** How long the end of a recording waits for the running thread to reach a switch point. */
    private static final long END_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final int quantum;
    private final SchedulingLog log;
    /** False while replaying; a backup that goes live turns it on, at an admission point. */
    private volatile boolean recording;

    /** Every managed thread not yet dead, in start order; replaced, never changed, so any thread may read it. */
    private volatile ManagedThread[] registry = new ManagedThread[0];
    private final ArrayDeque<ManagedThread> runQueue = new ArrayDeque<>();
    /** Threads that hold monitors while another runs: the only owners a monitor enter must look at. */
    private final List<ManagedThread> holdersOut = new ArrayList<>();
    private final List<ManagedThread> blocked = new ArrayList<>();
    private final List<ManagedThread> waiting = new ArrayList<>();
    private int timedBlocks;
    private ManagedThread current;
    private int nextIndex = 1;
    private volatile long point;
    private boolean shuttingDown;
    /** Compared by ==: an identity set would hash them, and the agent must not hand out identity hashes. */
    private List<Thread> agentHookThreads = List.of();
    /** The application's shutdown hooks, as the shutdown began; null if the JVM had started them already (a signal). */
    private volatile List<Thread> applicationHookThreads = List.of();

    // Idle: nobody holds the token; the idle thread admits what comes from outside.
    private final Object idleLock = new Object();
    private boolean idle;
    private final ConcurrentLinkedQueue<long[]> external = new ConcurrentLinkedQueue<>();
    private volatile boolean endRequested;
    private volatile long endRequestedAt;
    private volatile boolean detached;
    private volatile boolean pastTheRecordingsEnd;
    private Thread idleThread;
    private Thread watchdogThread;
    private final ClassValue<Map<String, Boolean>> synchronizedMethods = new ClassValue<>() {
        @Override
        protected Map<String, Boolean> computeValue(Class<?> type) {
            return Collections.synchronizedMap(new java.util.HashMap<>());
        }
    };

    Scheduler(int quantum, SchedulingLog log, boolean recording) {
        this.quantum = quantum;
        this.log = log;
        this.recording = recording;
    }

    /**
     * The replay reached the end of the log of a primary that is gone: from this admission point
     * on, what comes from outside is real and recorded. Called on the token holder, or on the idle
     * thread while nobody holds the token.
     */
    void goLive() {
        recording = true;
        // Threads that "returned" from a blocking call in the replay wait for an admission the
        // log will never give: they are admitted as events from outside now, and each makes
        // its call again, for real (a read, an accept).
        for (ManagedThread thread : registry) {
            if (thread.state == State.OUTSIDE) {
                queueReturned(thread);
            }
        }
    }

    // ---- life cycle ----

    /** Makes the calling thread (main) the first managed thread and the token holder. */
    void start(Thread main, long watchdogMillis) {
        agentHookThreads = java.util.Objects.requireNonNullElse(shutdownHooksRegisteredSoFar(), List.of());
        ManagedThread first = new ManagedThread(main, nextIndex++);
        first.begun = true;
        first.daemon = main.isDaemon();
        registry = new ManagedThread[] {first};
        // The agent's threads start before main holds the token, so they are never managed.
        idleThread = AgentThreads.newDaemon("lockstep-scheduler", this::idleLoop);
        idleThread.start();
        watchdogThread = AgentThreads.newDaemon("lockstep-watchdog", () -> watchdog(watchdogMillis));
        watchdogThread.start();
        // Main starts with no ThreadLocalRandom state, so its first draw derives its seed. Cleared
        // here, with no JDK code between this and the token: until main is managed, a draw (a
        // contended map's, from the reflection or thread starts above) takes the real seeder.
        ThreadRandomState.clear(main);
        current = first;
        Hooks.budget = quantum;
        Hooks.holder = main;
    }

    /**
     * Shutdown hooks registered before main (the agent's own) are never managed, even when a
     * managed thread calling System.exit starts them.
     *
     * @return null once the JVM has started the hooks (it drops their list), or where the list
     *     cannot be read: the hooks may be running, so threads an exit froze are let go at the end
     */
    @SuppressWarnings("unchecked")
    private static List<Thread> shutdownHooksRegisteredSoFar() {
        try {
            Class<?> hooks = Class.forName("java.lang.ApplicationShutdownHooks");
            Field field = hooks.getDeclaredField("hooks");
            field.setAccessible(true);
            synchronized (hooks) {
                Map<Thread, Thread> registered = (Map<Thread, Thread>) field.get(null);
                return registered == null ? null : List.copyOf(registered.keySet());
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    ManagedThread current() {
        return current;
    }

    /** The current thread's record if it is managed (holding the token or not), else null. */
    ManagedThread managedHere() {
        Thread thread = Thread.currentThread();
        return thread == Hooks.holder ? current : lookup(thread);
    }

    /** True on the token holder, in the agent's work or not. */
    boolean holdsToken() {
        return Thread.currentThread() == Hooks.holder;
    }

    /** True on the token holder outside the agent's own work. */
    boolean runningManaged() {
        return Thread.currentThread() == Hooks.holder && !current.inAgent;
    }

    /** True on the holder outside the agent's work and outside JDK class initialisers: its inputs are recorded. */
    boolean recordingHere() {
        if (Thread.currentThread() != Hooks.holder) {
            return false;
        }
        ManagedThread me = current;
        return !me.inAgent && me.jdkInitDepth == 0;
    }

    /**
     * True once a replay went past its recording's END (the recorded run ended there, or was
     * stopped from outside there): nothing is scheduled any more, and what the threads still do
     * the recording never saw.
     */
    boolean pastTheRecordingsEnd() {
        return pastTheRecordingsEnd;
    }

    /** A replay read its recording's END: the threads go on unmanaged, their calls real. */
    void reachTheRecordingsEnd() {
        pastTheRecordingsEnd = true;
        if (!detached) {
            log.pastTheRecordingsEnd();
        }
        detach();
    }

    boolean detached() {
        return detached;
    }

    long point() {
        return point;
    }

    // ---- switching ----

    /**
     * A switch point: applies what was admitted from outside, then picks the next thread.
     * @return true if {@code me} runs on; false if the token went to another thread (or to
     *     nobody), and {@code me} must wait for it unless it is ending
     */
    private boolean switchAway(ManagedThread me, boolean stillRunnable) {
        admit();
        if (detached) {
            // The run's end (or the recording's) was admitted here. Handing the token on would make
            // a holder again after detach let go of it: this thread goes on for real, if let go.
            return me.released;
        }
        log.holderPauses();
        if (stillRunnable) {
            me.state = State.RUNNABLE;
            runQueue.addLast(me);
        }
        ManagedThread next = pickNext();
        if (TRACE) {
            Fatal.warn("trace: point " + point + " " + me + " -> " + next + " queue " + runQueue);
        }
        if (next == me) {
            Hooks.budget = quantum;
            return true;
        }
        if (me.holdsAny()) {
            holdersOut.add(me);
        }
        if (next == null) {
            goIdle();
        } else {
            grant(next);
        }
        return false;
    }

    private ManagedThread pickNext() {
        ManagedThread next;
        while ((next = runQueue.pollFirst()) != null) {
            if (next.frozen) {
                continue;
            }
            // A thread coming back from Object.wait needs its monitor for real: if another thread
            // took it meanwhile, it waits for it again.
            if (next.realWait != null && ownerOf(next.realWait) != null) {
                next.state = State.BLOCKED;
                next.monitor = next.realWait;
                blocked.add(next);
                continue;
            }
            return next;
        }
        return null;
    }

    private void grant(ManagedThread next) {
        holdersOut.remove(next);
        next.state = State.RUNNABLE;
        current = next;
        Hooks.budget = quantum;
        next.granting = true; // (a new thread that sees itself as the holder waits for the rest: threadBegins)
        Hooks.holder = next.thread;
        if (detached) {
            // Another thread let go of the run meanwhile (the recording's end after its grace, or
            // a failed journal): its clearing of the holder may have come before this.
            Hooks.holder = null;
        }
        Object monitor = next.realWait;
        if (monitor != null) {
            synchronized (monitor) {
                next.granted = true;
                monitor.notifyAll();
            }
        } else {
            next.granted = true;
            if (next.thread != Thread.currentThread()) {
                Parking.unpark(next.thread);
            }
        }
        next.granting = false;
    }

    private void goIdle() {
        releaseDeadlocked();
        current = null;
        Hooks.holder = null;
        synchronized (idleLock) {
            idle = true;
            // Woken only for work: a server's threads leave the token free and take it back
            // thousands of times a second, and each needless wake-up costs a core switch.
            if (readyToAdmit() || timedBlocks > 0) {
                idleLock.notifyAll();
            }
        }
    }

    /**
     * Threads blocked on monitors in a cycle (each owns what the next wants) can never run again:
     * they are let go to block on the real monitors, so the JVM sees the deadlock it would see
     * without the agent, and a thread dump reports it. No other thread can free them.
     */
    private void releaseDeadlocked() {
        for (ManagedThread start : blocked) {
            ManagedThread step = start;
            for (int hops = 0; hops <= blocked.size(); hops++) {
                ManagedThread owner = step.state == State.BLOCKED ? ownerOf(step.monitor) : null;
                if (owner == null) {
                    break;
                }
                if (owner == start) {
                    start.released = true;
                    Parking.unpark(start.thread);
                    break;
                }
                step = owner;
            }
        }
    }

    /** Waits until the token is this thread's again (or the scheduler let go of it). */
    private void awaitTurn(ManagedThread me) {
        boolean interrupted = false;
        // No spin first: on two cores a spinning waiter takes the core that the thread handing the
        // token over needs.
        while (!me.granted && !me.released) {
            Parking.park();
            if (Thread.interrupted()) {
                interrupted = true; // kept aside: a pending interrupt would make every park return at once
            }
        }
        me.granted = false;
        if (interrupted) {
            selfInterrupt(me);
        }
        if (me.released) {
            // Let go at the run's end: the parks above may have taken an unpark meant for the
            // thread's next park (an event from outside, delivered for real, or the model's permit).
            // It is given back: a spurious return of that park is allowed, a lost wake-up is not.
            Parking.unpark(me.thread);
        }
    }

    /**
     * The same, for a thread inside Object.wait: the real wait releases the monitor it holds for
     * real. It lasts until the wait's deadline at most, so that a thread let go at the run's end
     * sits in the very wait it would sit in without the agent: a real notify, an interrupt or its
     * timeout ends it ({@link #releaseFromWait}).
     */
    private void awaitTurnInWait(ManagedThread me, Object monitor) {
        boolean interrupted = false;
        boolean waited = false;
        while (!me.granted && !me.released) {
            waited = true;
            try {
                waitForReal(monitor, me.waitDeadline, false);
            } catch (InterruptedException e) {
                interrupted = true;
                me.interruptedInWait = true;
            }
        }
        if (!waited && me.released && !me.granted && me.wake == null) {
            // Let go before it began its real wait (it held the monitor throughout, so no notify
            // can have been meant for it): the rest for real, as a sleep does.
            try {
                waitForReal(monitor, me.waitDeadline, true);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        me.granted = false;
        me.realWait = null;
        if (interrupted) {
            selfInterrupt(me);
        }
    }

    /**
     * A real Object.wait until {@code deadline} (System.nanoTime), or without one. Once the deadline
     * has passed, a thread the scheduler still runs waits on for it to admit the timeout; one let
     * go ({@code letGo}) has timed out.
     */
    private static void waitForReal(Object monitor, long deadline, boolean letGo) throws InterruptedException {
        if (deadline == ManagedThread.NO_DEADLINE) {
            monitor.wait();
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            monitor.wait(left / 1_000_000, (int) (left % 1_000_000));
        } else if (!letGo) {
            monitor.wait();
        }
    }

    private void selfInterrupt(ManagedThread me) {
        boolean was = me.inAgent;
        me.inAgent = true;
        try {
            me.thread.interrupt();
        } finally {
            me.inAgent = was;
        }
    }

    private void block(ManagedThread me, State state, long timeoutNanos) {
        me.state = state;
        me.wake = null;
        if (timeoutNanos > 0) {
            // A replay's model never reads the deadline (only the log says when the wait ends; it
            // bounds a real Object.wait), but a backup that goes live does: it is this side's own
            // clock, as the recording's is.
            me.deadline = saturatedAdd(System.nanoTime(), timeoutNanos);
            timedBlocks++;
        }
    }

    private void makeRunnable(ManagedThread thread, Wake wake) {
        if (thread.deadline != ManagedThread.NO_DEADLINE) {
            thread.deadline = ManagedThread.NO_DEADLINE;
            timedBlocks--;
        }
        thread.wake = wake;
        thread.state = State.RUNNABLE;
        runQueue.addLast(thread);
    }

    // ---- admission of what comes from outside ----

    /** An admission point: applies, in order, every outside event that is due (recording) or logged here (replay). */
    private void admit() {
        long at = ++point;
        if (recording) {
            admitRecorded(at);
        } else {
            admitReplayed(at);
        }
    }

    private void admitRecorded(long at) {
        if (timedBlocks > 0) {
            long now = System.nanoTime();
            for (ManagedThread thread : registry) {
                if (thread.deadline != ManagedThread.NO_DEADLINE && thread.deadline - now <= 0 && !thread.frozen) {
                    log.admitted(at, thread.index, Wake.TIMEOUT);
                    apply(thread, Wake.TIMEOUT);
                }
            }
        }
        long[] event;
        while ((event = external.poll()) != null) {
            ManagedThread thread = byIndex((int) event[0]);
            Wake wake = Wake.of((int) event[1]);
            if (thread != null && thread.state != State.TERMINATED && !thread.frozen) {
                log.admitted(at, thread.index, wake);
                admitFromOutside(thread, wake);
            }
        }
        if (endRequested && (current == null || System.nanoTime() - endRequestedAt > END_GRACE_NANOS)) {
            log.ended(at);
            detach();
        }
    }

    private void admitReplayed(long at) {
        long admission;
        while ((admission = log.nextAdmission(at)) != NONE) {
            if (admission == END) {
                endOfRecording();
                return;
            }
            ManagedThread thread = byIndex((int) (admission >>> 8));
            Wake wake = Wake.of((int) (admission & 0xff));
            if (thread == null || wake == null) {
                throw Fatal.halt(Fatal.DIVERGENCE, "diverged at admission point " + at + ": the recording admits thread "
                    + (admission >>> 8) + ", which this replay does not run");
            }
            admitFromOutside(thread, wake);
        }
    }

    /** An interrupt from outside reaches the thread's real flag only here, where both sides see it. */
    private void admitFromOutside(ManagedThread thread, Wake wake) {
        if (wake == Wake.INTERRUPTED) {
            selfless(thread.thread::interrupt);
        }
        apply(thread, wake);
    }

    /** The recorded run stopped here (from outside, a signal say); the replay stops here too. */
    void endOfRecording() {
        reachTheRecordingsEnd();
        if (!shuttingDown) {
            Fatal.warn("the recording ends at admission point " + point + " (the recorded run was stopped from outside): "
                + "the replay stops there too");
            Thread stopper = AgentThreads.newDaemon("lockstep-stop", () -> System.exit(0));
            stopper.start();
        }
    }

    /** What an outside event does to the thread it wakes. */
    private void apply(ManagedThread thread, Wake wake) {
        if (wake == Wake.UNPARKED && thread.state != State.PARKED) {
            thread.permit = true; // an unpark ends a park only: a sleep, a join, a wait or a call goes on
            return;
        }
        switch (thread.state) {
            case SLEEPING, JOINING, OUTSIDE -> makeRunnable(thread, wake);
            case PARKED -> {
                if (wake == Wake.UNPARKED || wake == Wake.INTERRUPTED || wake == Wake.TIMEOUT) {
                    makeRunnable(thread, wake);
                }
            }
            case WAITING -> {
                if (wake == Wake.TIMEOUT || wake == Wake.INTERRUPTED) {
                    waiting.remove(thread);
                    wantMonitorBack(thread, wake);
                }
            }
            default -> { } // (runnable or blocked on a monitor: it comes to its own switch point)
        }
    }

    /** A thread whose outside call returned, admitted once, whichever of it and a go-live gets here first. */
    private void queueReturned(ManagedThread thread) {
        if (thread.outsideCall.compareAndSet(ManagedThread.RETURNED, ManagedThread.QUEUED)) {
            fromOutside(thread, Wake.CALL_DONE);
        }
    }

    /** Queues an event from outside the token (recording only); the replay takes it from the log. */
    private void fromOutside(ManagedThread thread, Wake wake) {
        if (!recording) {
            return;
        }
        external.add(new long[] {thread.index, wake.ordinal()});
        if (detached) {
            // The scheduler let go after the caller's guard saw it hold on: no admission point
            // will take the event (detach may have drained before it was queued). A shutdown
            // hook's interrupt of a pool's workers lost this way left them parked for good.
            happenUnadmitted();
            return;
        }
        // A thread that queues its own event is one whose blocking call returned.
        if (thread.thread != Thread.currentThread() || !admitOnReturningThread(thread)) {
            wakeIdle();
        }
    }

    /** While the token is held, its holder admits at its next switch point, and the idle thread has nothing to do. */
    private void wakeIdle() {
        synchronized (idleLock) {
            if (idle) {
                idleLock.notifyAll();
            }
        }
    }

    /** The idle thread: while nobody holds the token, admits what comes from outside and hands the token on. */
    private void idleLoop() {
        try {
            while (true) {
                synchronized (idleLock) {
                    while (!idle || !readyToAdmit()) {
                        long wait = idle ? nanosToEarliestDeadline() : 0;
                        if (wait == Long.MAX_VALUE || wait == 0) {
                            idleLock.wait();
                        } else {
                            TimeUnit.NANOSECONDS.timedWait(idleLock, wait);
                        }
                    }
                    idle = false;
                }
                if (detached) {
                    return;
                }
                long logged = recording ? 0 : log.nextAdmissionPoint();
                if (!recording) { // (a backup may have gone live while looking)
                    // The recording may have passed admission points here that admitted nobody
                    // (the thread an event was for had ended): go to the next one it logged.
                    if (logged < 0 && log.atEnd()) {
                        if (awaitsTheOutside()) {
                            recordingCut();
                        }
                        Fatal.warn("the recording ends here, with every thread waiting (the recorded run was stopped in "
                            + "this state): the replay waits too");
                        return;
                    }
                    if (logged < 0 || logged <= point) {
                        nothingToReplay(); // (a point already passed: this replay made switch points the recording did not)
                    }
                    point = logged - 1;
                }
                admitAndHandOn();
                if (detached) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            Fatal.halt(Fatal.AGENT, "the scheduler failed: " + e);
        }
    }

    /** What the idle thread does when it takes over: an admission point, then the token to whoever runs next. */
    private void admitAndHandOn() {
        admit();
        if (detached) {
            return;
        }
        ManagedThread next = pickNext();
        if (next != null) {
            grant(next);
        } else {
            // Nobody to run: an admission may wake nobody (an unpark of a sleeping thread is a
            // permit). A replay then goes to the next admission point its log has, or stops there
            // as diverged: the idle loop's own check.
            goIdle();
        }
    }

    /**
     * A thread whose blocking call returned while nobody holds the token makes the idle thread's
     * admission itself, the same admission point the idle thread would make (so the log is the
     * same), but without waking it: a server thread whose read returned runs at once.
     *
     * @return false if the token is held (its holder admits the thread at its next switch point)
     */
    private boolean admitOnReturningThread(ManagedThread me) {
        synchronized (idleLock) {
            if (!idle || detached) {
                return false;
            }
            idle = false;
        }
        boolean was = me.inAgent;
        me.inAgent = true; // not the holder yet; once granted, its JDK calls here are still the agent's
        try {
            admitAndHandOn();
        } catch (RuntimeException | Error e) {
            throw Fatal.halt(Fatal.AGENT, "the scheduler failed: " + e);
        } finally {
            me.inAgent = was;
        }
        return true;
    }

    private boolean readyToAdmit() {
        if (detached) {
            return true;
        }
        if (!recording) {
            return !shuttingDown;
        }
        return endRequested || !external.isEmpty() || nanosToEarliestDeadline() <= 0;
    }

    private long nanosToEarliestDeadline() {
        if (timedBlocks == 0) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long earliest = Long.MAX_VALUE;
        for (ManagedThread thread : registry) {
            if (thread.deadline != ManagedThread.NO_DEADLINE && !thread.frozen) {
                earliest = Math.min(earliest, Math.max(0, thread.deadline - now));
            }
        }
        return earliest == 0 ? -1 : earliest;
    }

    /**
     * Replay, nobody runnable, the log holds nothing more (not even an END): whether a thread waits
     * for what only the log admits, the return of its blocking call (a stdin read, a socket's) or
     * its timeout. If none does (a deadlock), the recorded run was stopped in this state, which
     * nothing but its own threads could end, and the replay waits there too.
     */
    private boolean awaitsTheOutside() {
        for (ManagedThread thread : registry) {
            if (!thread.frozen && (thread.state == State.OUTSIDE || thread.deadline != ManagedThread.NO_DEADLINE)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replay: the recorded run was killed (SIGKILL, a crash) while a thread waited for something
     * from outside, which the log would have admitted. The replay stops at the cut, as a holder's
     * call past it does: waiting there, the run's end would let the call through for real (a read
     * of this run's own stdin).
     */
    private void recordingCut() {
        throw Fatal.halt(Fatal.DIVERGENCE, "diverged at admission point " + point + ": the recording ends there (was the "
            + "recorded run killed?), with every replayed thread waiting" + System.lineSeparator() + stacks());
    }

    /** Replay, nobody runnable, and the log admits nobody here: the recorded run did something else. */
    private void nothingToReplay() {
        throw Fatal.halt(Fatal.DIVERGENCE, "diverged at admission point " + point + ": every replayed thread waits, but the "
            + "recording goes on with " + log.describeNext() + System.lineSeparator() + stacks());
    }

    /** The end of the run, from the shutdown hook: the recording ends at the next admission point. */
    void finish(long timeoutMillis) {
        if (recording) {
            endRequestedAt = System.nanoTime();
            endRequested = true;
            wakeIdle();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!detached && System.nanoTime() - deadline < 0) {
            if (!recording && quiet()) {
                return; // the replay's own END check follows in the session
            }
            Parking.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Nobody holds the token and the run is shutting down: nothing can move any more. */
    private boolean quiet() {
        synchronized (idleLock) {
            return idle && shuttingDown;
        }
    }

    /** Lets go of the token for good: the threads waiting to run go on unmanaged. */
    void detach() {
        if (detached) {
            return;
        }
        detached = true;
        // Nothing is scheduled from here on: each thread goes on as it would without the agent (a
        // shutdown hook that stops a pool must see its parked threads wake), but for those an exit
        // froze where they stood, which stay there until the run has ended (releaseFrozen). All
        // are let go before the hooks pass calls through: a real notify that wakes a thread from
        // its real Object.wait must find it let go, or it would wait again and miss it.
        List<ManagedThread> letGo = markLetGo(false);
        Hooks.holder = null;
        happenUnadmitted();
        letGo(letGo);
        wakeIdle();
    }

    /**
     * The threads an exit froze go on for real once the agent has ended the run (its journal
     * closed, its last outputs written), and only if an application shutdown hook has yet to end,
     * which may wait for them: as without the agent, they run while the hooks do. Otherwise the
     * JVM halts with them where they stood, as if its exit had won the race. Let go as the
     * recording ended, they ran, unrecorded, for as long as the agent's own end took (hundreds of
     * milliseconds), and printed what neither a plain JVM nor a replay prints.
     */
    void releaseFrozen() {
        if (!detached) {
            return;
        }
        List<Thread> hooks = applicationHookThreads;
        if (hooks == null || hooks.stream().anyMatch(hook -> hook.getState() != Thread.State.TERMINATED)) { // running, or about to start
            letGo(markLetGo(true));
        }
    }

    private List<ManagedThread> markLetGo(boolean frozenToo) {
        List<ManagedThread> marked = new ArrayList<>();
        for (ManagedThread thread : registry) {
            if (thread.state != State.TERMINATED && !thread.released && (frozenToo || !thread.frozen)) {
                thread.released = true;
                marked.add(thread);
            }
        }
        return marked;
    }

    private void letGo(List<ManagedThread> threads) {
        for (ManagedThread thread : threads) {
            Parking.unpark(thread.thread);
            Object monitor = thread.realWait;
            if (monitor != null) {
                releaseFromWait(thread, monitor);
            }
        }
    }

    /**
     * Events from outside queued but never admitted (they came as the scheduler let go): they
     * happen now, for real, as they would without the agent. Whoever polls an event delivers it,
     * so detach and a late {@code fromOutside} never both do.
     */
    private void happenUnadmitted() {
        long[] event;
        while ((event = external.poll()) != null) {
            ManagedThread thread = byIndex((int) event[0]);
            if (thread == null) {
                continue;
            }
            switch (Wake.of((int) event[1])) {
                case INTERRUPTED -> selfless(thread.thread::interrupt);
                case UNPARKED -> Parking.unpark(thread.thread);
                default -> { } // a returned call: the released thread goes on by itself
            }
        }
    }

    /**
     * A thread let go in Object.wait sits in the real wait, which only a notify under the monitor
     * ends: it is notified if the model had woken it, if an interrupt ended its real wait while the
     * model held it there, or if its deadline has passed (its real wait became an untimed one,
     * until the timeout's admission). Any other stays in the wait, as without the agent: a notify,
     * an interrupt or its timeout ends it. Decided under the monitor, which the thread holds from
     * its last look at {@code released} until it waits, and an application thread's notify from
     * its look at the holder until the model's wake is set. A notifyAll reaches the monitor's other
     * waiters too: one of them let go here returns from its wait (a spurious wake-up, which Java
     * allows).
     */
    private static void releaseFromWait(ManagedThread thread, Object monitor) {
        Thread notifier = AgentThreads.newDaemon("lockstep-release", () -> {
            synchronized (monitor) {
                long deadline = thread.waitDeadline;
                if (thread.wake != null || thread.interruptedInWait
                    || (deadline != ManagedThread.NO_DEADLINE && deadline - System.nanoTime() <= 0)) {
                    monitor.notifyAll();
                }
            }
        });
        notifier.start();
    }

    // ---- threads ----

    private ManagedThread lookup(Thread thread) {
        for (ManagedThread candidate : registry) {
            if (candidate.thread == thread) {
                return candidate;
            }
        }
        return null;
    }

    private ManagedThread byIndex(int index) {
        for (ManagedThread candidate : registry) {
            if (candidate.index == index) {
                return candidate;
            }
        }
        return null;
    }

    private boolean isAgentThread(Thread thread) {
        return thread == idleThread || thread == watchdogThread;
    }

    boolean interceptingThread(Thread target) {
        if (detached) {
            return false;
        }
        Thread caller = Thread.currentThread();
        if (caller == Hooks.holder) {
            ManagedThread holder = current;
            return holder != null && !holder.inAgent;
        }
        return !isAgentThread(caller) && lookup(target) != null;
    }

    /**
     * At the entry of Thread.start on the holder: the new thread becomes managed, queued to run,
     * and registered before the VM starts it, since the first thing it does is look itself up.
     */
    void threadStarting(Thread thread) {
        if (isAgentHook(thread) || isVirtual(thread) || thread.getState() != Thread.State.NEW || lookup(thread) != null
            || startedByJdkTooling()) {
            return; // the agent's own, a virtual thread, a start that is about to fail, or the JDK's tooling
        }
        ManagedThread started = new ManagedThread(thread, nextIndex++);
        started.daemon = thread.isDaemon();
        started.frozen = current.frozen;
        ManagedThread[] before = registry;
        ManagedThread[] after = Arrays.copyOf(before, before.length + 1);
        after[before.length] = started;
        registry = after;
        runQueue.addLast(started);
    }

    /**
     * JDK modules whose threads observe the JVM rather than run the application: Flight Recorder
     * (-XX:StartFlightRecording starts it on main before the application does anything) and the
     * JMX agent. Their threads stay unmanaged, like the Reference Handler.
     */
    private static final Set<String> JDK_TOOLING = Set.of("jdk.jfr", "jdk.management.jfr", "jdk.management.agent");

    /** True if the nearest caller of Thread.start outside java.base (and the agent) is a JDK tooling module. */
    private static boolean startedByJdkTooling() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
            .map(frame -> frame.getDeclaringClass().getModule())
            .filter(module -> module != Object.class.getModule() && module != Scheduler.class.getModule()
                && module != Hooks.class.getModule())
            .findFirst()
            .map(module -> module.isNamed() && JDK_TOOLING.contains(module.getName()))
            .orElse(false));
    }

    private boolean isAgentHook(Thread thread) {
        for (Thread hook : agentHookThreads) {
            if (hook == thread) {
                return true;
            }
        }
        return false;
    }

    private static boolean isVirtual(Thread thread) {
        return thread.getClass().getName().equals("java.lang.VirtualThread");
    }

    /** A new thread's first hook: it waits for its first turn. */
    void threadBegins() {
        if (Thread.currentThread() == Hooks.holder) {
            ManagedThread me = current;
            if (me != null && !me.begun) {
                me.begun = true; // its first turn came before it got here
                // The grant may still be under way (the holder is set before granted): it is taken
                // here, or it would stay behind and let the thread's next wait return without the token.
                while (me.granting) {
                    Parking.parkNanos(1_000); // (not a spin: on two cores the granter may need this one; it takes the grant's unpark too)
                }
                me.granted = false;
            }
            return;
        }
        ManagedThread me = lookup(Thread.currentThread());
        if (me == null || me.begun || detached) {
            return;
        }
        me.begun = true;
        awaitTurn(me);
    }

    void threadExits() {
        if (Thread.currentThread() != Hooks.holder) {
            return;
        }
        ManagedThread me = current;
        me.state = State.TERMINATED;
        ManagedThread[] before = registry;
        List<ManagedThread> alive = new ArrayList<>(before.length);
        boolean nonDaemonAlive = false;
        for (ManagedThread thread : before) {
            if (thread == me || thread.thread.getState() != Thread.State.TERMINATED) {
                alive.add(thread);
                nonDaemonAlive |= thread != me && !thread.daemon && thread.state != State.TERMINATED;
            }
        }
        // Joiners and wait()ers on the Thread object learn of the end now, like the VM's notifyAll.
        for (ManagedThread thread : alive) {
            if (thread.state == State.JOINING && thread.joinTarget == me) {
                thread.joinTarget = null;
                makeRunnable(thread, Wake.JOINED);
            }
        }
        notifyModel(me.thread, true);
        registry = alive.toArray(new ManagedThread[0]);
        if (!nonDaemonAlive) {
            beginShutdown(null); // daemon threads would race the VM's exit: they stay where they are
        }
        switchAway(me, false);
    }

    /** Runtime.exit on a managed thread: from here on only it and the shutdown hooks it starts run. */
    void exitBegins() {
        beginShutdown(current);
    }

    private void beginShutdown(ManagedThread exiting) {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        for (ManagedThread thread : registry) {
            if (thread != exiting) {
                thread.frozen = true;
            }
        }
        List<Thread> registered = shutdownHooksRegisteredSoFar();
        if (registered == null) {
            applicationHookThreads = null; // the JDK let go of their list as it started them: they may be running
            return;
        }
        List<Thread> applicationHooks = new ArrayList<>(registered);
        applicationHooks.removeAll(agentHookThreads);
        applicationHookThreads = applicationHooks;
    }

    void join(Thread thread, long nanos) throws InterruptedException {
        ManagedThread me = current;
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        ManagedThread target = lookup(thread);
        if (target == null) {
            if (thread.getState() == Thread.State.NEW || thread.getState() == Thread.State.TERMINATED) {
                return;
            }
            try {
                outside(() -> {
                    if (nanos == 0) {
                        thread.join();
                    } else {
                        TimeUnit.NANOSECONDS.timedJoin(thread, nanos);
                    }
                    return null;
                }, true);
            } catch (InterruptedException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        if (target.state != State.TERMINATED && target != me) {
            long until = saturatedAdd(System.nanoTime(), nanos);
            block(me, State.JOINING, nanos);
            me.joinTarget = target;
            if (!switchAway(me, false)) {
                awaitTurn(me);
            }
            me.joinTarget = null;
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (me.released) { // let go at the run's end: the rest for real
                if (nanos == 0) {
                    thread.join();
                } else {
                    TimeUnit.NANOSECONDS.timedJoin(thread, until - System.nanoTime());
                }
                return;
            }
        }
        if (target.state == State.TERMINATED) {
            // The thread ended in the model; the VM finishes it in a moment (isAlive() turns false).
            selflessInterruptibly(() -> thread.join());
        }
    }

    /**
     * Thread.getState of a managed thread is the model's: the JVM would report how it waits for
     * the token (parked, or in a real wait), which differs between record and replay. A thread in a
     * blocking call reads as RUNNABLE, as in the JVM (a thread in native I/O is).
     */
    Thread.State threadState(Thread thread) {
        ManagedThread target = thread == Thread.currentThread() ? current : lookup(thread);
        if (target == null) {
            return thread.getState();
        }
        boolean timed = target.deadline != ManagedThread.NO_DEADLINE;
        return switch (target.state) {
            case RUNNABLE, OUTSIDE -> Thread.State.RUNNABLE;
            case BLOCKED -> Thread.State.BLOCKED;
            case WAITING, PARKED, JOINING -> timed ? Thread.State.TIMED_WAITING : Thread.State.WAITING;
            case SLEEPING -> Thread.State.TIMED_WAITING;
            case TERMINATED -> Thread.State.TERMINATED;
        };
    }

    void sleep(long nanos) throws InterruptedException {
        ManagedThread me = current;
        if (Thread.interrupted()) {
            throw new InterruptedException("sleep interrupted");
        }
        if (nanos <= 0) {
            yieldTurn();
            return;
        }
        long until = saturatedAdd(System.nanoTime(), nanos);
        block(me, State.SLEEPING, nanos);
        if (!switchAway(me, false)) {
            awaitTurn(me);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("sleep interrupted");
        }
        if (me.released) {
            TimeUnit.NANOSECONDS.sleep(until - System.nanoTime()); // let go at the run's end: the rest for real
        }
    }

    void yieldTurn() {
        ManagedThread me = current;
        if (!switchAway(me, true)) {
            awaitTurn(me);
        }
    }

    void budgetExpired() {
        if (runQueue.isEmpty() && timedBlocks == 0 && !anyOutside()) {
            // Nobody else could run, and nothing can be due: not a switch point (the same on both
            // sides). Wake-ups from unmanaged threads wait for the holder's next switch point.
            Hooks.budget = quantum;
            log.holderPauses();
            return;
        }
        if (mustNotPreempt()) {
            Hooks.budget = DEFER_TICKS;
            return;
        }
        yieldTurn();
    }

    private boolean anyOutside() {
        for (ManagedThread thread : registry) {
            if (thread.state == State.OUTSIDE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Preempting here could leave a monitor or lock the model does not see held by a thread that
     * is not running, and the next thread would block on it for real: class initialisation and
     * loading, method-handle linking, JDK synchronized methods (whose monitor the VM takes
     * before any hook runs). Put off; the decision depends only on the stack, so both sides agree.
     * Also where a thread would let the token go for a wait of its own (a write its backlog holds back).
     */
    boolean mustNotPreempt() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames ->
            frames.anyMatch(frame -> {
                String method = frame.getMethodName();
                if (method.equals("<clinit>")) {
                    return true;
                }
                Class<?> type = frame.getDeclaringClass();
                ClassLoader loader = type.getClassLoader();
                if (loader != null && loader != ClassLoader.getPlatformClassLoader()) {
                    return false;
                }
                String name = type.getName();
                if (name.startsWith("java.lang.invoke.") || name.equals("java.lang.ClassLoader")
                    || name.startsWith("jdk.internal.loader.")) {
                    return true;
                }
                return isSynchronized(type, method, frame.getDescriptor());
            }));
    }

    private boolean isSynchronized(Class<?> type, String name, String descriptor) {
        return synchronizedMethods.get(type).computeIfAbsent(name + descriptor, key -> {
            for (Method method : type.getDeclaredMethods()) {
                if (method.getName().equals(name) && Modifier.isSynchronized(method.getModifiers())
                    && descriptorOf(method).equals(descriptor)) {
                    return true;
                }
            }
            return false;
        });
    }

    private static String descriptorOf(Method method) {
        return java.lang.invoke.MethodType.methodType(method.getReturnType(), method.getParameterTypes()).toMethodDescriptorString();
    }

    void interrupt(Thread thread) {
        ManagedThread target = lookup(thread);
        if (Thread.currentThread() != Hooks.holder) {
            if (target != null && !recording) {
                return; // the replay interrupts it where the log says
            }
            if (target != null) {
                fromOutside(target, Wake.INTERRUPTED);
                return;
            }
            thread.interrupt();
            return;
        }
        selfless(thread::interrupt);
        if (target != null && target != current) {
            apply(target, Wake.INTERRUPTED);
        }
    }

    // ---- monitors ----

    void monitorEnter(Object monitor) {
        ManagedThread me = current;
        if (monitor == null || detached) {
            return;
        }
        while (!holdersOut.isEmpty() && ownedByAnother(monitor) && !detached) {
            me.state = State.BLOCKED;
            me.monitor = monitor;
            blocked.add(me);
            if (!switchAway(me, false)) {
                awaitTurn(me);
            }
            if (me.released) {
                return; // deadlocked: it blocks on the real monitor now, for good
            }
        }
        me.monitor = null;
        me.enter(monitor);
    }

    void monitorExit(Object monitor) {
        ManagedThread me = current;
        if (monitor == null) {
            return;
        }
        if (me.exit(monitor) && !blocked.isEmpty()) {
            wakeOneBlockedOn(monitor);
        }
    }

    private void wakeOneBlockedOn(Object monitor) {
        for (int i = 0; i < blocked.size(); i++) {
            ManagedThread thread = blocked.get(i);
            if (thread.monitor == monitor) {
                blocked.remove(i);
                thread.state = State.RUNNABLE;
                runQueue.addLast(thread);
                return;
            }
        }
    }

    private boolean ownedByAnother(Object monitor) {
        for (ManagedThread thread : holdersOut) {
            if (thread.holds(monitor)) {
                return true;
            }
        }
        return false;
    }

    private ManagedThread ownerOf(Object monitor) {
        ManagedThread me = current;
        if (me != null && me.holds(monitor)) {
            return me;
        }
        for (ManagedThread thread : holdersOut) {
            if (thread.holds(monitor)) {
                return thread;
            }
        }
        return null;
    }

    void await(Object monitor, long nanos) throws InterruptedException {
        ManagedThread me = current;
        if (!Thread.holdsLock(monitor)) {
            throw new IllegalMonitorStateException("current thread is not owner");
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        me.reacquireCount = me.releaseAll(monitor);
        if (!blocked.isEmpty()) {
            wakeOneBlockedOn(monitor);
        }
        block(me, State.WAITING, nanos);
        me.waitDeadline = nanos > 0 ? me.deadline : ManagedThread.NO_DEADLINE;
        me.interruptedInWait = false;
        me.monitor = monitor;
        me.realWait = monitor;
        waiting.add(me);
        if (switchAway(me, false) && !(me.released && me.wake == null)) {
            me.realWait = null; // admitted again at once (a timeout already due)
        } else {
            awaitTurnInWait(me, monitor); // (or let go here at the run's end, not woken: its real wait)
        }
        me.monitor = null;
        me.reacquire(monitor, me.reacquireCount);
        // Let go while the model had not woken it: a notify, its timeout or an interrupt ended its real wait.
        boolean interrupted = me.released && me.wake == null && Thread.interrupted();
        if (me.wake == Wake.INTERRUPTED || interrupted) {
            Thread.interrupted();
            throw new InterruptedException();
        }
    }

    void notify(Object monitor, boolean all) {
        if (!Thread.holdsLock(monitor)) {
            throw new IllegalMonitorStateException("current thread is not owner");
        }
        if (!notifyModel(monitor, all)) {
            // No managed thread waits on it; an unmanaged one may.
            if (all) {
                monitor.notifyAll();
            } else {
                monitor.notify();
            }
        }
    }

    private boolean notifyModel(Object monitor, boolean all) {
        boolean any = false;
        for (int i = 0; i < waiting.size(); i++) {
            ManagedThread thread = waiting.get(i);
            if (thread.monitor == monitor) {
                waiting.remove(i--);
                if (thread.deadline != ManagedThread.NO_DEADLINE) {
                    thread.deadline = ManagedThread.NO_DEADLINE;
                    timedBlocks--;
                }
                wantMonitorBack(thread, Wake.NOTIFIED);
                any = true;
                if (!all) {
                    break;
                }
            }
        }
        return any;
    }

    /** A thread leaving the wait set competes for its monitor again. */
    private void wantMonitorBack(ManagedThread thread, Wake wake) {
        if (thread.deadline != ManagedThread.NO_DEADLINE) {
            thread.deadline = ManagedThread.NO_DEADLINE;
            timedBlocks--;
        }
        thread.wake = wake;
        if (ownerOf(thread.monitor) == null) {
            thread.state = State.RUNNABLE;
            runQueue.addLast(thread);
        } else {
            thread.state = State.BLOCKED;
            blocked.add(thread);
        }
    }

    // ---- park ----

    void park(Object blocker, long time, boolean absolute) {
        ManagedThread me = current;
        if (me.permit) {
            me.permit = false;
            return;
        }
        if (me.thread.isInterrupted()) {
            return;
        }
        long nanos = 0;
        if (absolute) {
            nanos = Math.max(1, TimeUnit.MILLISECONDS.toNanos(time - System.currentTimeMillis()));
        } else if (time > 0) {
            nanos = time;
        }
        block(me, State.PARKED, nanos);
        if (!switchAway(me, false)) {
            awaitTurn(me);
        }
    }

    void unpark(Thread thread) {
        ManagedThread target = lookup(thread);
        if (Thread.currentThread() != Hooks.holder) {
            if (target != null) {
                fromOutside(target, Wake.UNPARKED);
            } else {
                Parking.unpark(thread);
            }
            return;
        }
        if (target == null) {
            Parking.unpark(thread);
        } else {
            apply(target, Wake.UNPARKED); // the same rule as an unpark from outside, applied at once
        }
    }

    // ---- blocking calls made without the token ----

    /** A call that may block. */
    interface BlockingCall<T> {
        T call() throws Exception;
    }

    /**
     * A call that may block for long: the token goes to others meanwhile, and the thread is
     * admitted back at a logged point. The replay performs it only if {@code performOnReplay}.
     */
    <T> T outside(BlockingCall<T> call, boolean performOnReplay) throws Exception {
        ManagedThread me = current;
        me.outsideCall.set(ManagedThread.CALLING);
        block(me, State.OUTSIDE, 0);
        switchAway(me, false);
        T result = null;
        Throwable thrown = null;
        if (recording || performOnReplay) {
            try {
                result = call.call();
            } catch (Throwable t) {
                thrown = t;
            }
        }
        me.outsideCall.set(ManagedThread.RETURNED);
        if (recording) {
            queueReturned(me);
        }
        awaitTurn(me);
        if (thrown instanceof Exception) {
            throw (Exception) thrown;
        }
        if (thrown != null) {
            throw (Error) thrown;
        }
        return result;
    }

    /** Runs agent work on the holder: the hooks let its calls through. */
    private void selfless(Runnable work) {
        ManagedThread me = Thread.currentThread() == Hooks.holder ? current : null;
        if (me == null) {
            work.run();
            return;
        }
        boolean was = me.inAgent;
        me.inAgent = true;
        try {
            work.run();
        } finally {
            me.inAgent = was;
        }
    }

    private interface InterruptibleWork {
        void run() throws InterruptedException;
    }

    private void selflessInterruptibly(InterruptibleWork work) throws InterruptedException {
        ManagedThread me = current;
        boolean was = me.inAgent;
        me.inAgent = true;
        try {
            work.run();
        } finally {
            me.inAgent = was;
        }
    }

    // ---- watchdog ----

    private void watchdog(long thresholdMillis) {
        Thread suspect = null;
        long suspectPoint = -1;
        long since = 0;
        long stalledSince = 0;
        long stalledPoint = -1;
        long period = Math.max(10, Math.min(1000, thresholdMillis / 4));
        while (!detached) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            Thread holder = Hooks.holder;
            if (holder == null && admissionWaitsWhileIdle()) {
                if (stalledSince == 0 || point != stalledPoint) {
                    stalledSince = System.nanoTime();
                    stalledPoint = point;
                } else if (System.nanoTime() - stalledSince >= TimeUnit.MILLISECONDS.toNanos(thresholdMillis)) {
                    Fatal.halt(Fatal.AGENT, "nobody holds the token, and a wake-up from outside has waited " + thresholdMillis
                        + " ms for its admission (a wake-up lost in the agent's scheduler). Stacks of the scheduler thread and "
                        + "the managed threads:" + System.lineSeparator() + stackOf("\"" + idleThread.getName() + "\"", idleThread) + stacks());
                }
            } else {
                stalledSince = 0;
            }
            Thread.State state = holder == null ? null : holder.getState();
            ManagedThread model = current;
            // A holder waiting inside the agent's own work (a backup waiting for the log) is no missed switch point.
            boolean inAgent = model != null && model.thread == holder && model.inAgent;
            boolean stuck = !inAgent
                && (state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING);
            if (!stuck || holder != suspect || point != suspectPoint) {
                suspect = stuck ? holder : null;
                suspectPoint = point;
                since = System.nanoTime();
                continue;
            }
            if (System.nanoTime() - since >= TimeUnit.MILLISECONDS.toNanos(thresholdMillis)) {
                Fatal.halt(Fatal.AGENT, "thread \"" + holder.getName() + "\" holds the token but has been " + state
                    + " in the JVM for " + thresholdMillis + " ms: it blocks where the agent sees no switch point, and "
                    + "every other managed thread waits for it. Stacks of the managed threads:" + System.lineSeparator() + stacks());
            }
        }
    }

    /** An event from outside is queued while the token is free: the idle thread should be admitting it now. */
    private boolean admissionWaitsWhileIdle() {
        synchronized (idleLock) {
            return idle && !external.isEmpty();
        }
    }

    private static String stackOf(Object title, Thread thread) {
        StringBuilder out = new StringBuilder("  ").append(title).append(", JVM state ").append(thread.getState())
            .append(System.lineSeparator());
        for (StackTraceElement frame : thread.getStackTrace()) {
            out.append("\tat ").append(frame).append(System.lineSeparator());
        }
        return out.toString();
    }

    private String stacks() {
        StringBuilder out = new StringBuilder();
        for (ManagedThread thread : registry) {
            out.append(stackOf(thread, thread.thread));
        }
        return out.toString();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE - 1 : sum;
    }
}
