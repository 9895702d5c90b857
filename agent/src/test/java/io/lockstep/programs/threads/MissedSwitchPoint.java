package io.lockstep.programs.threads;

import java.lang.ref.ReferenceQueue;

/** Blocks where the agent sees no switch point (a ReferenceQueue's own wait): the watchdog must report it. */
public final class MissedSwitchPoint {
    public static void main(String[] args) throws Exception {
        Thread other = new Thread(() -> System.out.println("other ran"), "other");
        other.start();
        System.out.println("blocking");
        new ReferenceQueue<Object>().remove();
    }
}
