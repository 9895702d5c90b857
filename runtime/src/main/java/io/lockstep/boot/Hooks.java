package io.lockstep.boot;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
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

    /**
     * The managed thread that holds the token, or null. Only it runs managed code, so the
     * scheduler's model needs no lock: the token is the lock. Written at each hand-over.
     * <p>
     * Volatile on purpose, although the ticks read it most. A plain field would be enough for
     * a thread to see itself as the holder once granted (the grant's volatile {@code granted}
     * flag orders it) and never wrongly (a thread that hands over writes the new holder itself),
     * but not for the rest: a thread that sees itself named by a racing grant before it has read
     * {@code granted} would read the scheduler's {@code current} and budget from before that
     * grant (the other hooks run in that window, inside the agent's hand-over code), and a
     * holder would not see {@code detach} (another thread setting null) until its next call out.
     * On x86 a volatile read is a plain load; measured (CpuBound, JMH plainIncrement) a plain
     * field made no difference that the noise of a shared 2-core machine let through.
     */
    public static volatile Thread holder;
    /** Ticks the holder may still spend before it is preempted. Only the holder touches it. */
    public static int budget;

    private Hooks() {
    }

    public static void install(HookDelegate installed) {
        delegate = installed;
    }

    // ---- scheduling: ticks, monitors and the thread primitives of java.lang ----

    /**
     * Loop back-edges a frame counts by itself before it spends them on the budget, all at once:
     * a power of two. Record and replay must agree on it (it is part of the agent jar they compare).
     */
    public static final int BACK_EDGES = 128;

    /** At method entries of application code: deterministic preemption. */
    public static void tick() {
        if (Thread.currentThread() == holder && --budget < 0) {
            delegate.budgetExpired();
        }
    }

    /**
     * At every loop back-edge of application code, with the frame's own count of its back-edges
     * so far (a local variable the transformer adds, 0 at the method's entry): every
     * {@link #BACK_EDGES}th one spends that many ticks. Only a count the frame keeps decides, so
     * both sides preempt at the same back-edges; the JIT inlines this, and the loop pays an
     * increment and a test instead of the budget's load and store.
     */
    public static void backEdge(int count) {
        if ((count & (BACK_EDGES - 1)) == 0) {
            backEdges();
        }
    }

    private static void backEdges() {
        if (Thread.currentThread() == holder && (budget -= BACK_EDGES) < 0) {
            delegate.budgetExpired();
        }
    }

    /** Before a real monitorenter: waits, in the model, until no other managed thread owns the monitor. */
    public static void monitorEnter(Object monitor) {
        if (Thread.currentThread() == holder) {
            delegate.monitorEnter(monitor);
        }
    }

    /** Beside a real monitorexit: before it inside a block, after it on javac's exception path (see HookClassVisitor). */
    public static void monitorExit(Object monitor) {
        if (Thread.currentThread() == holder) {
            delegate.monitorExit(monitor);
        }
    }

    public static void wait(Object monitor) throws InterruptedException {
        waitNanos(monitor, 0L, 0L);
    }

    public static void wait(Object monitor, long millis) throws InterruptedException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout value is negative");
        }
        waitNanos(monitor, millis, 0L);
    }

    public static void wait(Object monitor, long millis, int nanos) throws InterruptedException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout value is negative");
        }
        if (nanos < 0 || nanos > 999_999) {
            throw new IllegalArgumentException("nanosecond timeout value out of range");
        }
        waitNanos(monitor, millis, nanos);
    }

    private static void waitNanos(Object monitor, long millis, long nanos) throws InterruptedException {
        if (Thread.currentThread() == holder) {
            delegate.await(monitor, millis == 0 && nanos == 0 ? 0L : saturatedNanos(millis, nanos));
        } else if (nanos > 0 && millis < Long.MAX_VALUE) {
            monitor.wait(millis + 1);
        } else {
            monitor.wait(millis);
        }
    }

    public static void notify(Object monitor) {
        if (Thread.currentThread() == holder) {
            delegate.notify(monitor, false);
        } else {
            monitor.notify();
        }
    }

    public static void notifyAll(Object monitor) {
        if (Thread.currentThread() == holder) {
            delegate.notify(monitor, true);
        } else {
            monitor.notifyAll();
        }
    }

    public static void sleep(long millis) throws InterruptedException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout value is negative");
        }
        sleepNanos(millis, 0);
    }

    public static void sleep(long millis, int nanos) throws InterruptedException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout value is negative");
        }
        if (nanos < 0 || nanos > 999_999) {
            throw new IllegalArgumentException("nanosecond timeout value out of range");
        }
        sleepNanos(millis, nanos);
    }

    public static void sleep(java.time.Duration duration) throws InterruptedException {
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException e) {
            nanos = duration.isNegative() ? 0 : Long.MAX_VALUE;
        }
        if (nanos > 0) {
            sleepNanos(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
    }

    private static void sleepNanos(long millis, int nanos) throws InterruptedException {
        if (Thread.currentThread() == holder) {
            delegate.sleep(saturatedNanos(millis, nanos));
        } else {
            Thread.sleep(millis, nanos);
        }
    }

    public static void yield() {
        if (Thread.currentThread() == holder) {
            delegate.yield();
        } else {
            Thread.yield();
        }
    }

    public static void onSpinWait() {
        if (Thread.currentThread() == holder) {
            delegate.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    public static Thread.State threadState(Thread thread) {
        return Thread.currentThread() == holder ? delegate.threadState(thread) : thread.getState();
    }

    public static void join(Thread thread) throws InterruptedException {
        if (Thread.currentThread() == holder) {
            delegate.join(thread, 0L);
        } else {
            thread.join();
        }
    }

    public static void join(Thread thread, long millis) throws InterruptedException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout value is negative");
        }
        if (Thread.currentThread() == holder) {
            delegate.join(thread, millis == 0 ? 0L : saturatedNanos(millis, 0));
        } else {
            thread.join(millis);
        }
    }

    public static void join(Thread thread, long millis, int nanos) throws InterruptedException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout value is negative");
        }
        if (nanos < 0 || nanos > 999_999) {
            throw new IllegalArgumentException("nanosecond timeout value out of range");
        }
        if (Thread.currentThread() == holder) {
            delegate.join(thread, millis == 0 && nanos == 0 ? 0L : saturatedNanos(millis, nanos));
        } else {
            thread.join(millis, nanos);
        }
    }

    private static long saturatedNanos(long millis, long nanos) {
        return millis >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : millis * 1_000_000 + nanos;
    }

    /** Prologue of every run() a new thread may start in: a managed thread waits for its first turn. */
    public static void threadBegins() {
        HookDelegate d = delegate;
        if (d != null) {
            d.threadBegins();
        }
    }

    /** Around a JDK class initialiser: see HookDelegate#jdkInit. */
    public static void jdkInitBegins() {
        if (Thread.currentThread() == holder) {
            delegate.jdkInit(1);
        }
    }

    public static void jdkInitEnds() {
        if (Thread.currentThread() == holder) {
            delegate.jdkInit(-1);
        }
    }

    /** Prologue of Thread.exit(), which the VM calls when a thread ends. */
    public static void threadExits() {
        HookDelegate d = delegate;
        if (d != null) {
            d.threadExits();
        }
    }

    /** Prologue of Runtime.exit. */
    public static void exitBegins() {
        HookDelegate d = delegate;
        if (d != null) {
            d.exitBegins();
        }
    }

    /** Guard of Thread.interrupt and LockSupport.unpark: a managed caller, or any caller acting on a managed thread. */
    public static boolean interceptingThread(Thread target) {
        HookDelegate d = delegate;
        return d != null && d.interceptingThread(target);
    }

    /** Prologue of Thread.start: a thread a managed thread starts is managed; it is known before it runs. */
    public static void threadStarting(Thread thread) {
        HookDelegate d = delegate;
        if (d != null && Thread.currentThread() == holder) {
            d.threadStarting(thread);
        }
    }

    /** Thread.NO_INHERIT_THREAD_LOCALS, a characteristic a thread builder passes (JDK 21+). */
    private static final int NO_INHERIT_THREAD_LOCALS = 1 << 2;

    /**
     * ThreadBuilders.newVirtualThread on a managed thread: a platform thread instead (a daemon, as
     * a virtual thread is), which the scheduler runs like any other. A virtual thread runs on the
     * JDK's carrier threads and is unparked by its poller threads, which no log could order.
     */
    public static Thread newVirtualThread(java.util.concurrent.Executor scheduler, String name, int characteristics,
                                          Runnable task) {
        if (scheduler != null) {
            throw new UnsupportedOperationException("lockstep: a virtual thread with a scheduler of its own");
        }
        boolean inherit = (characteristics & NO_INHERIT_THREAD_LOCALS) == 0;
        Thread thread = new Thread(null, task, name == null ? "" : name, 0, inherit);
        thread.setDaemon(true);
        return thread;
    }

    public static void interrupt(Thread thread) {
        delegate.interrupt(thread);
    }

    public static void park() {
        delegate.park(null, 0L, false);
    }

    public static void park(Object blocker) {
        delegate.park(blocker, 0L, false);
    }

    public static void parkNanos(long nanos) {
        if (nanos > 0) {
            delegate.park(null, nanos, false);
        }
    }

    public static void parkNanos(Object blocker, long nanos) {
        if (nanos > 0) {
            delegate.park(blocker, nanos, false);
        }
    }

    public static void parkUntil(long deadlineMillis) {
        delegate.park(null, deadlineMillis, true);
    }

    public static void parkUntil(Object blocker, long deadlineMillis) {
        delegate.park(blocker, deadlineMillis, true);
    }

    /** jdk.internal.misc.Unsafe.park(absolute, time), as LockSupport would call it. */
    public static void unsafePark(Object unsafe, boolean absolute, long time) {
        if (Thread.currentThread() == holder) {
            delegate.park(null, absolute ? time : Math.max(0, time), absolute);
        } else if (absolute) {
            java.util.concurrent.locks.LockSupport.parkUntil(time);
        } else if (time > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(time);
        } else if (time == 0) {
            java.util.concurrent.locks.LockSupport.park();
        }
    }

    /** jdk.internal.misc.Unsafe.unpark(thread). */
    public static void unsafeUnpark(Object unsafe, Object thread) {
        if (thread instanceof Thread) {
            HookDelegate d = delegate;
            if (d != null && d.interceptingThread((Thread) thread)) {
                d.unpark((Thread) thread);
            } else {
                java.util.concurrent.locks.LockSupport.unpark((Thread) thread);
            }
        }
    }

    public static void unpark(Thread thread) {
        if (thread != null) {
            delegate.unpark(thread);
        }
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
        // Other bootstrap classes keep their own hashCode() off the token holder (the agent's
        // ClassValue and WeakHashMap lookups come through here too).
        if (d == null || (type.getClassLoader() == null && type != Object.class && type != Class.class
            && type != Thread.class && !type.isArray() && Thread.currentThread() != holder)) {
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

    /** At the entry of FileOutputStream's writes: stdout and stderr of managed threads, in the live modes. */
    public static boolean interceptingOutput(FileDescriptor fd) {
        if (fd != FileDescriptor.out && fd != FileDescriptor.err) {
            return false;
        }
        HookDelegate d = delegate;
        return d != null && Thread.currentThread() == holder && d.interceptingOutput();
    }

    public static void output(java.io.FileOutputStream stream, int b) throws IOException {
        delegate.output(stream, new byte[] {(byte) b}, 0, 1);
    }

    public static void output(java.io.FileOutputStream stream, byte[] bytes) throws IOException {
        delegate.output(stream, bytes, 0, bytes.length);
    }

    public static void output(java.io.FileOutputStream stream, byte[] bytes, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        delegate.output(stream, bytes, offset, length);
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

    // ---- sockets: sun.nio.ch, the layer that java.net's sockets and java.nio's channels share ----
    // Java methods there are intercepted at their entry; Net's natives are redirected at their call sites.

    /** At the entry of SocketDispatcher's reads, writes and close: a socket's, on a managed thread. */
    public static boolean interceptingSocket(Object dispatcher) {
        HookDelegate d = delegate;
        return d != null && d.interceptingSocket(dispatcher);
    }

    public static int socketRead(Object dispatcher, FileDescriptor fd, long address, int length) throws IOException {
        return (int) delegate.socketRead(dispatcher, fd, address, length, false);
    }

    public static long socketReadv(Object dispatcher, FileDescriptor fd, long address, int count) throws IOException {
        return delegate.socketRead(dispatcher, fd, address, count, true);
    }

    public static int socketWrite(Object dispatcher, FileDescriptor fd, long address, int length) throws IOException {
        return (int) delegate.socketWrite(dispatcher, fd, address, length, false);
    }

    public static long socketWritev(Object dispatcher, FileDescriptor fd, long address, int count) throws IOException {
        return delegate.socketWrite(dispatcher, fd, address, count, true);
    }

    public static void socketClose(Object dispatcher, FileDescriptor fd) throws IOException {
        delegate.socketClose(dispatcher, fd);
    }

    public static int socketConnect(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port) throws IOException {
        return delegate.socketConnect(family, fd, address, port);
    }

    public static boolean socketPollConnectNow(FileDescriptor fd) throws IOException {
        return delegate.socketPollConnectNow(fd);
    }

    public static void socketBind(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port) throws IOException {
        delegate.socketBind(family, fd, address, port);
    }

    public static InetSocketAddress socketLocalAddress(FileDescriptor fd) throws IOException {
        return delegate.socketLocalAddress(fd);
    }

    public static int socketAccept(FileDescriptor listener, FileDescriptor accepted, InetSocketAddress[] remote) throws IOException {
        HookDelegate d = delegate;
        if (d != null && d.intercepting()) {
            return d.socketAccept(listener, accepted, remote);
        }
        return SocketNatives.accept(listener, accepted, remote);
    }

    public static int socketPoll(FileDescriptor fd, int events, long timeoutMillis) throws IOException {
        HookDelegate d = delegate;
        if (d != null && d.intercepting()) {
            return d.socketPoll(fd, events, timeoutMillis);
        }
        return SocketNatives.poll(fd, events, timeoutMillis);
    }

    public static void socketListen(FileDescriptor fd, int backlog) throws IOException {
        HookDelegate d = delegate;
        if (d != null && d.intercepting()) {
            d.socketListen(fd, backlog);
            return;
        }
        SocketNatives.listen(fd, backlog);
    }

    public static void socketShutdown(FileDescriptor fd, int how) throws IOException {
        HookDelegate d = delegate;
        if (d != null && d.intercepting()) {
            d.socketShutdown(fd, how);
            return;
        }
        SocketNatives.shutdown(fd, how);
    }

    public static int socketAvailable(FileDescriptor fd) throws IOException {
        HookDelegate d = delegate;
        if (d != null && d.intercepting()) {
            return d.socketAvailable(fd);
        }
        return SocketNatives.available(fd);
    }

    public static int epollWait(int epfd, long address, int numfds, int timeout) throws IOException {
        HookDelegate d = delegate;
        if (d != null && d.intercepting()) {
            return d.epollWait(epfd, address, numfds, timeout);
        }
        return EPollNatives.await(epfd, address, numfds, timeout);
    }

    public static int epollCtl(int epfd, int opcode, int fd, int events) {
        HookDelegate d = delegate;
        if (d != null && d.intercepting()) {
            return d.epollCtl(epfd, opcode, fd, events);
        }
        return EPollNatives.ctl(epfd, opcode, fd, events);
    }

    /**
     * What a real call through a method handle threw, as its caller may throw it: unchecked ones
     * as they are (rethrown here), an IOException as it is, anything else wrapped in one.
     */
    public static IOException ioFailure(Throwable thrown) {
        if (thrown instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        return thrown instanceof IOException io ? io : new IOException(thrown);
    }

    /** The natives of {@code sun.nio.ch.EPoll} (Linux) whose calls come here. */
    public static final class EPollNatives {
        private static final MethodHandle WAIT;
        private static final MethodHandle CTL;

        static {
            try {
                Class<?> epoll = Class.forName("sun.nio.ch.EPoll");
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(epoll, MethodHandles.lookup());
                WAIT = lookup.findStatic(epoll, "wait", MethodType.methodType(int.class, int.class, long.class, int.class, int.class));
                CTL = lookup.findStatic(epoll, "ctl", MethodType.methodType(int.class, int.class, int.class, int.class, int.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private EPollNatives() {
        }

        public static int await(int epfd, long address, int numfds, int timeout) throws IOException {
            try {
                return (int) WAIT.invokeExact(epfd, address, numfds, timeout);
            } catch (Throwable t) {
                throw ioFailure(t);
            }
        }

        public static int ctl(int epfd, int opcode, int fd, int events) {
            try {
                return (int) CTL.invokeExact(epfd, opcode, fd, events);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** The natives of {@code sun.nio.ch.Net} whose calls come here: the real calls, for everything the session does not take. */
    public static final class SocketNatives {
        private static final MethodHandle ACCEPT;
        private static final MethodHandle POLL;
        private static final MethodHandle LISTEN;
        private static final MethodHandle SHUTDOWN;
        private static final MethodHandle AVAILABLE;

        static {
            try {
                Class<?> net = Class.forName("sun.nio.ch.Net");
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
                ACCEPT = lookup.findStatic(net, "accept",
                    MethodType.methodType(int.class, FileDescriptor.class, FileDescriptor.class, InetSocketAddress[].class));
                POLL = lookup.findStatic(net, "poll", MethodType.methodType(int.class, FileDescriptor.class, int.class, long.class));
                LISTEN = lookup.findStatic(net, "listen", MethodType.methodType(void.class, FileDescriptor.class, int.class));
                SHUTDOWN = lookup.findStatic(net, "shutdown", MethodType.methodType(void.class, FileDescriptor.class, int.class));
                AVAILABLE = lookup.findStatic(net, "available", MethodType.methodType(int.class, FileDescriptor.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private SocketNatives() {
        }

        public static int accept(FileDescriptor listener, FileDescriptor accepted, InetSocketAddress[] remote) throws IOException {
            try {
                return (int) ACCEPT.invokeExact(listener, accepted, remote);
            } catch (Throwable t) {
                throw ioFailure(t);
            }
        }

        public static int poll(FileDescriptor fd, int events, long timeoutMillis) throws IOException {
            try {
                return (int) POLL.invokeExact(fd, events, timeoutMillis);
            } catch (Throwable t) {
                throw ioFailure(t);
            }
        }

        public static void listen(FileDescriptor fd, int backlog) throws IOException {
            try {
                LISTEN.invokeExact(fd, backlog);
            } catch (Throwable t) {
                throw ioFailure(t);
            }
        }

        public static int available(FileDescriptor fd) throws IOException {
            try {
                return (int) AVAILABLE.invokeExact(fd);
            } catch (Throwable t) {
                throw ioFailure(t);
            }
        }

        public static void shutdown(FileDescriptor fd, int how) throws IOException {
            try {
                SHUTDOWN.invokeExact(fd, how);
            } catch (Throwable t) {
                throw ioFailure(t);
            }
        }
    }
}
