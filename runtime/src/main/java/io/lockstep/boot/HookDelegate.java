package io.lockstep.boot;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
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

    /** True when a write to stdout or stderr by the current thread is the session's to handle (live modes, managed thread). */
    boolean interceptingOutput();

    /** A managed thread writes to stdout or stderr: held until the backup has the log (primary), or suppressed (backup). */
    void output(java.io.FileOutputStream stream, byte[] bytes, int offset, int length) throws IOException;

    // ---- scheduling (see Hooks): called only on the token holder unless said otherwise ----

    void budgetExpired();

    void monitorEnter(Object monitor);

    void monitorExit(Object monitor);

    /** Object.wait with a timeout in nanoseconds, 0 for none. */
    void await(Object monitor, long nanos) throws InterruptedException;

    void notify(Object monitor, boolean all);

    void sleep(long nanos) throws InterruptedException;

    void yield();

    /** Thread.join with a timeout in nanoseconds, 0 for none. */
    void join(Thread thread, long nanos) throws InterruptedException;

    /** Thread.getState, on the token holder. */
    Thread.State threadState(Thread thread);

    /** On any thread that is not the holder. */
    void threadBegins();

    /** On any thread. */
    void threadExits();

    /** On any thread. */
    void exitBegins();

    /** On any thread. */
    boolean interceptingThread(Thread target);

    void threadStarting(Thread thread);

    /** A JDK class initialiser begins (+1) or ends (-1) on the holder: inside, nothing is recorded. */
    void jdkInit(int delta);

    /** On any thread (guarded by interceptingThread). */
    void interrupt(Thread thread);

    /** LockSupport.park: {@code time} is a relative timeout in nanoseconds (0: none) or an absolute deadline in ms. */
    void park(Object blocker, long time, boolean absolute);

    /** On any thread (guarded by interceptingThread). */
    void unpark(Thread thread);

    // ---- sockets (sun.nio.ch): on managed threads that are intercepting, except where said ----

    /** Whether the current thread's call through {@code dispatcher} is the session's: managed, intercepting, a socket's dispatcher. */
    boolean interceptingSocket(Object dispatcher);

    /**
     * {@code SocketDispatcher.read} ({@code vectored}: {@code readv}, {@code length} iovecs at
     * {@code address}).
     */
    long socketRead(Object dispatcher, FileDescriptor fd, long address, int length, boolean vectored) throws IOException;

    long socketWrite(Object dispatcher, FileDescriptor fd, long address, int length, boolean vectored) throws IOException;

    /** {@code SocketDispatcher.close} (JDK 17) or {@code UnixDispatcher.close} (JDK 25, datagrams too): on managed threads. */
    void socketClose(Object dispatcher, FileDescriptor fd) throws IOException;

    int socketConnect(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port) throws IOException;

    boolean socketPollConnectNow(FileDescriptor fd) throws IOException;

    void socketBind(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port) throws IOException;

    InetSocketAddress socketLocalAddress(FileDescriptor fd) throws IOException;

    int socketAccept(FileDescriptor listener, FileDescriptor accepted, InetSocketAddress[] remote) throws IOException;

    int socketPoll(FileDescriptor fd, int events, long timeoutMillis) throws IOException;

    void socketListen(FileDescriptor fd, int backlog) throws IOException;

    void socketShutdown(FileDescriptor fd, int how) throws IOException;

    /** {@code Net.available}: bytes a socket has ready to read. */
    int socketAvailable(FileDescriptor fd) throws IOException;

    /** {@code EPoll.wait} of a selector: what it reports. */
    int epollWait(int epfd, long address, int numfds, int timeout) throws IOException;

    /** {@code EPoll.ctl}: made for real; the descriptors it adds get the names the log uses for them. */
    int epollCtl(int epfd, int opcode, int fd, int events);
}
