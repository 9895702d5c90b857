package io.lockstep.log;

import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.shutdown.PriorityHook;
import net.openhft.chronicle.threads.DiskSpaceMonitor;
import net.openhft.posix.internal.PosixAPIHolder;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chronicle reads a few global system properties when it first loads. We set the ones that
 * keep it quiet and private (no analytics, no banner, no {@code ./system.properties} from the
 * application's working directory), let it initialise, and put the properties back as they
 * were, so the application never sees them.
 * <p>
 * Chronicle's native POSIX layer (jnr-ffi, JNA) unpacks native libraries into the user's
 * cache or temp directory; we select its no-op layer instead, which a queue does not need, so
 * the agent writes no file outside the journal.
 */
public final class ChronicleSetup {
    private static boolean done;

    private ChronicleSetup() {
    }

    /**
     * From JDK 24 the JDK prints a warning on stderr the first time anything uses
     * sun.misc.Unsafe's memory access; Chronicle does. The application's stderr is not ours
     * to write on, so we mark that warning as given. (An application that uses sun.misc.Unsafe
     * itself then does not see it either.) No-op on JDKs without the warning.
     */
    private static void preemptUnsafeWarning() {
        try {
            java.lang.reflect.Method warned = Class.forName("sun.misc.Unsafe").getDeclaredMethod("trySetMemoryAccessWarned");
            warned.setAccessible(true);
            warned.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException absent) {
            // JDK 23 and older: there is no such warning
        }
    }

    /**
     * Runs {@code hook} at JVM shutdown, before Chronicle's own shutdown work releases the
     * resources a journal uses (Chronicle runs its shutdown tasks in priority order, in one
     * JVM shutdown hook; ours goes first).
     */
    public static void addShutdownHook(Runnable hook) {
        init();
        PriorityHook.add(0, hook);
    }

    public static synchronized void init() {
        if (done) {
            return;
        }
        // Chronicle starts threads of its own as it first loads (its resource releaser, its disk
        // space checker): made from a thread of the agent's group, they are in that group too.
        AgentThreads.runInGroup("lockstep-chronicle-init", ChronicleSetup::initHere);
        done = true;
    }

    private static void initHere() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("chronicle.analytics.disable", "true");
        settings.put("chronicle.announcer.disable", "true");
        // Loaded as a class-path resource of ours, which is empty.
        settings.put("system.properties", "lockstep-chronicle.properties");
        // Chronicle settles a build "target" directory when it loads (default $TMPDIR/target) and,
        // where it exists, writes the sources and classes it generates at run time into it (seen
        // as $TMPDIR/target and $TMPDIR/tmp in the no-trace test). A path that cannot exist keeps
        // that code generation in memory.
        settings.put("project.build.directory", "/dev/null/lockstep-has-no-build-directory");
        Map<String, String> previous = new LinkedHashMap<>();
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            previous.put(setting.getKey(), System.setProperty(setting.getKey(), setting.getValue()));
        }
        try {
            preemptUnsafeWarning();
            PosixAPIHolder.useNoOpPosixApi();
            Jvm.init();
            net.openhft.chronicle.core.OS.getTarget();
            // Registers Chronicle's shutdown hook now: a queue first opened while the JVM is
            // already shutting down could not register it and would fail.
            BackgroundResourceReleaser.isOnBackgroundResourceReleaserThread();
            DiskSpaceMonitor.INSTANCE.getThresholdPercentage(); // its thread starts with it; a queue's first file would start it
        } finally {
            for (Map.Entry<String, String> old : previous.entrySet()) {
                if (old.getValue() == null) {
                    System.clearProperty(old.getKey());
                } else {
                    System.setProperty(old.getKey(), old.getValue());
                }
            }
        }
    }
}
