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
import java.util.Map;

/**
 * What the hooks call once the agent runs: the part common to recording and replaying.
 * Each intercepted call is one {@link #exchange}: recording performs the real call and logs
 * its result; replaying takes the result from the log and never performs the call.
 * <p>
 * Only the managed thread is recorded; in this version that is the thread that runs
 * {@code main}. Calls made by the agent itself on that thread ({@link #inAgent}) and by every
 * other thread pass straight through.
 */
public abstract class Session implements HookDelegate {
    /** Logical id of the main thread in log entries. */
    static final int MAIN_THREAD = 1;

    private static final int STATUS_OK = 0;
    private static final int STATUS_THREW = 1;
    private static final int CHUNK = 8192;

    protected final Thread managed;
    /** True while the agent works on the managed thread; only that thread reads or writes it. */
    protected boolean inAgent;
    private final IdentityHashes identities = new IdentityHashes();
    private final ClassLoader agentLoader = Session.class.getClassLoader();
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

    protected Session(Thread managed) {
        this.managed = managed;
    }

    /** Readies the managed thread and starts recording or replaying its calls. */
    public void activate() {
        ThreadRandomState.clear(managed);
    }

    /** Ends the run: called once, from a shutdown hook. */
    public abstract void finish();

    protected final boolean managedHere() {
        return Thread.currentThread() == managed && !inAgent;
    }

    @Override
    public boolean intercepting() {
        return managedHere();
    }

    // ---- identity hashes ----

    @Override
    public int hashCode(Object object) {
        Class<?> type = object.getClass();
        boolean identityHash = type == Class.class || !isApplicationClass(type) || !overridesHashCode.get(type);
        return identityHash && hasDeterministicIdentity(object, type) ? identity(object) : object.hashCode();
    }

    @Override
    public int identityHashCode(Object object) {
        if (object == null) {
            return 0;
        }
        return hasDeterministicIdentity(object, object.getClass()) ? identity(object) : System.identityHashCode(object);
    }

    /**
     * Only objects of the application's own classes (and plain Objects, Threads, arrays and the
     * application's Class objects) get deterministic identity hashes: other JDK objects may
     * already sit in JDK tables under their real hash.
     */
    private boolean hasDeterministicIdentity(Object object, Class<?> type) {
        if (type == Class.class) {
            return isApplicationClass((Class<?>) object);
        }
        return type.isArray() || type == Object.class || type == Thread.class || isApplicationClass(type);
    }


    private boolean isApplicationClass(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader != null && loader != platformLoader && loader != agentLoader;
    }

    private int identity(Object object) {
        return managedHere() ? identities.assign(object) : identities.lookup(object);
    }

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
    protected abstract <T> T exchange(EntryKind kind, RealCall<T> real, Encoder<T> encoder, Decoder<T> decoder)
        throws IOException;

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
    protected abstract RuntimeException diverged(String recorded, String requested);

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
