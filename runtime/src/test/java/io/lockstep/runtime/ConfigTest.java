package io.lockstep.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    @TempDir
    Path tmp;

    @Test
    void parsesTheContractKeys() {
        Config config = Config.parse("mode=record,journal=" + tmp + ",primary=127.0.0.1:4000,backup=localhost:4001,lock="
            + tmp.resolve("lock") + ",timeout=250");
        assertEquals(Config.Mode.RECORD, config.mode());
        assertEquals(tmp.toAbsolutePath().normalize(), config.journal());
        assertEquals("127.0.0.1:4000", config.primary());
        assertEquals("localhost:4001", config.backup());
        assertEquals(250, config.timeoutMillis());
    }

    @Test
    void configFileAndInlineOptionsCombineInlineWinning() throws Exception {
        Path file = tmp.resolve("lockstep.properties");
        Files.writeString(file, "mode=record\njournal=" + tmp + "\n");
        assertEquals(Config.Mode.REPLAY, Config.parse("config=" + file + ",mode=replay").mode());
    }

    @Test
    void errorsNameTheKeyAndTheAcceptedValues() {
        assertMessage("mode=record,journal=x,speed=1", "unknown option 'speed'; accepted keys: mode, journal, config, primary, backup, lock, timeout");
        assertMessage("mode=fast", "bad value 'fast' for option 'mode'; accepted values: record | replay | primary | backup");
        assertMessage("mode=record,journal=x,timeout=-3", "bad value '-3' for option 'timeout'");
        assertMessage("mode=record,journal=x,backup=host", "bad value 'host' for option 'backup'; accepted values: host:port");
        assertMessage("mode=replay", "mode=replay needs option 'journal'");
        assertMessage("", "option 'mode' is required");
        assertMessage("mode=record,mode=replay", "option 'mode' is given twice");
        assertMessage("mode=primary,journal=x", "mode=primary needs option 'primary' (host:port of the primary's log endpoint)");
        assertMessage("mode=backup,journal=x,primary=h:1,backup=h:1,lock=l", "options 'primary' and 'backup' name the same endpoint h:1");
        assertMessage("mode=backup,journal=x,primary=h:1,backup=h:2,lock=l,startup-timeout=0",
            "bad value '0' for option 'startup-timeout'");
        assertMessage("mode=record,journal=x,quantum=0", "bad value '0' for option 'quantum'; accepted values: ticks");
        assertMessage("mode=record,journal=x,quantum=3000000000", "bad value '3000000000' for option 'quantum'");
        assertMessage("mode=record,journal=x,watchdog=soon", "bad value 'soon' for option 'watchdog'");
    }

    @Test
    void schedulerOptionsHaveDefaults() {
        Config defaults = Config.parse("mode=record,journal=" + tmp);
        assertEquals(1_000_000, defaults.quantum());
        assertEquals(3000, defaults.watchdogMillis());
        Config given = Config.parse("mode=replay,journal=" + tmp + ",quantum=5000,watchdog=250");
        assertEquals(5000, given.quantum());
        assertEquals(250, given.watchdogMillis());
    }

    private static void assertMessage(String options, String expected) {
        ConfigException error = assertThrows(ConfigException.class, () -> Config.parse(options));
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }
}
