package io.lockstep.agent;

import io.lockstep.agent.transform.HookTransformer;
import io.lockstep.boot.Hooks;
import io.lockstep.log.AgentThreads;
import io.lockstep.log.ChronicleSetup;
import io.lockstep.log.Handshake;
import io.lockstep.log.JournalException;
import io.lockstep.runtime.Config;
import io.lockstep.runtime.ConfigException;
import io.lockstep.runtime.Fatal;
import io.lockstep.runtime.Fingerprint;
import io.lockstep.runtime.HandshakeMismatch;
import io.lockstep.runtime.Session;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The agent proper, loaded by the isolated class loader: checks the options, opens the journal,
 * instruments the JDK and starts recording or replaying, all before the application's main.
 * Every failure here ends the JVM with a message that names what is wrong.
 */
public final class Agent {
    /** java.base packages the agent's libraries reach into (Agrona, Chronicle) or that it reads (Thread fields). */
    private static final Set<String> EXPORTS = Set.of("jdk.internal.misc", "jdk.internal.ref", "sun.nio.ch", "jdk.internal.util",
        "sun.net");
    private static final Set<String> OPENS = Set.of("java.lang", "java.lang.reflect", "java.io", "java.nio", "java.util",
        "java.nio.charset", "sun.nio.ch", "jdk.internal.misc", "jdk.internal.ref", "sun.net");

    private Agent() {
    }

    public static void start(String args, Instrumentation instrumentation, Path agentJar) {
        Session.rememberClassesBeforeAgent(instrumentation.getAllLoadedClasses());
        Config config;
        try {
            config = Config.parse(args);
        } catch (ConfigException e) {
            throw Fatal.halt(Fatal.CONFIG, e.getMessage());
        }
        grantAccess(instrumentation);

        // The transformer is added here, on main, before the agent starts a thread or loads its
        // journal's classes: every class load that begins from now on comes through it. Added on
        // the instrumenting thread, it raced main: a class main began loading just before
        // (java.util.Random, for the journal) could finish after both looks at the loaded
        // classes and run uninstrumented all run, its seeds real.
        HookTransformer transformer = new HookTransformer(Agent.class.getClassLoader());
        instrumentation.addTransformer(transformer, true);

        // Re-instrumenting the loaded JDK classes and opening the journal are independent and each
        // takes a few hundred milliseconds, mostly in code the JIT has not compiled yet: side by side.
        Throwable[] instrumentationFailure = new Throwable[1];
        Thread instrumenting = AgentThreads.newDaemon("lockstep-instrument", () -> {
            try {
                transformer.retransformLoaded(instrumentation);
            } catch (Throwable t) {
                instrumentationFailure[0] = t;
            }
        });
        instrumenting.start();

        Thread main = Thread.currentThread();
        Handshake local = Fingerprint.of(agentJar);
        Session session;
        try {
            session = switch (config.mode()) {
                case RECORD -> Session.record(main, config.journal(), local, config.quantum(), config.watchdogMillis());
                case REPLAY -> Session.replay(main, config.journal(), local, config.quantum(), config.watchdogMillis());
                case PRIMARY -> Session.primary(main, config, local);
                case BACKUP -> Session.backup(main, config, local);
            };
        } catch (JournalException e) {
            throw Fatal.halt(Fatal.JOURNAL, e.getMessage());
        } catch (HandshakeMismatch e) {
            throw Fatal.halt(Fatal.DIVERGENCE, e.getMessage());
        }

        try {
            instrumenting.join();
        } catch (InterruptedException e) {
            throw Fatal.halt(Fatal.AGENT, "interrupted while instrumenting the JDK");
        }
        if (instrumentationFailure[0] != null) {
            throw Fatal.halt(Fatal.AGENT, "instrumenting the JDK failed: " + instrumentationFailure[0]);
        }
        transformer.stopWatching(instrumentation);

        ChronicleSetup.addShutdownHook(session::finish);
        Hooks.install(session); // inert until activate() makes main the token holder
        session.activate();
    }

    /** What {@code --add-exports/--add-opens} would give, granted to the agent's own module only. */
    private static void grantAccess(Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        Module agent = Agent.class.getModule();
        Map<String, Set<Module>> exports = new HashMap<>();
        for (String pkg : EXPORTS) {
            exports.put(pkg, Set.of(agent));
        }
        Map<String, Set<Module>> opens = new HashMap<>();
        for (String pkg : OPENS) {
            opens.put(pkg, Set.of(agent));
        }
        instrumentation.redefineModule(javaBase, Set.of(), exports, opens, Set.of(), Map.of());
    }
}
