package io.lockstep.log;

/**
 * What a log entry is: the handshake, the end of a run, or the value of one kind of
 * nondeterministic call. A replay that asks for one kind where the log holds another has
 * diverged, so every value entry names the call that produced it.
 */
public enum EntryKind {
    HANDSHAKE(1, "handshake"),
    END(2, "end of run"),
    ENVIRONMENT(3, "process environment (time zone, locale, system properties)"),
    /** A thread woken from outside the program (a timeout, an I/O completion, an unmanaged unpark or interrupt). */
    ADMIT(4, "admission of a thread woken from outside"),
    /** A backup went live here: the connections of the dead primary are closed from now on (a replay of its journal does the same). */
    GO_LIVE(5, "a backup going live"),
    /**
     * A backup went live while this thread was in a blocking call whose outcome the primary never
     * logged: its replay had been admitted back from the call, and the thread makes the call again,
     * for real, outside the token as a recording does (a replay of the journal goes outside once more).
     */
    CALL_AGAIN(6, "a blocking call made again by a backup that went live"),

    CURRENT_TIME_MILLIS(10, "System.currentTimeMillis()"),
    NANO_TIME(11, "System.nanoTime()"),
    NANO_TIME_ADJUSTMENT(12, "VM.getNanoTimeAdjustment() (Instant/Clock)"),

    RANDOM_SEED_UNIQUIFIER(20, "new Random() seed"),
    /** Never logged: derived from the run's base and the thread (see the runtime's Session). */
    THREAD_LOCAL_RANDOM_SEED(21, "ThreadLocalRandom seed"),
    SPLITTABLE_RANDOM_SEED(22, "new SplittableRandom() seed"),
    RANDOM_GENERATOR_SEED(23, "RandomGenerator default seed"),
    SECURE_RANDOM_BYTES(24, "SecureRandom.nextBytes()"),
    SECURE_RANDOM_SEED(25, "SecureRandom.generateSeed()"),
    SECURE_RANDOM_RESEED(26, "SecureRandom.reseed()"),

    GETENV(30, "System.getenv(String)"),
    GETENV_MAP(31, "System.getenv()"),
    PROCESS_ID(32, "process id"),
    AVAILABLE_PROCESSORS(33, "Runtime.availableProcessors()"),
    LOCAL_HOST(34, "InetAddress.getLocalHost()"),
    JVM_START_TIME(35, "RuntimeMXBean.getStartTime()"),
    JVM_UPTIME(36, "RuntimeMXBean.getUptime()"),
    FREE_MEMORY(37, "Runtime.freeMemory()"),
    TOTAL_MEMORY(38, "Runtime.totalMemory()"),
    MAX_MEMORY(39, "Runtime.maxMemory()"),

    STDIN_READ(40, "stdin read(byte[], int, int)"),
    STDIN_READ_BYTE(41, "stdin read()"),
    STDIN_SKIP(42, "stdin skip()"),
    STDIN_AVAILABLE(43, "stdin available()"),
    STDIN_READ_ALL(44, "stdin readAllBytes()/readNBytes()"),

    /** A write to stdout or stderr (live modes): stream and length, and the CRC-32C of the bytes, which the backup checks. */
    OUTPUT(45, "a write to stdout/stderr"),

    THREAD_ID(50, "new Thread() id"),
    /** Never logged, like THREAD_LOCAL_RANDOM_SEED. */
    THREAD_PROBE(51, "ThreadLocalRandom probe"),
    /** Never logged: the "Thread-N" numbers of managed threads are counted by the agent, on both sides alike. */
    THREAD_NUMBER(52, "new Thread() name number"),
    /** Never logged, like THREAD_LOCAL_RANDOM_SEED: a thread's secondary seed (ConcurrentSkipListMap, ForkJoinPool...). */
    THREAD_SECONDARY_SEED(53, "ThreadLocalRandom secondary seed"),

    // Sockets (sun.nio.ch, under java.net and java.nio alike). Each is the outcome of one call.
    SOCKET_READ(60, "socket read"),
    /** A write to a socket: the count the application was told, and the CRC-32C of those bytes, which the backup checks. */
    SOCKET_WRITE(61, "socket write"),
    SOCKET_CONNECT(62, "socket connect"),
    SOCKET_CONNECT_DONE(63, "socket finishConnect"),
    SOCKET_ACCEPT(64, "socket accept"),
    SOCKET_POLL(65, "socket poll (timed read, accept or connect)"),
    SOCKET_BIND(66, "socket bind"),
    SOCKET_LISTEN(67, "socket listen"),
    SOCKET_LOCAL_ADDRESS(68, "socket local address"),
    SOCKET_SHUTDOWN(69, "socket shutdown"),
    /** A close that waited for the socket's held writes to leave (primary). */
    SOCKET_CLOSE(70, "socket close"),
    /** What a selector's epoll reported: the count, and each descriptor (by the name the log gave it) with its events. */
    SOCKET_SELECT(71, "selector select (epoll wait)"),
    SOCKET_AVAILABLE(72, "socket available()");

    private static final EntryKind[] BY_CODE = new EntryKind[128];

    static {
        for (EntryKind kind : values()) {
            BY_CODE[kind.code] = kind;
        }
    }

    private final int code;
    private final String call;

    EntryKind(int code, String call) {
        this.code = code;
        this.call = call;
    }

    public int code() {
        return code;
    }

    /** The call that asks for this kind of value, as a person would name it. */
    public String call() {
        return call;
    }

    /** @return the kind with this code, or null if the code names none (a corrupt entry). */
    public static EntryKind fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
