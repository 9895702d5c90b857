package io.lockstep.runtime;

import io.lockstep.log.Entry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * What the JVM took from the environment before any agent ran: the default time zone (TZ), the
 * default locales (LANG, LC_*) and the system properties derived from the user and the host.
 * Recorded once after the handshake and put in place by a replay before main, so that
 * {@code LocalDateTime.now()}, {@code String.format} or {@code System.getProperty("user.home")}
 * give what they gave when the run was recorded.
 */
final class ProcessEnvironment {
    private static final String TIME_ZONE = "time zone";
    private static final String LOCALE = "locale";
    private static final String PROPERTY = "property ";
    private static final List<Locale.Category> CATEGORIES = List.of(Locale.Category.DISPLAY, Locale.Category.FORMAT);
    private static final List<String> PROPERTIES = List.of("user.name", "user.home", "user.dir", "java.io.tmpdir",
        "os.name", "os.version", "file.encoding", "sun.jnu.encoding", "native.encoding", "user.language", "user.country",
        "user.variant", "user.script", "user.timezone");

    private ProcessEnvironment() {
    }

    static Map<String, String> capture() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(TIME_ZONE, TimeZone.getDefault().getID());
        facts.put(LOCALE, Locale.getDefault().toLanguageTag());
        for (Locale.Category category : CATEGORIES) {
            facts.put(LOCALE + " " + category, Locale.getDefault(category).toLanguageTag());
        }
        for (String property : PROPERTIES) {
            facts.put(PROPERTY + property, System.getProperty(property));
        }
        return facts;
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
