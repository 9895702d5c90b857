package io.lockstep.agent.transform;

import io.lockstep.log.EntryKind;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where Lockstep intercepts each nondeterministic source, at the lowest JDK level that every
 * path to it shares. Three shapes of rule, one mechanism each:
 * <ul>
 * <li><b>value</b>: after a call that returns a nondeterministic primitive, the value passes
 *     through {@code Hooks.value(v, kind)}, which records it or replaces it with the recorded one
 *     (clocks, seeds, processor count, pid);</li>
 * <li><b>intercept</b>: at the entry of a JDK method, {@code if (Hooks.intercepting()) return
 *     Hooks.x(args)}, so a replay never performs the call (stdin, environment, SecureRandom,
 *     host name);</li>
 * <li><b>identity</b>: calls of {@code Object.hashCode()} and {@code System.identityHashCode}
 *     go to {@code Hooks}, which makes identity hashes deterministic.</li>
 * </ul>
 * And for the scheduler:
 * <ul>
 * <li><b>synchronization</b>: {@code monitorenter}/{@code monitorexit} and synchronized methods
 *     are bracketed by {@code Hooks.monitorEnter/monitorExit}; calls of {@code Object.wait/notify},
 *     {@code Thread.sleep/yield/onSpinWait/join} go to {@code Hooks} (they are native or final,
 *     so their call sites are the one place to catch them), in application code and in the JDK
 *     code that managed threads synchronise through;</li>
 * <li><b>prologues</b>: a hook call at the entry of the methods where threads begin and end;</li>
 * <li><b>ticks</b>: {@code Hooks.tick()} at method entries and loop back-edges of application
 *     code, the clock of deterministic preemption.</li>
 * </ul>
 */
final class Rules {
    static final String HOOKS = "io/lockstep/boot/Hooks";
    static final String LOCK_SUPPORT = "java/util/concurrent/locks/LockSupport";
    static final String NET = "sun/nio/ch/Net";
    static final String EPOLL = "sun/nio/ch/EPoll";

    /**
     * A call whose result is a value of {@code kind}. A site {@code relative} to its long
     * argument passes that argument to the hook too ({@code Hooks.relativeValue(arg, v, kind)}).
     */
    record ValueSite(String owner, String name, String descriptor, EntryKind kind, boolean relative) {
        ValueSite(String owner, String name, String descriptor, EntryKind kind) {
            this(owner, name, descriptor, kind, false);
        }

        boolean matches(String callOwner, String callName, String callDescriptor) {
            return owner.equals(callOwner) && name.equals(callName) && descriptor.equals(callDescriptor);
        }
    }

    /** A value site that counts only inside {@code method} (null: any method) of one class. */
    record ClassValueSite(String method, ValueSite site) {
    }

    /**
     * When an intercept's hook takes over: on a managed thread; and for stdin; and for stdout or
     * stderr; or for a managed thread in slot 0; and for a socket's dispatcher in slot 0 (not a pipe's or a datagram's).
     */
    enum Guard { MANAGED, STDIN, OUTPUT, THREAD, SOCKET }

    /** A method whose body is replaced by a hook call while intercepting. */
    record Intercept(String hookName, String hookDescriptor, Guard guard) {
        Intercept(String hookName, String hookDescriptor) {
            this(hookName, hookDescriptor, Guard.MANAGED);
        }
    }

    /** A call that goes to {@code Hooks.<hook>} instead, with the receiver (if any) as first argument. */
    record Redirect(String hook, String hookDescriptor, boolean staticCall, boolean threadOwner, String owner) {
        Redirect(String hook, String hookDescriptor, boolean staticCall, boolean threadOwner) {
            this(hook, hookDescriptor, staticCall, threadOwner, null);
        }
    }

    /** Values read in any class of the broad scopes. */
    static final List<ValueSite> GLOBAL_VALUES = List.of(
        new ValueSite("java/lang/System", "currentTimeMillis", "()J", EntryKind.CURRENT_TIME_MILLIS),
        new ValueSite("java/lang/System", "nanoTime", "()J", EntryKind.NANO_TIME),
        // Clock.currentInstant() adds this adjustment to an offset fixed when Clock initialised:
        // the hook needs the offset to hand the replay the same instant.
        new ValueSite("jdk/internal/misc/VM", "getNanoTimeAdjustment", "(J)J", EntryKind.NANO_TIME_ADJUSTMENT, true),
        new ValueSite("java/lang/Runtime", "availableProcessors", "()I", EntryKind.AVAILABLE_PROCESSORS),
        // The garbage collector's figures, and the heap's limit (the JVM's flags, or the host's memory).
        new ValueSite("java/lang/Runtime", "freeMemory", "()J", EntryKind.FREE_MEMORY),
        new ValueSite("java/lang/Runtime", "totalMemory", "()J", EntryKind.TOTAL_MEMORY),
        new ValueSite("java/lang/Runtime", "maxMemory", "()J", EntryKind.MAX_MEMORY));

    /** The JDK's generators draw their seeds from a shared AtomicLong. */
    private static ValueSite seederDraw(EntryKind kind) {
        return new ValueSite("java/util/concurrent/atomic/AtomicLong", "getAndAdd", "(J)J", kind);
    }

    /** Values read only in particular JDK classes. */
    static final Map<String, List<ClassValueSite>> CLASS_VALUES = Map.of(
        "java/util/Random", List.of(new ClassValueSite("<init>()V",
            new ValueSite("java/util/Random", "seedUniquifier", "()J", EntryKind.RANDOM_SEED_UNIQUIFIER))),
        // The secondary seed is a kind of its own: when a thread draws it, before or after its
        // generator's seed, can be timing's, and the two must not take each other's derivation.
        "java/util/concurrent/ThreadLocalRandom", List.of(
            new ClassValueSite("nextSecondarySeed()I", seederDraw(EntryKind.THREAD_SECONDARY_SEED)),
            new ClassValueSite(null, seederDraw(EntryKind.THREAD_LOCAL_RANDOM_SEED)), new ClassValueSite(null,
            new ValueSite("java/util/concurrent/atomic/AtomicInteger", "addAndGet", "(I)I", EntryKind.THREAD_PROBE))),
        // Thread ids come from a JVM-wide counter the agent's and the JDK's own threads draw from too.
        "java/lang/Thread", List.of(
            new ClassValueSite(null, new ValueSite("java/lang/Thread", "nextThreadID", "()J", EntryKind.THREAD_ID)),
            new ClassValueSite(null, new ValueSite("java/lang/Thread$ThreadIdentifiers", "next", "()J", EntryKind.THREAD_ID)),
            // "Thread-N": the agent's own unnamed threads must not shift the application's numbers.
            new ClassValueSite(null, new ValueSite("java/lang/Thread", "nextThreadNum", "()I", EntryKind.THREAD_NUMBER)),
            new ClassValueSite(null, new ValueSite("java/lang/Thread$ThreadNumbering", "next", "()I", EntryKind.THREAD_NUMBER))),
        "java/util/SplittableRandom", List.of(new ClassValueSite("<init>()V",
            seederDraw(EntryKind.SPLITTABLE_RANDOM_SEED))),
        "sun/management/VMManagementImpl", List.of(
            new ClassValueSite(null, new ValueSite("sun/management/VMManagementImpl", "getProcessId", "()I", EntryKind.PROCESS_ID)),
            new ClassValueSite(null, new ValueSite("sun/management/VMManagementImpl", "getUptime0", "()J", EntryKind.JVM_UPTIME))));

    /** Methods whose return value is a value of a kind: class -> method name+descriptor -> kind. */
    static final Map<String, Map<String, EntryKind>> RETURN_VALUES = Map.of(
        "java/lang/ProcessHandleImpl", Map.of("pid()J", EntryKind.PROCESS_ID),
        // RuntimeImpl keeps the start time it read when it was made, maybe by the agent's own work.
        "sun/management/RuntimeImpl", Map.of("getStartTime()J", EntryKind.JVM_START_TIME),
        "jdk/internal/util/random/RandomSupport", Map.of("initialSeed()J", EntryKind.RANDOM_GENERATOR_SEED));

    /** Intercepted methods: class -> method name+descriptor -> hook. */
    static final Map<String, Map<String, Intercept>> INTERCEPTS = Map.ofEntries(
        Map.entry("java/lang/System", Map.of(
            "getenv(Ljava/lang/String;)Ljava/lang/String;", new Intercept("getenv", "(Ljava/lang/String;)Ljava/lang/String;"),
            "getenv()Ljava/util/Map;", new Intercept("getenv", "()Ljava/util/Map;"))),
        Map.entry("java/security/SecureRandom", Map.of(
            "nextBytes([B)V", new Intercept("secureRandomNextBytes", "(Ljava/security/SecureRandom;[B)V"),
            "nextBytes([BLjava/security/SecureRandomParameters;)V",
            new Intercept("secureRandomNextBytes", "(Ljava/security/SecureRandom;[BLjava/lang/Object;)V"),
            "generateSeed(I)[B", new Intercept("secureRandomGenerateSeed", "(Ljava/security/SecureRandom;I)[B"),
            "reseed()V", new Intercept("secureRandomReseed", "(Ljava/security/SecureRandom;)V"),
            "reseed(Ljava/security/SecureRandomParameters;)V",
            new Intercept("secureRandomReseed", "(Ljava/security/SecureRandom;Ljava/lang/Object;)V"))),
        Map.entry("java/lang/Thread", Map.of(
            "interrupt()V", new Intercept("interrupt", "(Ljava/lang/Thread;)V", Guard.THREAD))),
        // JDK 21+: every virtual thread is made here (Thread.ofVirtual, startVirtualThread, their factories).
        Map.entry("java/lang/ThreadBuilders", Map.of(
            "newVirtualThread(Ljava/util/concurrent/Executor;Ljava/lang/String;ILjava/lang/Runnable;)Ljava/lang/Thread;",
            new Intercept("newVirtualThread", "(Ljava/util/concurrent/Executor;Ljava/lang/String;ILjava/lang/Runnable;)Ljava/lang/Thread;"))),
        // The one place every lock, queue, latch, barrier, phaser and future of java.util.concurrent blocks.
        Map.entry("java/util/concurrent/locks/LockSupport", Map.of(
            "park()V", new Intercept("park", "()V"),
            "park(Ljava/lang/Object;)V", new Intercept("park", "(Ljava/lang/Object;)V"),
            "parkNanos(J)V", new Intercept("parkNanos", "(J)V"),
            "parkNanos(Ljava/lang/Object;J)V", new Intercept("parkNanos", "(Ljava/lang/Object;J)V"),
            "parkUntil(J)V", new Intercept("parkUntil", "(J)V"),
            "parkUntil(Ljava/lang/Object;J)V", new Intercept("parkUntil", "(Ljava/lang/Object;J)V"),
            "unpark(Ljava/lang/Thread;)V", new Intercept("unpark", "(Ljava/lang/Thread;)V", Guard.THREAD))),
        Map.entry("java/net/InetAddress", Map.of(
            "getLocalHost()Ljava/net/InetAddress;", new Intercept("localHost", "()Ljava/net/InetAddress;"))),
        Map.entry("java/io/FileInputStream", Map.of(
            "read()I", new Intercept("stdinRead", "(Ljava/io/FileInputStream;)I", Guard.STDIN),
            "read([B)I", new Intercept("stdinRead", "(Ljava/io/FileInputStream;[B)I", Guard.STDIN),
            "read([BII)I", new Intercept("stdinRead", "(Ljava/io/FileInputStream;[BII)I", Guard.STDIN),
            "readAllBytes()[B", new Intercept("stdinReadAllBytes", "(Ljava/io/FileInputStream;)[B", Guard.STDIN),
            "readNBytes(I)[B", new Intercept("stdinReadNBytes", "(Ljava/io/FileInputStream;I)[B", Guard.STDIN),
            "skip(J)J", new Intercept("stdinSkip", "(Ljava/io/FileInputStream;J)J", Guard.STDIN),
            "available()I", new Intercept("stdinAvailable", "(Ljava/io/FileInputStream;)I", Guard.STDIN),
            "transferTo(Ljava/io/OutputStream;)J", new Intercept("stdinTransferTo", "(Ljava/io/FileInputStream;Ljava/io/OutputStream;)J", Guard.STDIN))),
        // Sockets: every byte that java.net's sockets and java.nio's socket channels move passes
        // through SocketDispatcher; connect, bind and local addresses through Net (datagrams too).
        Map.entry("sun/nio/ch/SocketDispatcher", Map.of(
            "read(Ljava/io/FileDescriptor;JI)I", new Intercept("socketRead", "(Ljava/lang/Object;Ljava/io/FileDescriptor;JI)I", Guard.SOCKET),
            "readv(Ljava/io/FileDescriptor;JI)J", new Intercept("socketReadv", "(Ljava/lang/Object;Ljava/io/FileDescriptor;JI)J", Guard.SOCKET),
            "write(Ljava/io/FileDescriptor;JI)I", new Intercept("socketWrite", "(Ljava/lang/Object;Ljava/io/FileDescriptor;JI)I", Guard.SOCKET),
            "writev(Ljava/io/FileDescriptor;JI)J", new Intercept("socketWritev", "(Ljava/lang/Object;Ljava/io/FileDescriptor;JI)J", Guard.SOCKET),
            "close(Ljava/io/FileDescriptor;)V", new Intercept("socketClose", "(Ljava/lang/Object;Ljava/io/FileDescriptor;)V", Guard.SOCKET))),
        // JDK 25: SocketDispatcher inherits close from here (so do datagram channels).
        Map.entry("sun/nio/ch/UnixDispatcher", Map.of(
            "close(Ljava/io/FileDescriptor;)V", new Intercept("socketClose", "(Ljava/lang/Object;Ljava/io/FileDescriptor;)V", Guard.SOCKET))),
        Map.entry("sun/nio/ch/Net", Map.of(
            "connect(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)I",
            new Intercept("socketConnect", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)I"),
            "pollConnectNow(Ljava/io/FileDescriptor;)Z", new Intercept("socketPollConnectNow", "(Ljava/io/FileDescriptor;)Z"),
            "bind(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V",
            new Intercept("socketBind", "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V"),
            "localAddress(Ljava/io/FileDescriptor;)Ljava/net/InetSocketAddress;",
            new Intercept("socketLocalAddress", "(Ljava/io/FileDescriptor;)Ljava/net/InetSocketAddress;"))),
        Map.entry("java/io/FileOutputStream", Map.of(
            "write(I)V", new Intercept("output", "(Ljava/io/FileOutputStream;I)V", Guard.OUTPUT),
            "write([B)V", new Intercept("output", "(Ljava/io/FileOutputStream;[B)V", Guard.OUTPUT),
            "write([BII)V", new Intercept("output", "(Ljava/io/FileOutputStream;[BII)V", Guard.OUTPUT))));

    /**
     * Hook calls at the entry of methods, which then run on: class -> method name+descriptor ->
     * hook, a static ()V, or (Ljava/lang/Thread;)V given {@code this}.
     */
    static final Map<String, Map<String, String>> PROLOGUES = Map.of(
        // JDK 21+ executors start their threads through start(ThreadContainer), not start().
        "java/lang/Thread", Map.of("run()V", "threadBegins", "exit()V", "threadExits",
            "start()V", "threadStarting(Ljava/lang/Thread;)V",
            "start(Ljdk/internal/vm/ThreadContainer;)V", "threadStarting(Ljava/lang/Thread;)V"),
        "java/util/concurrent/ForkJoinWorkerThread", Map.of("run()V", "threadBegins"),
        "java/util/TimerThread", Map.of("run()V", "threadBegins"),
        "java/lang/Runtime", Map.of("exit(I)V", "exitBegins"));

    /** In application classes and the JDK's concurrency code every run() may be where a Thread subclass begins. */
    static final String APPLICATION_RUN = "run()V";

    /** Calls redirected to Hooks, by name+descriptor. Object's are final, so any owner is Object's. */
    static final Map<String, Redirect> REDIRECTS = Map.ofEntries(
        Map.entry("wait()V", new Redirect("wait", "(Ljava/lang/Object;)V", false, false)),
        Map.entry("wait(J)V", new Redirect("wait", "(Ljava/lang/Object;J)V", false, false)),
        Map.entry("wait(JI)V", new Redirect("wait", "(Ljava/lang/Object;JI)V", false, false)),
        Map.entry("notify()V", new Redirect("notify", "(Ljava/lang/Object;)V", false, false)),
        Map.entry("notifyAll()V", new Redirect("notifyAll", "(Ljava/lang/Object;)V", false, false)),
        Map.entry("sleep(J)V", new Redirect("sleep", "(J)V", true, true)),
        Map.entry("sleep(JI)V", new Redirect("sleep", "(JI)V", true, true)),
        Map.entry("sleep(Ljava/time/Duration;)V", new Redirect("sleep", "(Ljava/time/Duration;)V", true, true)),
        Map.entry("yield()V", new Redirect("yield", "()V", true, true)),
        Map.entry("onSpinWait()V", new Redirect("onSpinWait", "()V", true, true)),
        Map.entry("join()V", new Redirect("join", "(Ljava/lang/Thread;)V", false, true)),
        Map.entry("join(J)V", new Redirect("join", "(Ljava/lang/Thread;J)V", false, true)),
        Map.entry("join(JI)V", new Redirect("join", "(Ljava/lang/Thread;JI)V", false, true)),
        // The JVM's view of a managed thread is the scheduler's (waiting for the token, say): the model's is the same on both sides.
        Map.entry("getState()Ljava/lang/Thread$State;",
            new Redirect("threadState", "(Ljava/lang/Thread;)Ljava/lang/Thread$State;", false, true)),
        // JDK 21+ ForkJoinPool and DelayScheduler park and unpark through Unsafe, past LockSupport.
        Map.entry("park(ZJ)V", new Redirect("unsafePark", "(Ljava/lang/Object;ZJ)V", false, false, "jdk/internal/misc/Unsafe")),
        Map.entry("unpark(Ljava/lang/Object;)V",
            new Redirect("unsafeUnpark", "(Ljava/lang/Object;Ljava/lang/Object;)V", false, false, "jdk/internal/misc/Unsafe")),
        // Net's socket natives, at their call sites in sun.nio.ch (a native body cannot be rewritten).
        Map.entry("accept(Ljava/io/FileDescriptor;Ljava/io/FileDescriptor;[Ljava/net/InetSocketAddress;)I",
            new Redirect("socketAccept", "(Ljava/io/FileDescriptor;Ljava/io/FileDescriptor;[Ljava/net/InetSocketAddress;)I", true,
                false, NET)),
        Map.entry("poll(Ljava/io/FileDescriptor;IJ)I", new Redirect("socketPoll", "(Ljava/io/FileDescriptor;IJ)I", true, false, NET)),
        Map.entry("listen(Ljava/io/FileDescriptor;I)V", new Redirect("socketListen", "(Ljava/io/FileDescriptor;I)V", true, false, NET)),
        Map.entry("shutdown(Ljava/io/FileDescriptor;I)V",
            new Redirect("socketShutdown", "(Ljava/io/FileDescriptor;I)V", true, false, NET)),
        Map.entry("available(Ljava/io/FileDescriptor;)I", new Redirect("socketAvailable", "(Ljava/io/FileDescriptor;)I", true, false, NET)),
        // Selectors: what epoll reports, and which descriptors it watches (to name them in the log).
        Map.entry("wait(IJII)I", new Redirect("epollWait", "(IJII)I", true, false, EPOLL)),
        Map.entry("ctl(IIII)I", new Redirect("epollCtl", "(IIII)I", true, false, EPOLL)));

    /** Names of {@link #REDIRECTS}, for the constant-pool scan. */
    static final Set<String> REDIRECT_NAMES = Set.of("wait", "notify", "notifyAll", "sleep", "yield", "onSpinWait", "join", "getState",
        "park", "unpark", "accept", "poll", "listen", "shutdown", "ctl", "available");

    /**
     * JDK code whose monitors, waits and sleeps managed threads synchronise through: collections
     * (ConcurrentHashMap bins, synchronized wrappers), java.util.concurrent, Timer, streams, and
     * I/O (PrintStream, readers, writers, their encoders, sockets and channels, whose close lock
     * is held across the socket's close, a blocking call); the JDK's own joins of shutdown hooks;
     * and the JDK's HTTP client and server (their selector threads and the application's share
     * their monitors).
     */
    private static final List<String> JDK_SYNC_PACKAGES = List.of("java/util/", "java/io/", "sun/nio/cs/",
        "java/lang/ApplicationShutdownHooks", "java/net/", "java/nio/channels/", "sun/nio/ch/", "jdk/internal/net/http/",
        "sun/net/httpserver/");

    /**
     * JDK code that reads clocks and hashes objects on the application's behalf (dates,
     * calendars, formats, collections, executors). Chosen from a scan of every JDK call site of
     * the clock natives; the rest (class loading, module boot, perf counters, caches, I/O
     * timeouts) only times itself, and whether it runs can depend on what the agent did
     * before, so recording it would make record and replay disagree.
     */
    private static final List<String> JDK_SOURCE_PACKAGES = List.of("java/util/", "java/time/", "java/text/",
        "sun/util/calendar/", "sun/util/locale/provider/CalendarProviderImpl",
        // Socket timeouts: whether a timed accept, read or connect gives up is the clock's to say.
        "sun/nio/ch/NioSocketImpl", "sun/nio/ch/SocketChannelImpl", "sun/nio/ch/ServerSocketChannelImpl",
        "sun/nio/ch/SocketAdaptor", "sun/nio/ch/SelChImpl", "sun/nio/ch/SelectorImpl", "sun/nio/ch/EPollSelectorImpl",
        // The JDK's HTTP client's deadlines (connect and request timeouts, idle connections) and its
        // server's idle and request timers.
        "jdk/internal/net/http/", "sun/net/httpserver/");
    /** Inside those: class-loading helpers and caches whose clock reads depend on cache state. */
    private static final List<String> JDK_EXCLUDED_PACKAGES = List.of("java/util/zip/", "java/util/jar/",
        "java/util/ResourceBundle");
    private static final Set<String> JDK_IDENTITY_CLASSES = Set.of("java/lang/Object", "java/lang/Enum");

    /** Owners whose hashCode() is final and never the identity hash: their calls stay as they are. */
    static final Set<String> VALUE_HASH_OWNERS = Set.of("java/lang/String", "java/lang/Integer", "java/lang/Long",
        "java/lang/Short", "java/lang/Byte", "java/lang/Character", "java/lang/Boolean", "java/lang/Float",
        "java/lang/Double", "java/lang/Enum");

    private Rules() {
    }

    /** Does the class get the synchronization rules (application classes, and the JDK code above)? */
    static boolean synchronizes(String className, boolean jdkClass) {
        if (isAgentClass(className)) {
            return false;
        }
        return !jdkClass || (startsWithAny(className, JDK_SYNC_PACKAGES) && !startsWithAny(className, JDK_EXCLUDED_PACKAGES));
    }

    static Scope scopeOf(String className, boolean jdkClass) {
        if (isAgentClass(className)) {
            return Scope.NONE;
        }
        if (!jdkClass) {
            return Scope.APPLICATION;
        }
        if (JDK_IDENTITY_CLASSES.contains(className)) {
            return Scope.IDENTITY;
        }
        if (startsWithAny(className, JDK_SOURCE_PACKAGES) && !startsWithAny(className, JDK_EXCLUDED_PACKAGES)) {
            return Scope.JDK_SOURCES;
        }
        if (hasSpecificRules(className)) {
            return Scope.SPECIFIC;
        }
        return Scope.NONE;
    }

    /** The hooks and the launcher, on the boot and system class paths (the rest of the agent has its own loader). */
    private static boolean isAgentClass(String className) {
        return className.startsWith("io/lockstep/boot/") || className.startsWith("io/lockstep/agent/");
    }

    static boolean hasSpecificRules(String className) {
        return CLASS_VALUES.containsKey(className) || RETURN_VALUES.containsKey(className) || INTERCEPTS.containsKey(className)
            || PROLOGUES.containsKey(className);
    }

    private static boolean startsWithAny(String className, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
