package io.lockstep.boot;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Map;

/**
 * What {@link Hooks} forwards to once the agent is installed. Implemented by the runtime,
 * which lives in the agent's own class loader; this interface is on the bootstrap class path
 * so that JDK classes can reach it.
 */
public interface HookDelegate {
    /** True when the current thread is managed and not inside the agent: its calls are recorded or replayed. */
    boolean intercepting();

    /** A value read from a nondeterministic source; returns the value the application sees. */
    long value(long real, int kind);

    int value(int real, int kind);

    /**
     * A value that is only meaningful relative to {@code base} (the nanosecond adjustment of
     * Clock, relative to its offset in seconds): replay returns the recorded instant expressed
     * against this run's base.
     */
    long relativeValue(long base, long real, int kind);

    int hashCode(Object object);

    int identityHashCode(Object object);

    String getenv(String name);

    Map<String, String> getenv();

    void secureRandomNextBytes(SecureRandom random, byte[] bytes, Object parameters);

    byte[] secureRandomGenerateSeed(SecureRandom random, int numBytes);

    void secureRandomReseed(SecureRandom random, Object parameters);

    InetAddress localHost() throws UnknownHostException;

    int stdinRead(FileInputStream in) throws IOException;

    int stdinRead(FileInputStream in, byte[] bytes, int offset, int length) throws IOException;

    byte[] stdinReadNBytes(FileInputStream in, int length) throws IOException;

    long stdinSkip(FileInputStream in, long count) throws IOException;

    int stdinAvailable(FileInputStream in) throws IOException;

    long stdinTransferTo(FileInputStream in, OutputStream out) throws IOException;
}
