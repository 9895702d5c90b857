package io.lockstep.runtime;

import io.lockstep.boot.Hooks;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The agent's options: {@code key=value} pairs separated by commas, or {@code config=FILE}
 * naming a properties file with the same keys (options given beside {@code config} win).
 * The key names are a contract (DESIGN.md): keep them.
 */
public final class Config {
    public enum Mode {
        RECORD, REPLAY, PRIMARY, BACKUP;

        String key() {
            return name().toLowerCase();
        }
    }

    /** Every accepted key, with what it takes, for error messages and the README. */
    /** About a millisecond of a tight loop: a hand-over costs tens of microseconds, so much less would cost throughput. */
    static final int DEFAULT_QUANTUM = 1_000_000;
    static final long DEFAULT_WATCHDOG_MILLIS = 3000;
    static final long DEFAULT_STARTUP_TIMEOUT_MILLIS = 30_000;
    static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("mode", "record | replay | primary | backup");
        KEYS.put("journal", "directory of this side's journal");
        KEYS.put("config", "a properties file with these keys");
        KEYS.put("primary", "host:port of the primary's log endpoint");
        KEYS.put("backup", "host:port of the backup's log endpoint");
        KEYS.put("lock", "the arbiter lock file shared by both sides");
        KEYS.put("timeout", "failure-detection timeout in milliseconds (a positive integer)");
        KEYS.put("idle", "how the live modes' link threads wait for work: backoff (sleep until a datagram or an offer wakes "
            + "them; the default) | yield (never sleep: lower output latency on a host with cores to spare, busy cores)");
        KEYS.put("startup-timeout", "milliseconds a primary waits for its backup before main (then it runs unprotected), "
            + "and a backup for its primary (a positive integer)");
        KEYS.put("quantum", "ticks a thread runs before another may; a tick is a method entry or a loop back-edge of "
            + "application code, back-edges counted per method call and spent " + Hooks.BACK_EDGES + " at a time (a positive "
            + "integer, default " + DEFAULT_QUANTUM + ")");
        KEYS.put("watchdog", "milliseconds a token holder may stay blocked in the JVM before the agent reports a "
            + "missed switch point and stops the run (a positive integer, default " + DEFAULT_WATCHDOG_MILLIS + ")");
    }

    private final Mode mode;
    private final Path journal;
    private final String primary;
    private final String backup;
    private final Path lock;
    private final long timeoutMillis;
    private final int quantum;
    private final long watchdogMillis;
    private final long startupTimeoutMillis;
    private final boolean yieldWhenIdle;

    private Config(Mode mode, Path journal, String primary, String backup, Path lock, long timeoutMillis, int quantum,
                   long watchdogMillis, long startupTimeoutMillis, boolean yieldWhenIdle) {
        this.startupTimeoutMillis = startupTimeoutMillis;
        this.yieldWhenIdle = yieldWhenIdle;
        this.quantum = quantum;
        this.watchdogMillis = watchdogMillis;
        this.mode = mode;
        this.journal = journal;
        this.primary = primary;
        this.backup = backup;
        this.lock = lock;
        this.timeoutMillis = timeoutMillis;
    }

    /** Parses the agent argument string ({@code null} or empty means no options). */
    public static Config parse(String agentArgs) {
        Map<String, String> options = splitOptions(agentArgs);
        String file = options.remove("config");
        if (file != null) {
            Map<String, String> fromFile = readFile(file);
            fromFile.putAll(options);
            options = fromFile;
        }
        for (String key : options.keySet()) {
            if (!KEYS.containsKey(key) || key.equals("config")) {
                throw new ConfigException("unknown option '" + key + "'; accepted keys: "
                    + KEYS.keySet().stream().collect(Collectors.joining(", ")));
            }
        }
        String modeValue = options.get("mode");
        if (modeValue == null) {
            throw new ConfigException("option 'mode' is required; accepted values: " + KEYS.get("mode"));
        }
        Mode mode = Arrays.stream(Mode.values()).filter(m -> m.key().equals(modeValue)).findFirst()
            .orElseThrow(() -> new ConfigException("bad value '" + modeValue + "' for option 'mode'; accepted values: "
                + KEYS.get("mode")));
        Path journal = options.containsKey("journal") ? path("journal", options.get("journal")) : null;
        String primary = hostPort("primary", options.get("primary"));
        String backup = hostPort("backup", options.get("backup"));
        Path lock = options.containsKey("lock") ? path("lock", options.get("lock")) : null;
        long timeout = options.containsKey("timeout") ? positiveLong("timeout", options.get("timeout")) : 500;

        if ((mode == Mode.RECORD || mode == Mode.REPLAY) && journal == null) {
            throw new ConfigException("mode=" + mode.key() + " needs option 'journal' (" + KEYS.get("journal") + ")");
        }
        if (mode == Mode.PRIMARY || mode == Mode.BACKUP) {
            for (String key : new String[] {"journal", "primary", "backup", "lock"}) {
                if (!options.containsKey(key)) {
                    throw new ConfigException("mode=" + mode.key() + " needs option '" + key + "' (" + KEYS.get(key) + ")");
                }
            }
            if (options.get("primary").equals(options.get("backup"))) {
                throw new ConfigException("options 'primary' and 'backup' name the same endpoint " + primary
                    + "; each side needs its own");
            }
        }
        String idle = options.getOrDefault("idle", "backoff");
        if (!idle.equals("backoff") && !idle.equals("yield")) {
            throw new ConfigException("bad value '" + idle + "' for option 'idle'; accepted values: backoff | yield");
        }
        long startupTimeout = options.containsKey("startup-timeout")
            ? positiveLong("startup-timeout", options.get("startup-timeout")) : DEFAULT_STARTUP_TIMEOUT_MILLIS;
        long quantum = options.containsKey("quantum") ? positiveLong("quantum", options.get("quantum")) : DEFAULT_QUANTUM;
        if (quantum > Integer.MAX_VALUE) {
            throw new ConfigException("bad value '" + quantum + "' for option 'quantum'; accepted values: " + KEYS.get("quantum"));
        }
        long watchdog = options.containsKey("watchdog") ? positiveLong("watchdog", options.get("watchdog")) : DEFAULT_WATCHDOG_MILLIS;
        return new Config(mode, journal, primary, backup, lock, timeout, (int) quantum, watchdog, startupTimeout,
            idle.equals("yield"));
    }

    private static Map<String, String> splitOptions(String agentArgs) {
        Map<String, String> options = new LinkedHashMap<>();
        if (agentArgs == null || agentArgs.isBlank()) {
            return options;
        }
        for (String pair : agentArgs.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("option '" + pair.trim() + "' is not of the form key=value; accepted keys: "
                    + String.join(", ", KEYS.keySet()));
            }
            String key = pair.substring(0, eq).trim();
            if (options.put(key, pair.substring(eq + 1).trim()) != null) {
                throw new ConfigException("option '" + key + "' is given twice");
            }
        }
        return options;
    }

    private static Map<String, String> readFile(String file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Paths.get(file), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("bad value '" + file + "' for option 'config': cannot read it (" + e + ")");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames()) {
            options.put(key.trim(), properties.getProperty(key).trim());
        }
        if (options.containsKey("config")) {
            throw new ConfigException("option 'config' cannot appear inside a config file (" + file + ")");
        }
        return options;
    }

    private static Path path(String key, String value) {
        if (value.isEmpty()) {
            throw new ConfigException("bad value '' for option '" + key + "'; accepted values: " + KEYS.get(key));
        }
        try {
            return Paths.get(value).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw new ConfigException("bad value '" + value + "' for option '" + key + "': not a path (" + e.getMessage() + ")");
        }
    }

    private static String hostPort(String key, String value) {
        if (value == null) {
            return null;
        }
        int colon = value.lastIndexOf(':');
        boolean valid = colon > 0;
        if (valid) {
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                valid = port > 0 && port < 65536;
            } catch (NumberFormatException e) {
                valid = false;
            }
        }
        if (!valid) {
            throw new ConfigException("bad value '" + value + "' for option '" + key + "'; accepted values: " + KEYS.get(key));
        }
        return value;
    }

    private static long positiveLong(String key, String value) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException("bad value '" + value + "' for option '" + key + "'; accepted values: " + KEYS.get(key));
    }

    /** idle=yield: the live modes' threads never park. */
    public boolean yieldWhenIdle() {
        return yieldWhenIdle;
    }

    public long startupTimeoutMillis() {
        return startupTimeoutMillis;
    }

    public Mode mode() {
        return mode;
    }

    public Path journal() {
        return journal;
    }

    public String primary() {
        return primary;
    }

    public String backup() {
        return backup;
    }

    public Path lock() {
        return lock;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    public int quantum() {
        return quantum;
    }

    public long watchdogMillis() {
        return watchdogMillis;
    }
}
