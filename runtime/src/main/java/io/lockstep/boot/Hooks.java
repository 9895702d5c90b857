package io.lockstep.boot;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Map;

/**
 * The entry points that instrumented code calls, JDK classes included. They live on the
 * bootstrap class path, in a package no JDK module owns, and stay tiny: until the agent
 * installs its delegate, and on threads the agent does not manage, every one of them falls
 * through to the original behaviour.
 */
public final class Hooks {
    private static volatile HookDelegate delegate;

    private Hooks() {
    }

    public static void install(HookDelegate installed) {
        delegate = installed;
    }

    // ---- values: the instrumented call has happened; its result passes through here ----

    public static long value(long real, int kind) {
        HookDelegate d = delegate;
        return d == null ? real : d.value(real, kind);
    }

    public static int value(int real, int kind) {
        HookDelegate d = delegate;
        return d == null ? real : d.value(real, kind);
    }

    /** A value measured from {@code base}, such as a clock adjustment from an offset. */
    public static long relativeValue(long base, long real, int kind) {
        HookDelegate d = delegate;
        return d == null ? real : d.relativeValue(base, real, kind);
    }

    // ---- identity: replaces calls of Object.hashCode() and System.identityHashCode() ----

    public static int hashCode(Object object) {
        Class<?> type = object.getClass();
        // The hot path (HashMap.hash and friends) never leaves this method. The commonest keys
        // get calls the JIT can inline, since every rewritten call site shares the one below.
        if (type == String.class) {
            return ((String) object).hashCode();
        }
        if (type == Integer.class) {
            return ((Integer) object).hashCode();
        }
        if (type == Long.class) {
            return ((Long) object).hashCode();
        }
        HookDelegate d = delegate;
        // A bootstrap class other than Object, Class, Thread or an array keeps its own hashCode().
        if (d == null || (type.getClassLoader() == null && type != Object.class && type != Class.class
            && type != Thread.class && !type.isArray())) {
            return object.hashCode();
        }
        return d.hashCode(object);
    }

    public static int identityHashCode(Object object) {
        HookDelegate d = delegate;
        return d == null ? System.identityHashCode(object) : d.identityHashCode(object);
    }

    // ---- intercepted methods: "if (Hooks.intercepting()) return Hooks.x(args);" at their entry ----

    public static boolean intercepting() {
        HookDelegate d = delegate;
        return d != null && d.intercepting();
    }

    public static boolean interceptingStdin(FileDescriptor fd) {
        return fd == FileDescriptor.in && intercepting();
    }

    public static String getenv(String name) {
        return delegate.getenv(name);
    }

    public static Map<String, String> getenv() {
        return delegate.getenv();
    }

    public static void secureRandomNextBytes(SecureRandom random, byte[] bytes) {
        delegate.secureRandomNextBytes(random, bytes, null);
    }

    public static void secureRandomNextBytes(SecureRandom random, byte[] bytes, Object parameters) {
        delegate.secureRandomNextBytes(random, bytes, parameters);
    }

    public static byte[] secureRandomGenerateSeed(SecureRandom random, int numBytes) {
        return delegate.secureRandomGenerateSeed(random, numBytes);
    }

    public static void secureRandomReseed(SecureRandom random) {
        delegate.secureRandomReseed(random, null);
    }

    public static void secureRandomReseed(SecureRandom random, Object parameters) {
        delegate.secureRandomReseed(random, parameters);
    }

    public static InetAddress localHost() throws UnknownHostException {
        return delegate.localHost();
    }

    public static int stdinRead(FileInputStream in) throws IOException {
        return delegate.stdinRead(in);
    }

    public static int stdinRead(FileInputStream in, byte[] bytes) throws IOException {
        return delegate.stdinRead(in, bytes, 0, bytes.length);
    }

    public static int stdinRead(FileInputStream in, byte[] bytes, int offset, int length) throws IOException {
        return delegate.stdinRead(in, bytes, offset, length);
    }

    public static byte[] stdinReadAllBytes(FileInputStream in) throws IOException {
        return delegate.stdinReadNBytes(in, Integer.MAX_VALUE);
    }

    public static byte[] stdinReadNBytes(FileInputStream in, int length) throws IOException {
        return delegate.stdinReadNBytes(in, length);
    }

    public static long stdinSkip(FileInputStream in, long count) throws IOException {
        return delegate.stdinSkip(in, count);
    }

    public static int stdinAvailable(FileInputStream in) throws IOException {
        return delegate.stdinAvailable(in);
    }

    public static long stdinTransferTo(FileInputStream in, OutputStream out) throws IOException {
        return delegate.stdinTransferTo(in, out);
    }
}
