package io.lockstep.runtime;

import io.lockstep.log.Entry;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TimeZone;

/**
 * What the JVM took from the environment before any agent ran: the default time zone (TZ), the
 * default locales and charsets (LANG, LC_*), and the system properties derived from the user and
 * the host.
 * Recorded once after the handshake and put in place by a replay before main, so that
 * {@code LocalDateTime.now()}, {@code String.format} or {@code System.getProperty("user.home")}
 * give what they gave when the run was recorded.
 */
final class ProcessEnvironment {
    private static final String TIME_ZONE = "time zone";
    private static final String LOCALE = "locale";
    private static final String PROPERTY = "property ";
    private static final String DEFAULT_CHARSET = "charset default";
    private static final String STDOUT_CHARSET = "charset stdout";
    private static final String STDERR_CHARSET = "charset stderr";
    private static final String THREAD_RANDOM_BASE = "thread random base";
    /** Present when the log holds the run's outputs (a primary's): a replay of it then checks them. */
    private static final String OUTPUTS_LOGGED = "outputs logged";
    private static final List<Locale.Category> CATEGORIES = List.of(Locale.Category.DISPLAY, Locale.Category.FORMAT);
    private static final List<String> PROPERTIES = List.of("user.name", "user.home", "user.dir", "java.io.tmpdir",
        "os.name", "os.version", "file.encoding", "sun.jnu.encoding", "native.encoding", "user.language", "user.country",
        "user.variant", "user.script", "user.timezone");

    private ProcessEnvironment() {
    }

    static Map<String, String> capture(boolean outputsLogged) {
        Map<String, String> facts = new LinkedHashMap<>();
        if (outputsLogged) {
            facts.put(OUTPUTS_LOGGED, "true");
        }
        facts.put(TIME_ZONE, TimeZone.getDefault().getID());
        facts.put(LOCALE, Locale.getDefault().toLanguageTag());
        for (Locale.Category category : CATEGORIES) {
            facts.put(LOCALE + " " + category, Locale.getDefault(category).toLanguageTag());
        }
        for (String property : PROPERTIES) {
            facts.put(PROPERTY + property, System.getProperty(property));
        }
        facts.put(DEFAULT_CHARSET, Charset.defaultCharset().name());
        facts.put(STDOUT_CHARSET, charsetOf(System.out, "sun.stdout.encoding").name());
        facts.put(STDERR_CHARSET, charsetOf(System.err, "sun.stderr.encoding").name());
        facts.put(THREAD_RANDOM_BASE, Long.toString(new SplittableRandom().nextLong() ^ System.nanoTime()));
        return facts;
    }

    /** The charset a standard stream encodes with: PrintStream.charset() from JDK 18, as System set it up on 17. */
    private static Charset charsetOf(PrintStream stream, String jdk17Property) {
        try {
            return (Charset) PrintStream.class.getMethod("charset").invoke(stream);
        } catch (ReflectiveOperationException | RuntimeException jdk17) {
            String encoding = System.getProperty(jdk17Property);
            try {
                return encoding != null ? Charset.forName(encoding) : Charset.defaultCharset();
            } catch (RuntimeException unknown) {
                return Charset.defaultCharset();
            }
        }
    }

    static void encode(Map<String, String> facts, PayloadOut out) {
        out.putInt(facts.size());
        facts.forEach((key, value) -> out.putString(key).putString(value));
    }

    static Map<String, String> decode(Entry entry) {
        int count = entry.readInt();
        Map<String, String> facts = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            facts.put(entry.readString(), entry.readString());
        }
        return facts;
    }

    /**
     * The locale (LANG, LC_ALL) decides the default charset and how System.out and System.err
     * encode text; a replay under another locale would print other bytes for the same chars.
     */
    private static void applyCharsets(Map<String, String> facts) {
        // Read before the default changes: on JDK 17 a stream without its own encoding uses the default.
        Charset currentStdout = charsetOf(System.out, "sun.stdout.encoding");
        Charset currentStderr = charsetOf(System.err, "sun.stderr.encoding");
        Charset recordedDefault = charset(facts.get(DEFAULT_CHARSET));
        if (recordedDefault != null && !recordedDefault.equals(Charset.defaultCharset())) {
            try {
                MethodHandles.privateLookupIn(Charset.class, MethodHandles.lookup())
                    .findStaticVarHandle(Charset.class, "defaultCharset", Charset.class).setVolatile(recordedDefault);
            } catch (ReflectiveOperationException | RuntimeException e) {
                Fatal.warn("cannot replay the recorded default charset " + recordedDefault + ": " + e);
            }
        }
        Charset stdout = charset(facts.get(STDOUT_CHARSET));
        if (stdout != null && !stdout.equals(currentStdout)) {
            System.setOut(standardStream(FileDescriptor.out, stdout));
        }
        Charset stderr = charset(facts.get(STDERR_CHARSET));
        if (stderr != null && !stderr.equals(currentStderr)) {
            System.setErr(standardStream(FileDescriptor.err, stderr));
        }
    }

    /** As System makes its standard streams: autoflush, over a small buffer. */
    private static PrintStream standardStream(FileDescriptor fd, Charset charset) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd), 128), true, charset);
    }

    private static Charset charset(String name) {
        try {
            return name == null ? null : Charset.forName(name);
        } catch (RuntimeException unsupported) {
            return null;
        }
    }

    /** What the managed threads' ThreadLocalRandom seeds and probes derive from (see Session#threadRandom). */
    static long threadRandomBase(Map<String, String> facts) {
        return Long.parseLong(facts.getOrDefault(THREAD_RANDOM_BASE, "0"));
    }

    static boolean outputsLogged(Map<String, String> facts) {
        return facts.containsKey(OUTPUTS_LOGGED);
    }

    /**
     * Gives a replaying side (a backup, an offline replay) a temporary directory of its own. The
     * names of temporary files come from recorded randomness, so on the host of the recording a
     * replay would draw the very names the primary made there, find them taken, and draw again:
     * a divergence, and two JVMs sharing one file. The property and the JDK's snapshot of it (which
     * {@code Files.createTempFile} and {@code File.createTempFile} read) both move; the
     * application's other files are its own business (each side runs in its own directory).
     */
    static void useOwnTemporaryDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
            Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
            Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
            for (String user : List.of("java.nio.file.TempFileHelper", "java.io.File$TempDirectory")) {
                // A JDK class that already read the snapshot keeps it: say so rather than half-move.
                if (!(Boolean) unsafeType.getMethod("shouldBeInitialized", Class.class).invoke(unsafe, Class.forName(user, false, null))) {
                    throw new IllegalStateException(user + " has already read it");
                }
            }
            Field snapshot = Class.forName("jdk.internal.util.StaticProperty").getDeclaredField("JAVA_IO_TMPDIR");
            Object base = unsafeType.getMethod("staticFieldBase", Field.class).invoke(unsafe, snapshot);
            long offset = (Long) unsafeType.getMethod("staticFieldOffset", Field.class).invoke(unsafe, snapshot);
            unsafeType.getMethod("putReferenceVolatile", Object.class, long.class, Object.class)
                .invoke(unsafe, base, offset, directory.toString());
            System.setProperty("java.io.tmpdir", directory.toString());
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            Fatal.warn("cannot give this side a temporary directory of its own (" + directory + "): " + e
                + "; temporary files the recording made on this host may make the replay diverge");
        }
    }

    /**
     * A backup on its primary's host: the files the application keeps by its working directory or
     * its home directory would be the primary's, which the backup's replay would read as the
     * primary changes them and write beside it (a database's files: a divergence, or worse). It
     * keeps its own working directory ({@code user.dir}: where the JVM started it, which the JDK
     * resolves relative paths against anyway) and gets a home directory of its own, {@code home}.
     */
    static void useOwnDirectories(String workingDirectory, Path home) {
        System.setProperty("user.dir", workingDirectory);
        try {
            Files.createDirectories(home);
            System.setProperty("user.home", home.toString());
        } catch (IOException | RuntimeException e) {
            Fatal.warn("cannot give this backup a home directory of its own (" + home + "): " + e
                + "; files the application keeps under its home directory are the primary's");
        }
    }

    /** Makes this JVM's environment the recorded one. */
    static void apply(Map<String, String> facts) {
        facts.forEach((key, value) -> {
            if (key.startsWith(PROPERTY)) {
                String property = key.substring(PROPERTY.length());
                if (value == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, value);
                }
            }
        });
        applyCharsets(facts);
        String zone = facts.get(TIME_ZONE);
        if (zone != null) {
            TimeZone.setDefault(TimeZone.getTimeZone(zone));
        }
        String locale = facts.get(LOCALE);
        if (locale != null) {
            Locale.setDefault(Locale.forLanguageTag(locale));
        }
        for (Locale.Category category : CATEGORIES) {
            String tag = facts.get(LOCALE + " " + category);
            if (tag != null) {
                Locale.setDefault(category, Locale.forLanguageTag(tag));
            }
        }
    }
}
