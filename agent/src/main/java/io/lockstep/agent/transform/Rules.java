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
 */
final class Rules {
    static final String HOOKS = "io/lockstep/boot/Hooks";

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

    /** A method whose body is replaced by a hook call while intercepting. */
    record Intercept(String hookName, String hookDescriptor, boolean stdinOnly) {
    }

    /** Values read in any class of the broad scopes. */
    static final List<ValueSite> GLOBAL_VALUES = List.of(
        new ValueSite("java/lang/System", "currentTimeMillis", "()J", EntryKind.CURRENT_TIME_MILLIS),
        new ValueSite("java/lang/System", "nanoTime", "()J", EntryKind.NANO_TIME),
        // Clock.currentInstant() adds this adjustment to an offset fixed when Clock initialised:
        // the hook needs the offset to hand the replay the same instant.
        new ValueSite("jdk/internal/misc/VM", "getNanoTimeAdjustment", "(J)J", EntryKind.NANO_TIME_ADJUSTMENT, true),
        new ValueSite("java/lang/Runtime", "availableProcessors", "()I", EntryKind.AVAILABLE_PROCESSORS));

    /** The JDK's generators draw their seeds from a shared AtomicLong. */
    private static ValueSite seederDraw(EntryKind kind) {
        return new ValueSite("java/util/concurrent/atomic/AtomicLong", "getAndAdd", "(J)J", kind);
    }

    /** Values read only in particular JDK classes. */
    static final Map<String, List<ClassValueSite>> CLASS_VALUES = Map.of(
        "java/util/Random", List.of(new ClassValueSite("<init>()V",
            new ValueSite("java/util/Random", "seedUniquifier", "()J", EntryKind.RANDOM_SEED_UNIQUIFIER))),
        "java/util/concurrent/ThreadLocalRandom", List.of(new ClassValueSite(null,
            seederDraw(EntryKind.THREAD_LOCAL_RANDOM_SEED))),
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
    static final Map<String, Map<String, Intercept>> INTERCEPTS = Map.of(
        "java/lang/System", Map.of(
            "getenv(Ljava/lang/String;)Ljava/lang/String;", new Intercept("getenv", "(Ljava/lang/String;)Ljava/lang/String;", false),
            "getenv()Ljava/util/Map;", new Intercept("getenv", "()Ljava/util/Map;", false)),
        "java/security/SecureRandom", Map.of(
            "nextBytes([B)V", new Intercept("secureRandomNextBytes", "(Ljava/security/SecureRandom;[B)V", false),
            "nextBytes([BLjava/security/SecureRandomParameters;)V",
            new Intercept("secureRandomNextBytes", "(Ljava/security/SecureRandom;[BLjava/lang/Object;)V", false),
            "generateSeed(I)[B", new Intercept("secureRandomGenerateSeed", "(Ljava/security/SecureRandom;I)[B", false),
            "reseed()V", new Intercept("secureRandomReseed", "(Ljava/security/SecureRandom;)V", false),
            "reseed(Ljava/security/SecureRandomParameters;)V",
            new Intercept("secureRandomReseed", "(Ljava/security/SecureRandom;Ljava/lang/Object;)V", false)),
        "java/net/InetAddress", Map.of(
            "getLocalHost()Ljava/net/InetAddress;", new Intercept("localHost", "()Ljava/net/InetAddress;", false)),
        "java/io/FileInputStream", Map.of(
            "read()I", new Intercept("stdinRead", "(Ljava/io/FileInputStream;)I", true),
            "read([B)I", new Intercept("stdinRead", "(Ljava/io/FileInputStream;[B)I", true),
            "read([BII)I", new Intercept("stdinRead", "(Ljava/io/FileInputStream;[BII)I", true),
            "readAllBytes()[B", new Intercept("stdinReadAllBytes", "(Ljava/io/FileInputStream;)[B", true),
            "readNBytes(I)[B", new Intercept("stdinReadNBytes", "(Ljava/io/FileInputStream;I)[B", true),
            "skip(J)J", new Intercept("stdinSkip", "(Ljava/io/FileInputStream;J)J", true),
            "available()I", new Intercept("stdinAvailable", "(Ljava/io/FileInputStream;)I", true),
            "transferTo(Ljava/io/OutputStream;)J", new Intercept("stdinTransferTo", "(Ljava/io/FileInputStream;Ljava/io/OutputStream;)J", true)));

    /**
     * JDK code that reads clocks and hashes objects on the application's behalf (dates,
     * calendars, formats, collections, executors). Chosen from a scan of every JDK call site of
     * the clock natives; the rest (class loading, module boot, perf counters, caches, I/O
     * timeouts) only times itself, and whether it runs can depend on what the agent did
     * before, so recording it would make record and replay disagree.
     */
    private static final List<String> JDK_SOURCE_PACKAGES = List.of("java/util/", "java/time/", "java/text/",
        "sun/util/calendar/", "sun/util/locale/provider/CalendarProviderImpl");
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

    static Scope scopeOf(String className, boolean jdkClass) {
        if (className.startsWith("io/lockstep/boot/") || className.startsWith("io/lockstep/agent/")) {
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

    static boolean hasSpecificRules(String className) {
        return CLASS_VALUES.containsKey(className) || RETURN_VALUES.containsKey(className) || INTERCEPTS.containsKey(className);
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
