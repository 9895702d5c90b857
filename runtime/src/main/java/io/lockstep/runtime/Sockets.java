package io.lockstep.runtime;

import io.lockstep.boot.Hooks;
import io.lockstep.log.Block;
import io.lockstep.log.Entry;
import io.lockstep.log.EntryKind;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sockets as recorded input and held output, at the layer of {@code sun.nio.ch} that
 * {@code java.net.Socket}/{@code ServerSocket} and the NIO socket channels share: the bytes
 * through {@code SocketDispatcher}, connect, bind and local addresses through {@code Net}, Net's
 * natives accept, poll, available, listen and shutdown at their call sites, and what a selector's epoll
 * reports (each descriptor named by the order in which the application registered it).
 * <p>
 * Record: each call is made for real and its outcome logged (the bytes read, EOF, a reset, a
 * timeout's empty poll, the accepted peer). A write is an output: under the output rule
 * (primary) it is held until the backup has its entry, and the application is told it was
 * written in full; in mode=record it is made for real and its count logged.
 * <p>
 * Replay: no socket is bound, listens, accepts or connects for real. The JDK's sockets keep
 * real file descriptors (unconnected sockets), so that options and close work as they would,
 * while every call above returns what the log says; an accepted connection gets a fresh
 * unconnected socket. A backup that goes live binds and listens its listening sockets for real
 * then, and the connections the dead primary held read as closed (EOF) from then on.
 */
final class Sockets {
    /** The stream code of socket outputs in OUTPUT entries (1 and 2 are stdout and stderr). */
    static final int SOCKET_STREAM = 0;
    private static final long CLOSE_FLUSH_MILLIS = 30_000;
    private static final int SHUT_RD = 0;
    private static final int SHUT_WR = 1;

    private static final Class<?> SOCKET_DISPATCHER;
    private static final MethodHandle READ;
    private static final MethodHandle READV;
    private static final MethodHandle WRITE;
    private static final MethodHandle WRITEV;
    private static final MethodHandle CLOSE;
    private static final MethodHandle CONNECT;
    private static final MethodHandle POLL_CONNECT_NOW;
    private static final MethodHandle BIND;
    private static final MethodHandle LOCAL_ADDRESS;
    private static final MethodHandle NEW_SOCKET;
    private static final MethodHandle FD_VAL;
    private static final MethodHandle SET_FD_VAL;
    private static final boolean PREFER_IPV6;
    private static final int POLLOUT;
    private static final int EPOLL_CTL_ADD;
    private static final int EPOLL_EVENT_SIZE;
    private static final int EPOLL_EVENTS_OFFSET;
    private static final int EPOLL_FD_OFFSET;
    /** JDK 25's pipes write through SocketDispatcher instances of their own: not sockets. */
    private static final Set<Object> PIPE_DISPATCHERS = ConcurrentHashMap.newKeySet();

    static {
        try {
            Class<?> dispatcher = Class.forName("sun.nio.ch.SocketDispatcher");
            Class<?> nativeDispatcher = Class.forName("sun.nio.ch.NativeDispatcher");
            Class<?> net = Class.forName("sun.nio.ch.Net");
            Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
            MethodType transfer = MethodType.methodType(int.class, FileDescriptor.class, long.class, int.class);
            SOCKET_DISPATCHER = dispatcher;
            READ = lookup.findVirtual(dispatcher, "read", transfer);
            READV = lookup.findVirtual(dispatcher, "readv", transfer.changeReturnType(long.class));
            WRITE = lookup.findVirtual(dispatcher, "write", transfer);
            WRITEV = lookup.findVirtual(dispatcher, "writev", transfer.changeReturnType(long.class));
            CLOSE = lookup.findVirtual(nativeDispatcher, "close", MethodType.methodType(void.class, FileDescriptor.class));
            CONNECT = lookup.findStatic(net, "connect",
                MethodType.methodType(int.class, ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class));
            POLL_CONNECT_NOW = lookup.findStatic(net, "pollConnectNow", MethodType.methodType(boolean.class, FileDescriptor.class));
            BIND = lookup.findStatic(net, "bind",
                MethodType.methodType(void.class, ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class));
            LOCAL_ADDRESS = lookup.findStatic(net, "localAddress", MethodType.methodType(InetSocketAddress.class, FileDescriptor.class));
            NEW_SOCKET = lookup.findStatic(net, "socket0",
                MethodType.methodType(int.class, boolean.class, boolean.class, boolean.class, boolean.class));
            PREFER_IPV6 = (boolean) lookup.findStatic(net, "isIPv6Available", MethodType.methodType(boolean.class)).invokeExact();
            POLLOUT = (short) lookup.findStaticGetter(net, "POLLOUT", short.class).invokeExact();
            Class<?> epoll = Class.forName("sun.nio.ch.EPoll");
            MethodHandles.Lookup epollLookup = MethodHandles.privateLookupIn(epoll, MethodHandles.lookup());
            EPOLL_CTL_ADD = (int) epollLookup.findStaticGetter(epoll, "EPOLL_CTL_ADD", int.class).invokeExact();
            EPOLL_EVENT_SIZE = (int) epollLookup.findStaticGetter(epoll, "SIZEOF_EPOLLEVENT", int.class).invokeExact();
            EPOLL_EVENTS_OFFSET = (int) epollLookup.findStaticGetter(epoll, "OFFSETOF_EVENTS", int.class).invokeExact();
            EPOLL_FD_OFFSET = (int) epollLookup.findStaticGetter(epoll, "OFFSETOF_FD", int.class).invokeExact();
            MethodHandles.Lookup ioLookup = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup());
            FD_VAL = ioLookup.findStatic(ioUtil, "fdVal", MethodType.methodType(int.class, FileDescriptor.class));
            SET_FD_VAL = ioLookup.findStatic(ioUtil, "setfdVal", MethodType.methodType(void.class, FileDescriptor.class, int.class));
            for (String pipeEnd : new String[] {"sun.nio.ch.SourceChannelImpl", "sun.nio.ch.SinkChannelImpl"}) {
                try {
                    Class<?> type = Class.forName(pipeEnd);
                    java.lang.reflect.Field nd = type.getDeclaredField("nd");
                    nd.setAccessible(true);
                    Object instance = nd.get(null);
                    if (instance != null && instance.getClass() == dispatcher) {
                        PIPE_DISPATCHERS.add(instance);
                    }
                } catch (NoSuchFieldException e) {
                    // JDK 17: pipes have a dispatcher of another class
                }
            }
        } catch (Throwable e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A listening socket the replay did not bind: a backup that goes live binds and listens it. */
    private static final class Listener {
        final FileDescriptor fd;
        final ProtocolFamily family;
        final InetAddress address;
        /** The port asked for; 0 (any) becomes the one the recorded run was given, as its local address shows. */
        int port;
        int backlog = -1;

        Listener(FileDescriptor fd, ProtocolFamily family, InetAddress address, int port) {
            this.fd = fd;
            this.family = family;
            this.address = address;
            this.port = port;
        }
    }

    private final Session session;
    /** Replay: descriptors that stand for a connected socket of the recorded run. */
    private final Set<Integer> virtual = ConcurrentHashMap.newKeySet();
    /** After go-live: the dead primary's connections. They read as closed. */
    private final Set<Integer> dead = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Listener> listeners = new ConcurrentHashMap<>();
    /** Names of the descriptors added to selectors, and back. */
    private final java.util.concurrent.atomic.AtomicInteger nextName = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<Integer, Integer> nameOfFd = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> fdOfName = new ConcurrentHashMap<>();
    /** Descriptors added to a selector: an event loop's, whose writes must never wait (they would return short without the agent). */
    private final Set<Integer> selected = ConcurrentHashMap.newKeySet();
    /** The sequence of the last held output to each socket: its close or shutdown waits until it is written out. */
    private final Map<Integer, Long> lastOutput = new ConcurrentHashMap<>();

    Sockets(Session session) {
        this.session = session;
    }

    static boolean isSocketDispatcher(Object dispatcher) {
        return dispatcher != null && dispatcher.getClass() == SOCKET_DISPATCHER && !PIPE_DISPATCHERS.contains(dispatcher);
    }

    // ---- bytes ----

    long read(Object dispatcher, FileDescriptor fd, long address, int length, boolean vectored) throws IOException {
        int fdVal = fdVal(fd);
        return session.exchange(EntryKind.SOCKET_READ,
            () -> dead.contains(fdVal) ? -1L : realRead(dispatcher, fd, address, length, vectored),
            (n, out) -> {
                out.putLong(n);
                if (n > 0) {
                    byte[] bytes = gather(address, length, vectored, n);
                    out.putBytes(bytes, 0, bytes.length);
                }
            },
            in -> {
                long n = in.readLong();
                if (n > 0) {
                    byte[] bytes = in.readBytes();
                    long room = capacity(address, length, vectored);
                    if (bytes.length != n || n > room) {
                        throw session.diverged("a socket read of " + n + " bytes", "a read into " + room + " bytes");
                    }
                    scatter(bytes, address, length, vectored);
                }
                return n;
            });
    }

    long write(Object dispatcher, FileDescriptor fd, long address, int length, boolean vectored) throws IOException {
        long total = capacity(address, length, vectored);
        byte[] bytes = gather(address, length, vectored, total);
        SessionMode mode = session.mode();
        int fdVal = fdVal(fd);
        if (mode.gatesOutput() && !dead.contains(fdVal)) {
            long sequence = mode.output(OutputGate.sink(fd, written -> writeFully(dispatcher, fd, written)), SOCKET_STREAM, bytes, 0,
                bytes.length, !selected.contains(fdVal));
            lastOutput.put(fdVal, sequence);
            return total;
        }
        return session.exchange(EntryKind.SOCKET_WRITE, () -> {
                if (dead.contains(fdVal)) {
                    throw new java.net.SocketException("Connection reset (the primary that held this connection is gone)");
                }
                return realWrite(dispatcher, fd, address, length, vectored);
            },
            (n, out) -> out.putLong(n).putInt(Block.crc(bytes, 0, (int) Math.max(0, n))),
            in -> {
                long n = in.readLong();
                int crc = in.readInt();
                if (n > bytes.length || Block.crc(bytes, 0, (int) Math.max(0, n)) != crc) {
                    throw session.diverged("a socket write of " + n + " bytes (CRC-32C " + Integer.toHexString(crc) + ")",
                        "a write of " + bytes.length + " bytes (CRC-32C " + Integer.toHexString(Block.crc(bytes, 0,
                            (int) Math.min(bytes.length, Math.max(0, n)))) + ")");
                }
                return n;
            });
    }

    void close(Object dispatcher, FileDescriptor fd) throws IOException {
        int fdVal = fdVal(fd);
        Long last = lastOutput.remove(fdVal);
        session.exchange(EntryKind.SOCKET_CLOSE,
            () -> {
                if (last != null) {
                    session.mode().awaitWritten(fd, last, CLOSE_FLUSH_MILLIS, () -> shutdownSending(fd));
                }
                realClose(dispatcher, fd);
                return 0;
            },
            (ignored, out) -> { },
            in -> {
                realClose(dispatcher, fd); // the replay's own descriptor, unconnected (decoders run as the agent's work)
                return 0;
            });
        virtual.remove(fdVal);
        dead.remove(fdVal);
        listeners.remove(fdVal);
        selected.remove(fdVal);
    }

    // ---- connections ----

    int connect(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port) throws IOException {
        return session.exchange(EntryKind.SOCKET_CONNECT, () -> invokeInt(CONNECT, family, fd, address, port),
            (n, out) -> out.putInt(n),
            in -> {
                int n = in.readInt();
                if (n == 1) {
                    virtual.add(fdVal(fd));
                }
                return n;
            });
    }

    boolean pollConnectNow(FileDescriptor fd) throws IOException {
        return session.exchange(EntryKind.SOCKET_CONNECT_DONE, () -> {
                try {
                    return (boolean) POLL_CONNECT_NOW.invokeExact(fd);
                } catch (Throwable t) {
                    throw Hooks.ioFailure(t);
                }
            },
            (done, out) -> out.putInt(done ? 1 : 0),
            in -> {
                boolean done = in.readInt() == 1;
                if (done) {
                    virtual.add(fdVal(fd));
                }
                return done;
            });
    }

    void bind(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port) throws IOException {
        session.exchange(EntryKind.SOCKET_BIND, () -> {
                realBind(family, fd, address, port);
                return 0;
            },
            (ignored, out) -> { },
            in -> {
                listeners.put(fdVal(fd), new Listener(fd, family, address, port));
                return 0;
            });
    }

    void listen(FileDescriptor fd, int backlog) throws IOException {
        session.exchange(EntryKind.SOCKET_LISTEN, () -> {
                Hooks.SocketNatives.listen(fd, backlog);
                return 0;
            },
            (ignored, out) -> { },
            in -> {
                Listener listener = listeners.get(fdVal(fd));
                if (listener != null) {
                    listener.backlog = backlog;
                }
                return 0;
            });
    }

    InetSocketAddress localAddress(FileDescriptor fd) throws IOException {
        return session.exchange(EntryKind.SOCKET_LOCAL_ADDRESS, () -> {
                try {
                    return (InetSocketAddress) LOCAL_ADDRESS.invokeExact(fd);
                } catch (Throwable t) {
                    throw Hooks.ioFailure(t);
                }
            },
            Sockets::putAddress, in -> {
                InetSocketAddress recorded = readAddress(in);
                Listener listener = listeners.get(fdVal(fd));
                if (listener != null && listener.port == 0) {
                    listener.port = recorded.getPort(); // going live, it binds the port its clients know
                }
                return recorded;
            });
    }

    int accept(FileDescriptor listener, FileDescriptor accepted, InetSocketAddress[] remote) throws IOException {
        return session.exchange(EntryKind.SOCKET_ACCEPT, () -> Hooks.SocketNatives.accept(listener, accepted, remote),
            (n, out) -> {
                out.putInt(n);
                if (n == 1) {
                    putAddress(remote[0], out);
                }
            },
            in -> {
                int n = in.readInt();
                if (n == 1) {
                    remote[0] = readAddress(in);
                    int standIn = newSocket();
                    setFdVal(accepted, standIn);
                    virtual.add(standIn);
                }
                return n;
            });
    }

    int poll(FileDescriptor fd, int events, long timeoutMillis) throws IOException {
        int fdVal = fdVal(fd);
        return session.exchange(EntryKind.SOCKET_POLL,
            () -> dead.contains(fdVal) ? events : Hooks.SocketNatives.poll(fd, events, timeoutMillis),
            (n, out) -> out.putInt(n), Entry::readInt);
    }

    int available(FileDescriptor fd) throws IOException {
        int fdVal = fdVal(fd);
        return session.exchange(EntryKind.SOCKET_AVAILABLE, () -> dead.contains(fdVal) ? 0 : Hooks.SocketNatives.available(fd),
            (n, out) -> out.putInt(n), Entry::readInt);
    }

    void shutdown(FileDescriptor fd, int how) throws IOException {
        int fdVal = fdVal(fd);
        session.exchange(EntryKind.SOCKET_SHUTDOWN, () -> {
                Long last = how == SHUT_RD ? null : lastOutput.get(fdVal);
                if (last != null) {
                    session.mode().awaitWritten(fd, last, CLOSE_FLUSH_MILLIS, () -> shutdownSending(fd));
                }
                if (!dead.contains(fdVal)) {
                    Hooks.SocketNatives.shutdown(fd, how);
                }
                return 0;
            },
            (ignored, out) -> { },
            in -> 0);
    }

    // ---- selectors ----

    /**
     * Registers with epoll for real. A descriptor added gets the next name (in the order the
     * application adds them, the same on both sides): epoll reports descriptors, and the primary's
     * numbers mean nothing to a replay.
     */
    int epollCtl(int epfd, int opcode, int fd, int events) {
        if (opcode == EPOLL_CTL_ADD) {
            selected.add(fd);
            int name = nextName.incrementAndGet();
            nameOfFd.put(fd, name);
            fdOfName.put(name, fd);
        }
        return Hooks.EPollNatives.ctl(epfd, opcode, fd, events);
    }

    int epollWait(int epfd, long address, int numfds, int timeout) throws IOException {
        return session.exchange(EntryKind.SOCKET_SELECT, () -> Hooks.EPollNatives.await(epfd, address, numfds, timeout),
            (n, out) -> {
                out.putInt(n);
                for (int i = 0; i < n; i++) {
                    long event = address + (long) i * EPOLL_EVENT_SIZE;
                    UnsafeBuffer view = new UnsafeBuffer(event, EPOLL_EVENT_SIZE);
                    int fd = view.getInt(EPOLL_FD_OFFSET);
                    out.putInt(nameOfFd.getOrDefault(fd, 0)).putInt(view.getInt(EPOLL_EVENTS_OFFSET));
                }
            },
            in -> {
                int n = in.readInt();
                if (n > numfds) {
                    throw session.diverged("a select of " + n + " events", "room for " + numfds);
                }
                for (int i = 0; i < n; i++) {
                    int name = in.readInt();
                    int events = in.readInt();
                    Integer fd = fdOfName.get(name);
                    if (fd == null) {
                        throw session.diverged("an event for the " + name + "th descriptor added to a selector",
                            "a selector that never added it");
                    }
                    UnsafeBuffer view = new UnsafeBuffer(address + (long) i * EPOLL_EVENT_SIZE, EPOLL_EVENT_SIZE);
                    view.putInt(EPOLL_FD_OFFSET, fd);
                    view.putInt(EPOLL_EVENTS_OFFSET, events);
                }
                return n;
            });
    }

    // ---- go-live ----

    /**
     * This backup is the primary now: its listening sockets bind and listen for real, and the
     * connections of the dead primary are closed for the application (reads see EOF, writes a
     * reset). A replay of such a backup's journal does the same where it went live, without
     * binding ({@code bindForReal} false).
     */
    void goLive(boolean bindForReal) {
        if (bindForReal) {
            listeners.values().forEach(this::listenForReal);
        }
        listeners.clear();
        dead.addAll(virtual);
        virtual.clear();
        lastOutput.clear(); // the replay's outputs were never held here
    }

    private void listenForReal(Listener listener) {
        if (listener.backlog < 0) {
            return; // bound, never listened: a client socket's local address, nothing to take over
        }
        try {
            bindPatiently(listener);
            Hooks.SocketNatives.listen(listener.fd, listener.backlog);
        } catch (IOException | RuntimeException e) {
            Fatal.warn("going live, could not listen on " + listener.address.getHostAddress() + ":" + listener.port + ": " + e);
        }
    }

    /**
     * The dead primary's listening socket can outlive its arbiter lock by a moment (the kernel
     * closes a dying process's descriptors one by one, the lock's may go first): the port is
     * retried for a few seconds before going live is declared unable to listen.
     */
    private static void bindPatiently(Listener listener) throws IOException {
        long giveUpAt = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                realBind(listener.family, listener.fd, listener.address, listener.port);
                return;
            } catch (java.net.BindException e) {
                if (System.nanoTime() - giveUpAt > 0) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
    }

    // ---- past the recording's end ----

    /**
     * Past the recording's end a replay's threads make their calls for real, on its stand-in
     * descriptors, which were never bound or connected: a real accept, read or epoll on them fails
     * at once (EINVAL, ENOTCONN, a hang-up), and the application's error handling printed what the
     * recording never did (a server stopped by SIGTERM: "Error accepting new connection"). Each
     * is made a real, idle socket first, as the recorded run's were at its end: a listener listens
     * on a loopback port of its own, which nobody knows; a connection is connected to a silent
     * peer of the agent's. Their calls then block as the recording's did, until a timeout, a
     * selector's wake-up or a close ends them. Called while the threads still stand where the
     * recording ended; a socket that cannot be made so stays as it was.
     */
    void pastTheRecordingsEnd() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (Listener listener : listeners.values()) {
            if (listener.backlog >= 0) {
                try {
                    realBind(listener.family, listener.fd, loopback, 0);
                    Hooks.SocketNatives.listen(listener.fd, listener.backlog);
                } catch (IOException | RuntimeException e) {
                    // stays a stand-in
                }
            }
        }
        listeners.clear();
        if (virtual.isEmpty()) {
            return;
        }
        FileDescriptor silent = new FileDescriptor();
        try {
            setFdVal(silent, newSocket());
            realBind(null, silent, loopback, 0);
            Hooks.SocketNatives.listen(silent, Math.max(50, virtual.size()));
            int port = localPort(silent);
            for (int fdVal : virtual) {
                FileDescriptor connection = new FileDescriptor();
                setFdVal(connection, fdVal);
                if (connectSilently(connection, loopback, port)) {
                    // its silent end: never read, written or closed, open until the JVM exits
                    Hooks.SocketNatives.accept(silent, new FileDescriptor(), new InetSocketAddress[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the rest stay stand-ins
        }
        virtual.clear();
    }

    /** A stand-in made by the application may be of either family: the one the JDK prefers is tried first. */
    private static boolean connectSilently(FileDescriptor connection, InetAddress loopback, int port) {
        for (ProtocolFamily family : new ProtocolFamily[] {null, java.net.StandardProtocolFamily.INET}) {
            try {
                invokeInt(CONNECT, family, connection, loopback, port);
                return true;
            } catch (IOException | RuntimeException e) {
                // the other family, or it stays a stand-in
            }
        }
        return false;
    }

    private static int localPort(FileDescriptor fd) throws IOException {
        try {
            return ((InetSocketAddress) LOCAL_ADDRESS.invokeExact(fd)).getPort();
        } catch (Throwable t) {
            throw Hooks.ioFailure(t);
        }
    }

    // ---- the real calls (made outside the token or as the agent's work, where the hooks let them through) ----

    private static long realRead(Object dispatcher, FileDescriptor fd, long address, int length, boolean vectored) throws IOException {
        try {
            return vectored ? (long) READV.invoke(dispatcher, fd, address, length) : (long) (int) READ.invoke(dispatcher, fd, address, length);
        } catch (Throwable t) {
            throw Hooks.ioFailure(t);
        }
    }

    /** One write for real (mode=record), from the application's own memory: what the kernel took. */
    private static long realWrite(Object dispatcher, FileDescriptor fd, long address, int length, boolean vectored) throws IOException {
        try {
            return vectored ? (long) WRITEV.invoke(dispatcher, fd, address, length) : (long) (int) WRITE.invoke(dispatcher, fd, address, length);
        } catch (Throwable t) {
            throw Hooks.ioFailure(t);
        }
    }

    /** A larger output is written a chunk at a time: up to 64 writers keep a buffer each. */
    private static final int WRITE_CHUNK = 64 * 1024;
    /**
     * Native memory that a writer thread copies released outputs into, kept per thread: a direct
     * buffer allocated per write (zeroed, tracked, freed by a Cleaner) cost more than the write.
     */
    private static final ThreadLocal<ByteBuffer> WRITE_BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(WRITE_CHUNK));

    /** A released output, on the output thread: all of it, waiting for room if the socket is non-blocking. */
    private static void writeFully(Object dispatcher, FileDescriptor fd, byte[] bytes) {
        ByteBuffer buffer = WRITE_BUFFERS.get();
        long address = BufferUtil.address(buffer);
        try {
            for (int chunk = 0; chunk < bytes.length; chunk += WRITE_CHUNK) {
                int size = Math.min(WRITE_CHUNK, bytes.length - chunk);
                buffer.clear();
                buffer.put(bytes, chunk, size);
                int done = 0;
                while (done < size) {
                    int n = (int) WRITE.invoke(dispatcher, fd, address + done, size - done);
                    if (n > 0) {
                        done += n;
                    } else if (n == -2) { // IOStatus.UNAVAILABLE: the socket is non-blocking and full
                        Hooks.SocketNatives.poll(fd, POLLOUT, 100);
                    } else {
                        return;
                    }
                }
            }
        } catch (Throwable e) {
            // the peer is gone: the application learns it from its next read, as it would have
        }
    }

    /** Makes a write blocked on the socket fail (EPIPE), so that its writer lets go of the descriptor before it closes. */
    private static void shutdownSending(FileDescriptor fd) {
        try {
            Hooks.SocketNatives.shutdown(fd, SHUT_WR);
        } catch (IOException e) {
            // not connected any more: nothing is blocked on it
        }
    }

    private static void realClose(Object dispatcher, FileDescriptor fd) throws IOException {
        try {
            CLOSE.invoke(dispatcher, fd);
        } catch (Throwable t) {
            throw Hooks.ioFailure(t);
        }
    }

    private static void realBind(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port) throws IOException {
        try {
            BIND.invokeExact(family, fd, address, port);
        } catch (Throwable t) {
            throw Hooks.ioFailure(t);
        }
    }

    private static int invokeInt(MethodHandle handle, ProtocolFamily family, FileDescriptor fd, InetAddress address, int port)
        throws IOException {
        try {
            return (int) handle.invokeExact(family, fd, address, port);
        } catch (Throwable t) {
            throw Hooks.ioFailure(t);
        }
    }

    private static int newSocket() throws IOException {
        try {
            return (int) NEW_SOCKET.invokeExact(PREFER_IPV6, true, false, false);
        } catch (Throwable t) {
            throw Hooks.ioFailure(t);
        }
    }

    static int fdVal(FileDescriptor fd) {
        try {
            return (int) FD_VAL.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void setFdVal(FileDescriptor fd, int value) {
        try {
            SET_FD_VAL.invokeExact(fd, value);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    // ---- memory: a buffer at an address, or {@code count} iovecs (base, length) at an address ----

    private static long capacity(long address, int length, boolean vectored) {
        if (!vectored) {
            return length;
        }
        UnsafeBuffer iovecs = new UnsafeBuffer(address, length * 16);
        long total = 0;
        for (int i = 0; i < length; i++) {
            total += iovecs.getLong(i * 16 + 8);
        }
        return total;
    }

    private static byte[] gather(long address, int length, boolean vectored, long count) {
        byte[] bytes = new byte[(int) count];
        if (!vectored) {
            new UnsafeBuffer(address, (int) count).getBytes(0, bytes);
            return bytes;
        }
        UnsafeBuffer iovecs = new UnsafeBuffer(address, length * 16);
        int done = 0;
        for (int i = 0; i < length && done < count; i++) {
            long base = iovecs.getLong(i * 16);
            int size = (int) Math.min(iovecs.getLong(i * 16 + 8), count - done);
            new UnsafeBuffer(base, size).getBytes(0, bytes, done, size);
            done += size;
        }
        return bytes;
    }

    private static void scatter(byte[] bytes, long address, int length, boolean vectored) {
        if (!vectored) {
            new UnsafeBuffer(address, bytes.length).putBytes(0, bytes);
            return;
        }
        UnsafeBuffer iovecs = new UnsafeBuffer(address, length * 16);
        int done = 0;
        for (int i = 0; i < length && done < bytes.length; i++) {
            long base = iovecs.getLong(i * 16);
            int size = (int) Math.min(iovecs.getLong(i * 16 + 8), bytes.length - done);
            new UnsafeBuffer(base, size).putBytes(0, bytes, done, size);
            done += size;
        }
    }

    private static void putAddress(InetSocketAddress address, PayloadOut out) {
        byte[] raw = address.getAddress().getAddress();
        out.putBytes(raw, 0, raw.length).putInt(address.getPort());
    }

    private static InetSocketAddress readAddress(Entry in) throws IOException {
        byte[] raw = in.readBytes();
        int port = in.readInt();
        return new InetSocketAddress(InetAddress.getByAddress(raw), port);
    }
}
