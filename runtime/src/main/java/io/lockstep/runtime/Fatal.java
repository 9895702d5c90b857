package io.lockstep.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The agent's own voice: errors go to the process's real stderr (whatever the application did
 * to System.err), prefixed "lockstep:", and fatal ones end the JVM at once with a status that
 * says which kind of failure it was.
 */
public final class Fatal {
    /** Bad agent options. */
    public static final int CONFIG = 2;
    /** A journal that cannot be used. */
    public static final int JOURNAL = 3;
    /** Replay diverged from the recording, or the recording was made by something else. */
    public static final int DIVERGENCE = 4;
    /** The agent itself failed to start. */
    public static final int AGENT = 5;
    /** The arbiter says no: another primary holds the lock, or this backup lost a primary that is still alive (stale). */
    public static final int ARBITER = 6;

    private static final PrintStream STDERR = new PrintStream(new FileOutputStream(FileDescriptor.err), true,
        StandardCharsets.UTF_8);

    private Fatal() {
    }

    public static void warn(String message) {
        STDERR.println("lockstep: " + message);
        STDERR.flush();
    }

    public static RuntimeException halt(int status, String message) {
        warn(message);
        Runtime.getRuntime().halt(status);
        throw new IllegalStateException("unreachable");
    }
}
