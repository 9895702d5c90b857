package io.lockstep.runtime;

import io.lockstep.boot.HookDelegate;
import io.lockstep.log.Entry;
import io.lockstep.log.EntryKind;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the hooks call once the agent runs: the part common to recording and replaying.
 * Each intercepted call is one {@link #exchange}: recording performs the real call and logs
 * its result; replaying takes the result from the log and never performs the call.
 * <p>
 * Managed threads (main, and every thread a managed thread starts) run one at a time under the
 * {@link Scheduler}; calls made by the agent itself on them ({@link ManagedThread#inAgent}) and
 * by every other thread pass straight through.
 */
public final class Session implements HookDelegate, Scheduler.SchedulingLog {

    private static final int STATUS_OK = 0;
    private static final int STATUS_THREW = 1;
    private static final int CHUNK = 8192;

    private final Thread main;
    protected final Scheduler scheduler;
    final Sockets sockets = new Sockets(this);
    private final long watchdogMillis;
    private final IdentityHashes identities = new IdentityHashes();
    private final ClassLoader agentLoader = Session.class.getClassLoader();
    /** Names of the classes the JVM had loaded when the agent started (set once, before any session). */
    private static volatile Set<String> classesBeforeAgent = Set.of();
    private final ClassValue<Boolean> jdkClassLoadedLater = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            ClassLoader loader = type.getClassLoader();
            return (loader == null || loader == platformLoader) && !classesBeforeAgent.contains(type.getName());
        }
    };
    private final ClassLoader platformLoader = ClassLoader.getPlatformClassLoader();
    private final ClassValue<Boolean> overridesHashCode = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("hashCode").getDeclaringClass() != Object.class;
            } catch (NoSuchMethodException | RuntimeException e) {
                return Boolean.TRUE;
            }
        }
    };

    /** The classes loaded before the agent did anything: their objects keep the JVM's identity hashes. */
    public static void rememberClassesBeforeAgent(Class<?>[] loaded) {
        Set<String> names = new HashSet<>(loaded.length * 2);
        for (Class<?> type : loaded) {
            names.add(type.getName());
        }
        classesBeforeAgent = names;
    }

    /**
     * What this side does now: record (also as a primary) or replay (also as a backup). A backup
     * that goes live swaps its replayer for a recorder; only the token holder, or the idle
     * scheduler thread while nobody holds the token, ever does, so the swap needs no lock.
     */
    private volatile SessionMode mode;

    Session(Thread main, int quantum, long watchdogMillis, boolean recording) {
        this.main = main;
        this.watchdogMillis = watchdogMillis;
        this.scheduler = new Scheduler(quantum, this, recording);
    }

    void mode(SessionMode next) {
        this.mode = next;
    }

    SessionMode mode() {
        return mode;
    }

    /** Records into a new journal (mode=record). */
    public static Session record(Thread main, java.nio.file.Path journal, io.lockstep.log.Handshake handshake, int quantum,
                                 long watchdogMillis) {
        return Recorder.start(main, journal, handshake, quantum, watchdogMillis);
    }

    /** Records and streams to a backup, holding outputs until the backup has their entries (mode=primary). */
    public static Session primary(Thread main, Config config, io.lockstep.log.Handshake local) {
        return Primary.start(main, config, local);
    }

    /** Replays a primary's log as it arrives, and goes live when the primary dies (mode=backup). */
    public static Session backup(Thread main, Config config, io.lockstep.log.Handshake local) {
        return Backup.start(main, config, local);
    }

    /** Replays a journal (mode=replay). */
    public static Session replay(Thread main, java.nio.file.Path journal, io.lockstep.log.Handshake local, int quantum,
                                 long watchdogMillis) {
        return Replayer.start(main, journal, local, quantum, watchdogMillis);
    }

    /** Readies the main thread and starts recording or replaying: main holds the token. */
    public void activate() {
        scheduler.start(main, watchdogMillis);
    }

    /** Ends the run: called once, from a shutdown hook. */
    public void finish() {
        synchronized (this) {
            if (finishing) {
                return;
            }
            finishing = true;
        }
        mode.finish();
        scheduler.releaseFrozen();
        for (Runnable action : atFinish) {
            action.run();
        }
    }

    private boolean finishing;

    /** True once the run's end began: a backup no longer goes live then. */
    synchronized boolean finishing() {
        return finishing;
    }

    private final java.util.List<Runnable> atFinish = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs {@code action} at the end of the run, after the mode finished. */
    void atFinish(Runnable action) {
        atFinish.add(action);
    }

    // ---- what the mode decides ----

    @Override
    public long value(long real, int kind) {
        return mode.value(real, kind);
    }

    @Override
    public int value(int real, int kind) {
        return mode.value(real, kind);
    }

    @Override
    public long relativeValue(long base, long real, int kind) {
        return mode.relativeValue(base, real, kind);
    }

    @Override
    public boolean recording() {
        return mode.recording();
    }

    @Override
    public void admitted(long point, int thread, ManagedThread.Wake wake) {
        mode.admitted(point, thread, wake);
    }

    @Override
    public void ended(long point) {
        mode.ended(point);
    }

    @Override
    public void holderPauses() {
        mode.holderPauses();
    }

    @Override
    public long nextAdmission(long point) {
        return mode.nextAdmission(point);
    }

    @Override
    public long nextAdmissionPoint() {
        return mode.nextAdmissionPoint();
    }

    @Override
    public String describeNext() {
        return mode.describeNext();
    }

    @Override
    public boolean atEnd() {
        return mode.atEnd();
    }

    @Override
    public void pastTheRecordingsEnd() {
        sockets.pastTheRecordingsEnd();
    }

    @Override
    public boolean interceptingOutput() {
        return mode.gatesOutput() && recordingHere();
    }

    @Override
    public void output(java.io.FileOutputStream stream, byte[] bytes, int offset, int length) throws IOException {
        int fd = OutputStreams.fdOf(stream);
        if (fd < 0 || !recordingHere()) {
            OutputStreams.writeReal(this, stream, bytes, offset, length);
            return;
        }
        mode.output(OutputGate.sink(OutputGate.STDIO, written -> OutputStreams.writeQuietly(stream, written)), fd, bytes, offset,
            length, true);
    }

    protected final boolean managedHere() {
        return scheduler.runningManaged();
    }

    /** The token holder's model, marked as doing the agent's work; null on any other thread. */
    protected final ManagedThread enterAgent() {
        if (Thread.currentThread() != io.lockstep.boot.Hooks.holder) {
            return null;
        }
        ManagedThread me = scheduler.current();
        if (me == null || me.inAgent) {
            return null;
        }
        me.inAgent = true;
        return me;
    }

    protected static void leaveAgent(ManagedThread me) {
        if (me != null) {
            me.inAgent = false;
        }
    }

    /** Logical id of the thread whose entry this is. */
    protected final int threadIndex() {
        ManagedThread me = scheduler.current();
        return me == null ? 0 : me.index;
    }

    // ---- scheduling: on the token holder, the scheduler runs as agent work (the JDK code it
    // uses passes through the hooks); anywhere else, the real operation ----

    @Override
    public void budgetExpired() {
        ManagedThread me = enterAgent();
        if (me == null) {
            io.lockstep.boot.Hooks.budget = Scheduler.DEFER_TICKS; // application code the agent called: never preempted there
            return;
        }
        try {
            scheduler.budgetExpired();
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    public void monitorEnter(Object monitor) {
        ManagedThread me = enterAgent();
        if (me != null) {
            try {
                scheduler.monitorEnter(monitor);
            } finally {
                me.inAgent = false;
            }
        }
    }

    @Override
    public void monitorExit(Object monitor) {
        ManagedThread me = enterAgent();
        if (me != null) {
            try {
                scheduler.monitorExit(monitor);
            } finally {
                me.inAgent = false;
            }
        }
    }

    @Override
    public void await(Object monitor, long nanos) throws InterruptedException {
        ManagedThread me = enterAgent();
        if (me == null) {
            monitor.wait(nanos / 1_000_000, (int) (nanos % 1_000_000));
            return;
        }
        try {
            scheduler.await(monitor, nanos);
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    public void notify(Object monitor, boolean all) {
        ManagedThread me = enterAgent();
        if (me == null) {
            if (all) {
                monitor.notifyAll();
            } else {
                monitor.notify();
            }
            return;
        }
        try {
            scheduler.notify(monitor, all);
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        ManagedThread me = enterAgent();
        if (me == null) {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            return;
        }
        try {
            scheduler.sleep(nanos);
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    public void yield() {
        ManagedThread me = enterAgent();
        if (me == null) {
            Thread.yield();
            return;
        }
        try {
            scheduler.yieldTurn();
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    public void join(Thread thread, long nanos) throws InterruptedException {
        ManagedThread me = enterAgent();
        if (me == null) {
            thread.join(nanos / 1_000_000, (int) (nanos % 1_000_000));
            return;
        }
        try {
            scheduler.join(thread, nanos);
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    public Thread.State threadState(Thread thread) {
        return scheduler.threadState(thread);
    }

    @Override
    public void threadBegins() {
        scheduler.threadBegins();
    }

    @Override
    public void threadExits() {
        ManagedThread me = enterAgent();
        if (me != null) {
            scheduler.threadExits(); // gives the token away for good: inAgent no longer matters
        }
    }

    @Override
    public void exitBegins() {
        ManagedThread me = enterAgent();
        if (me != null) {
            try {
                scheduler.exitBegins();
            } finally {
                leaveAgent(me);
            }
        }
    }

    @Override
    public boolean interceptingThread(Thread target) {
        return scheduler.interceptingThread(target);
    }

    @Override
    public void threadStarting(Thread thread) {
        if (!recordingHere()) {
            return; // the agent's own threads, and those a JDK class initialiser starts, are not managed
        }
        ManagedThread me = enterAgent();
        if (me != null) {
            try {
                scheduler.threadStarting(thread);
            } finally {
                leaveAgent(me);
            }
        }
    }

    /** Guarded by interceptingThread: the holder, or an unmanaged thread acting on a managed one. */
    @Override
    public void interrupt(Thread thread) {
        ManagedThread me = enterAgent();
        try {
            scheduler.interrupt(thread);
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    public void park(Object blocker, long time, boolean absolute) {
        ManagedThread me = enterAgent();
        if (me == null) {
            if (absolute) {
                java.util.concurrent.locks.LockSupport.parkUntil(blocker, time);
            } else if (time > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(blocker, time);
            } else {
                java.util.concurrent.locks.LockSupport.park(blocker);
            }
            return;
        }
        try {
            scheduler.park(blocker, time, absolute);
        } finally {
            leaveAgent(me);
        }
    }

    @Override
    public void unpark(Thread thread) {
        ManagedThread me = enterAgent();
        try {
            scheduler.unpark(thread);
        } finally {
            leaveAgent(me);
        }
    }

    protected static final int THREAD_LOCAL_RANDOM_SEED = EntryKind.THREAD_LOCAL_RANDOM_SEED.code();
    protected static final int THREAD_PROBE = EntryKind.THREAD_PROBE.code();
    protected static final int THREAD_SECONDARY_SEED = EntryKind.THREAD_SECONDARY_SEED.code();
    private long threadRandomBase;

    protected final void threadRandomBase(long base) {
        this.threadRandomBase = base;
    }

    /**
     * A managed thread's ThreadLocalRandom seed, secondary seed or probe: derived from a base drawn once per run
     * (in the environment entry) and the thread's logical id, never logged. When a thread's
     * generator is initialised can depend on timing (ConcurrentHashMap and LongAdder initialise
     * it on a contended update, which an agent thread can cause); what it is initialised to must not.
     */
    protected final long threadRandom(long real, int kind) {
        // Derived on a managed thread whenever it is drawn: the holder's own, inside a JDK class
        // initialiser too, and in the agent's work. A contended ConcurrentHashMap or LongAdder
        // (timing's: an agent thread loading classes at the same moment will do) initialises the
        // thread's ThreadLocalRandom wherever it happens to run; a real seed drawn then would
        // differ between the runs, a derived one is the same whenever the first draw happens.
        ManagedThread me = scheduler.managedHere();
        if (me == null) {
            return real; // the agent's own threads, and those the JDK starts
        }
        // Each kind counts its own draws: a thread's secondary seed may be drawn before its
        // generator's seed or after it (timing's), and neither may shift the other. A draw in the
        // agent's work is not counted: it happens in one run and not the other, and counting it
        // would shift the application's next draw.
        int counter = kind == THREAD_PROBE ? 0 : kind == THREAD_SECONDARY_SEED ? 1 : 2;
        long draw = !me.inAgent && scheduler.holdsToken() ? me.threadRandomDraws[counter]++ : me.threadRandomDraws[counter];
        return mix64(threadRandomBase + (me.index * 0x9E3779B97F4A7C15L) + (draw << 32) + kind);
    }

    /** SplittableRandom's finaliser (Stafford's variant 13). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** See {@link EntryKind#THREAD_NUMBER}. */
    protected static final int THREAD_NUMBER = EntryKind.THREAD_NUMBER.code();
    private int threadNumbers;

    /** The next "Thread-N" number of a managed thread; other threads keep the JVM's. */
    protected final int threadNumber(int real) {
        return recordingHere() ? threadNumbers++ : real;
    }

    @Override
    public boolean intercepting() {
        return recordingHere();
    }

    /** Where inputs are recorded or replayed: managed, and outside JDK class initialisers. */
    protected final boolean recordingHere() {
        return scheduler.recordingHere();
    }

    @Override
    public void jdkInit(int delta) {
        ManagedThread me = scheduler.current();
        if (me != null && Thread.currentThread() == io.lockstep.boot.Hooks.holder) {
            me.jdkInitDepth += delta;
        }
    }

    // ---- identity hashes ----

    @Override
    public int hashCode(Object object) {
        boolean assigning = Thread.currentThread() == io.lockstep.boot.Hooks.holder;
        ManagedThread me = null;
        if (assigning) {
            me = enterAgent();
            if (me == null) {
                return object.hashCode(); // the agent's own work: its lookups must not come back here
            }
        }
        try {
            Class<?> type = object.getClass();
            if ((type == Class.class || !overridesHashCode.get(type)) && hasDeterministicIdentity(object, type)) {
                return identity(object, assigning);
            }
        } finally {
            leaveAgent(me);
        }
        return object.hashCode(); // an override is the program's own code: it runs outside the agent's work
    }

    @Override
    public int identityHashCode(Object object) {
        if (object == null) {
            return 0;
        }
        if (Thread.currentThread() == io.lockstep.boot.Hooks.holder) {
            ManagedThread me = enterAgent();
            if (me == null) {
                return System.identityHashCode(object);
            }
            try {
                return hasDeterministicIdentity(object, object.getClass()) ? identity(object, true) : System.identityHashCode(object);
            } finally {
                leaveAgent(me);
            }
        }
        return hasDeterministicIdentity(object, object.getClass()) ? identity(object, false) : System.identityHashCode(object);
    }

    /**
     * Only objects of the application's own classes (plain Objects, Threads, arrays, the
     * application's Class objects, and JDK classes first loaded after the agent started, such as
     * a pool's workers) get deterministic identity hashes: objects of the JDK classes loaded
     * before may already sit in JDK tables under their real hash.
     */
    private boolean hasDeterministicIdentity(Object object, Class<?> type) {
        if (type == Class.class) {
            return isApplicationClass((Class<?>) object);
        }
        return type.isArray() || type == Object.class || type == Thread.class || isApplicationClass(type)
            || jdkClassLoadedLater.get(type);
    }


    private boolean isApplicationClass(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader != null && loader != platformLoader && loader != agentLoader;
    }

    private int identity(Object object, boolean assigning) {
        if (TRACE_IDENTITY && assigning) {
            int before = identities.size();
            int hash = identities.assign(object);
            if (identities.size() != before) {
                Fatal.warn("trace: identity " + object.getClass().getName() + " -> " + hash);
            }
            return hash;
        }
        return assigning ? identities.assign(object) : identities.lookup(object);
    }

    private static final boolean TRACE_IDENTITY = Boolean.getBoolean("lockstep.trace.identity");

    // ---- intercepted calls ----

    /** A real call, performed only while recording. */
    protected interface RealCall<T> {
        T call() throws IOException;
    }

    protected interface Encoder<T> {
        void encode(T value, PayloadOut out);
    }

    protected interface Decoder<T> {
        T decode(Entry in) throws IOException;
    }

    /**
     * Records or replays one intercepted call. Exceptions of the real call are recorded and
     * rethrown in replay.
     */
    <T> T exchange(EntryKind kind, RealCall<T> real, Encoder<T> encoder, Decoder<T> decoder) throws IOException {
        return mode.exchange(kind, real, encoder, decoder);
    }

    /**
     * Calls that may block (stdin, most socket calls; a socket's close waits for its held writes):
     * made without the token, which other threads use meanwhile.
     */
    protected static boolean blocks(EntryKind kind) {
        return switch (kind) {
            case STDIN_READ, STDIN_READ_BYTE, STDIN_SKIP, SOCKET_READ, SOCKET_WRITE, SOCKET_CONNECT, SOCKET_ACCEPT, SOCKET_POLL,
                SOCKET_CLOSE, SOCKET_SHUTDOWN, SOCKET_SELECT -> true;
            default -> false;
        };
    }

    /** Encodes the outcome of a real call: status, then the value or the exception. */
    protected static <T> void encodeOutcome(T value, Exception thrown, Encoder<T> encoder, PayloadOut out) {
        if (thrown == null) {
            out.putInt(STATUS_OK);
            encoder.encode(value, out);
        } else {
            out.putInt(STATUS_THREW).putString(thrown.getClass().getName()).putString(thrown.getMessage());
        }
    }

    protected static <T> T decodeOutcome(Entry in, Decoder<T> decoder) throws IOException {
        if (in.readInt() == STATUS_OK) {
            return decoder.decode(in);
        }
        Exception thrown = recreate(in.readString(), in.readString());
        if (thrown instanceof RuntimeException) {
            throw (RuntimeException) thrown;
        }
        throw (IOException) thrown;
    }

    /** The recorded exception again: its JDK type with its message where it has such a constructor. */
    private static Exception recreate(String type, String message) {
        try {
            Class<?> exceptionType = Class.forName(type, false, null);
            if (IOException.class.isAssignableFrom(exceptionType) || RuntimeException.class.isAssignableFrom(exceptionType)) {
                return (Exception) exceptionType.getConstructor(String.class).newInstance(message);
            }
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // fall back to a plain type below
        }
        return type.endsWith("IOException") ? new IOException(message) : new IllegalStateException(type + ": " + message);
    }

    /** Called by decoders when the replaying program asks for something other than what was recorded. */
    RuntimeException diverged(String recorded, String requested) {
        return mode.diverged(recorded, requested);
    }

    @Override
    public String getenv(String name) {
        return call(EntryKind.GETENV, () -> System.getenv(name),
            (value, out) -> out.putString(name).putString(value),
            in -> {
                String recordedName = in.readString();
                if (!recordedName.equals(name)) {
                    throw diverged("System.getenv(\"" + recordedName + "\")", "System.getenv(\"" + name + "\")");
                }
                return in.readString();
            });
    }

    @Override
    public Map<String, String> getenv() {
        return call(EntryKind.GETENV_MAP, System::getenv,
            (map, out) -> {
                out.putInt(map.size());
                map.forEach((key, value) -> out.putString(key).putString(value));
            },
            in -> {
                int size = in.readInt();
                Map<String, String> map = new LinkedHashMap<>(size * 2);
                for (int i = 0; i < size; i++) {
                    map.put(in.readString(), in.readString());
                }
                return Collections.unmodifiableMap(map);
            });
    }

    @Override
    public void secureRandomNextBytes(SecureRandom random, byte[] bytes, Object parameters) {
        call(EntryKind.SECURE_RANDOM_BYTES, () -> {
                if (parameters == null) {
                    random.nextBytes(bytes);
                } else {
                    random.nextBytes(bytes, (SecureRandomParameters) parameters);
                }
                return bytes;
            },
            (value, out) -> out.putBytes(value, 0, value.length),
            in -> {
                byte[] recorded = in.readBytes();
                if (recorded.length != bytes.length) {
                    throw diverged("SecureRandom.nextBytes(byte[" + recorded.length + "])",
                        "SecureRandom.nextBytes(byte[" + bytes.length + "])");
                }
                System.arraycopy(recorded, 0, bytes, 0, bytes.length);
                return bytes;
            });
    }

    @Override
    public byte[] secureRandomGenerateSeed(SecureRandom random, int numBytes) {
        return call(EntryKind.SECURE_RANDOM_SEED, () -> random.generateSeed(numBytes),
            (value, out) -> out.putBytes(value, 0, value.length),
            Entry::readBytes);
    }

    /** A replay never reseeds: the generator's next outputs come from the log anyway. */
    @Override
    public void secureRandomReseed(SecureRandom random, Object parameters) {
        call(EntryKind.SECURE_RANDOM_RESEED, () -> {
                if (parameters == null) {
                    random.reseed();
                } else {
                    random.reseed((SecureRandomParameters) parameters);
                }
                return Boolean.TRUE;
            },
            (done, out) -> { },
            in -> Boolean.TRUE);
    }

    @Override
    public InetAddress localHost() throws UnknownHostException {
        try {
            return exchange(EntryKind.LOCAL_HOST, InetAddress::getLocalHost,
                (address, out) -> {
                    byte[] raw = address.getAddress();
                    out.putString(address.getHostName()).putBytes(raw, 0, raw.length);
                },
                in -> InetAddress.getByAddress(in.readString(), in.readBytes()));
        } catch (UnknownHostException e) {
            throw e;
        } catch (IOException e) {
            throw new UnknownHostException(e.getMessage());
        }
    }

    @Override
    public int stdinRead(FileInputStream in) throws IOException {
        return exchange(EntryKind.STDIN_READ_BYTE, in::read, (value, out) -> out.putInt(value), Entry::readInt);
    }

    @Override
    public int stdinRead(FileInputStream in, byte[] bytes, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        return exchange(EntryKind.STDIN_READ, () -> in.read(bytes, offset, length),
            (count, out) -> out.putBytes(bytes, offset, Math.max(count, 0)).putInt(count),
            recorded -> {
                int copied = recorded.readBytesInto(bytes, offset, length);
                int count = recorded.readInt();
                if (count > length || (count >= 0 && count != copied)) {
                    throw diverged("a stdin read of " + count + " bytes", "a read of at most " + length);
                }
                return count;
            });
    }

    /** readAllBytes and readNBytes, as InputStream does them, over recorded reads. */
    @Override
    public byte[] stdinReadNBytes(FileInputStream in, int length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("length < 0");
        }
        byte[] result = new byte[0];
        int total = 0;
        byte[] chunk = new byte[CHUNK];
        while (total < length) {
            int n = in.read(chunk, 0, Math.min(CHUNK, length - total));
            if (n < 0) {
                break;
            }
            if (total + n > result.length) {
                result = Arrays.copyOf(result, Math.max(total + n, Math.min(length, result.length * 2 + CHUNK)));
            }
            System.arraycopy(chunk, 0, result, total, n);
            total += n;
        }
        return total == result.length ? result : Arrays.copyOf(result, total);
    }

    @Override
    public long stdinTransferTo(FileInputStream in, OutputStream out) throws IOException {
        long transferred = 0;
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = in.read(chunk, 0, CHUNK)) >= 0) {
            out.write(chunk, 0, n);
            transferred += n;
        }
        return transferred;
    }

    @Override
    public long stdinSkip(FileInputStream in, long count) throws IOException {
        return exchange(EntryKind.STDIN_SKIP, () -> in.skip(count), (value, out) -> out.putLong(value), Entry::readLong);
    }

    @Override
    public int stdinAvailable(FileInputStream in) throws IOException {
        return exchange(EntryKind.STDIN_AVAILABLE, in::available, (value, out) -> out.putInt(value), Entry::readInt);
    }

    // ---- sockets (see Sockets) ----

    @Override
    public boolean interceptingSocket(Object dispatcher) {
        return recordingHere() && Sockets.isSocketDispatcher(dispatcher);
    }

    @Override
    public long socketRead(Object dispatcher, java.io.FileDescriptor fd, long address, int length, boolean vectored)
        throws IOException {
        return sockets.read(dispatcher, fd, address, length, vectored);
    }

    @Override
    public long socketWrite(Object dispatcher, java.io.FileDescriptor fd, long address, int length, boolean vectored)
        throws IOException {
        return sockets.write(dispatcher, fd, address, length, vectored);
    }

    @Override
    public void socketClose(Object dispatcher, java.io.FileDescriptor fd) throws IOException {
        sockets.close(dispatcher, fd);
    }

    @Override
    public int socketConnect(java.net.ProtocolFamily family, java.io.FileDescriptor fd, InetAddress address, int port)
        throws IOException {
        return sockets.connect(family, fd, address, port);
    }

    @Override
    public boolean socketPollConnectNow(java.io.FileDescriptor fd) throws IOException {
        return sockets.pollConnectNow(fd);
    }

    @Override
    public void socketBind(java.net.ProtocolFamily family, java.io.FileDescriptor fd, InetAddress address, int port)
        throws IOException {
        sockets.bind(family, fd, address, port);
    }

    @Override
    public java.net.InetSocketAddress socketLocalAddress(java.io.FileDescriptor fd) throws IOException {
        return sockets.localAddress(fd);
    }

    @Override
    public int socketAccept(java.io.FileDescriptor listener, java.io.FileDescriptor accepted, java.net.InetSocketAddress[] remote)
        throws IOException {
        return sockets.accept(listener, accepted, remote);
    }

    @Override
    public int socketPoll(java.io.FileDescriptor fd, int events, long timeoutMillis) throws IOException {
        return sockets.poll(fd, events, timeoutMillis);
    }

    @Override
    public void socketListen(java.io.FileDescriptor fd, int backlog) throws IOException {
        sockets.listen(fd, backlog);
    }

    @Override
    public void socketShutdown(java.io.FileDescriptor fd, int how) throws IOException {
        sockets.shutdown(fd, how);
    }

    @Override
    public int socketAvailable(java.io.FileDescriptor fd) throws IOException {
        return sockets.available(fd);
    }

    @Override
    public int epollWait(int epfd, long address, int numfds, int timeout) throws IOException {
        return sockets.epollWait(epfd, address, numfds, timeout);
    }

    @Override
    public int epollCtl(int epfd, int opcode, int fd, int events) {
        return sockets.epollCtl(epfd, opcode, fd, events);
    }

    /** An exchange whose real call throws no checked exception. */
    private <T> T call(EntryKind kind, RealCall<T> real, Encoder<T> encoder, Decoder<T> decoder) {
        try {
            return exchange(kind, real, encoder, decoder);
        } catch (IOException e) {
            throw new IllegalStateException("unexpected " + e, e);
        }
    }

    private static boolean isAgentFrame(String type) {
        return type.startsWith("io.lockstep.boot.") || type.startsWith("io.lockstep.runtime.")
            || type.startsWith("io.lockstep.log.") || type.startsWith("io.lockstep.agent.");
    }

    /** The application frames of the current stack, for divergence reports. */
    protected static String applicationStack() {
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            if (isAgentFrame(frame.getClassName())) {
                continue;
            }
            stack.append(System.lineSeparator()).append("\tat ").append(frame);
        }
        return stack.toString();
    }
}
