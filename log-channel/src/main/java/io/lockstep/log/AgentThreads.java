package io.lockstep.log;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's own threads, and the libraries' threads they start (Chronicle's), live in a thread
 * group of their own under the JVM's top group, beside "main" rather than in it: an application
 * that counts or lists the threads of its group ({@code Thread.activeCount}, {@code
 * ThreadGroup.enumerate}) must find the same ones on a primary, its backup, a replay and without
 * the agent. A new thread joins the group of the thread that makes it, so a library thread made
 * on one of these is in the agent's group too.
 */
public final class AgentThreads {
    private static final ThreadGroup GROUP = new ThreadGroup(topGroup(), "lockstep");

    private AgentThreads() {
    }

    /** A daemon thread of the agent's group, not started. */
    public static Thread newDaemon(String name, Runnable task) {
        Thread thread = new Thread(GROUP, task, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Runs {@code work} on a thread of the agent's group and waits for it, so that the threads it
     * starts, which a library may start from any caller, are the agent's too.
     */
    public static void runInGroup(String name, Runnable work) {
        if (inGroup()) {
            work.run();
            return;
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = newDaemon(name, () -> {
            try {
                work.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the work must end before its caller goes on; the interrupt stays the caller's
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable failed = failure.get();
        if (failed instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failed instanceof Error error) {
            throw error;
        }
        if (failed != null) {
            throw new IllegalStateException(failed);
        }
    }

    private static boolean inGroup() {
        for (ThreadGroup group = Thread.currentThread().getThreadGroup(); group != null; group = group.getParent()) {
            if (group == GROUP) {
                return true;
            }
        }
        return false;
    }

    private static ThreadGroup topGroup() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null) {
            group = group.getParent();
        }
        return group;
    }
}
