package io.lockstep.agent.transform;

import io.lockstep.runtime.Fatal;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.WeakHashMap;

/** Instruments classes as they load, and the JDK classes that were loaded before the agent. */
public final class HookTransformer implements ClassFileTransformer {
    private final ClassLoader agentLoader;
    private final ClassLoader platformLoader = ClassLoader.getPlatformClassLoader();
    private final ThreadTypes jdkThreadTypes = new ThreadTypes(null);
    /** Weak keys: an application's class loaders may come and go. */
    private final Map<ClassLoader, ThreadTypes> threadTypesByLoader = Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * The JDK classes that came through here as they loaded, until the loaded ones are
     * re-instrumented: those need no second pass (see retransformLoaded).
     */
    private final Set<String> jdkClassesSeenLoading = ConcurrentHashMap.newKeySet();
    private volatile boolean watchingLoads = true;

    public HookTransformer(ClassLoader agentLoader) {
        this.agentLoader = agentLoader;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || (loader != null && loader == agentLoader)) {
            return null;
        }
        boolean jdkClass = loader == null || loader == platformLoader;
        if (jdkClass && classBeingRedefined == null && watchingLoads) {
            jdkClassesSeenLoading.add(className);
        }
        Scope scope = Rules.scopeOf(className, jdkClass);
        boolean synchronizes = Rules.synchronizes(className, jdkClass);
        if (scope == Scope.NONE && !synchronizes) {
            return null;
        }
        boolean firstLoad = classBeingRedefined == null;
        try {
            ClassReader reader = new ClassReader(classfileBuffer);
            if (!CallSiteScan.mayChange(reader, className, scope, synchronizes, firstLoad)) {
                return null;
            }
            // The reader is passed so unchanged methods are copied as they are; maxs and frames
            // are computed by HookClassVisitor itself, so no class is ever loaded here.
            ClassWriter writer = new ClassWriter(reader, 0);
            // Application classes get a loop counter in each method: a new local, which every
            // stack map frame after its initialisation must list, so their frames come expanded.
            // The JDK's classes get no ticks and keep the cheaper path.
            boolean ticks = scope == Scope.APPLICATION;
            HookClassVisitor visitor = new HookClassVisitor(writer, scope, jdkClass, synchronizes, firstLoad,
                threadTypes(loader), ticks ? MaxLocals.of(reader) : null);
            reader.accept(visitor, ticks ? ClassReader.EXPAND_FRAMES : 0);
            return visitor.changed() ? writer.toByteArray() : null;
        } catch (Throwable t) {
            Fatal.warn("cannot instrument " + className.replace('/', '.') + ", its nondeterminism is not recorded: " + t);
            return null;
        }
    }

    private ThreadTypes threadTypes(ClassLoader loader) {
        if (loader == null || loader == platformLoader) {
            return jdkThreadTypes;
        }
        return threadTypesByLoader.computeIfAbsent(loader, ThreadTypes::new);
    }

    /** Reads the class file from its module (class files are never encapsulated); unreadable counts as "may change". */
    private static boolean mayChange(Class<?> type, String className, Scope scope, boolean synchronizes) {
        try (InputStream in = type.getModule().getResourceAsStream(className + ".class")) {
            return in == null || CallSiteScan.mayChange(new ClassReader(in.readAllBytes()), className, scope, synchronizes, false);
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /**
     * Re-instruments the already loaded classes that the rules cover. A class whose loading began
     * before this transformer was added and ended after the first look at the loaded classes is
     * in neither: left so, it ran uninstrumented for the whole run (java.util.Random, loaded by
     * the agent's start-up on another thread at that moment, made a recording miss the
     * application's first seed, and its replay diverge). A second look finds it: everything that
     * began loading later came through the transformer.
     */
    public void retransformLoaded(Instrumentation instrumentation) {
        Set<Class<?>> considered = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int look = 0; look < 3; look++) {
            List<Class<?>> targets = new ArrayList<>();
            boolean unseen = false;
            for (Class<?> type : instrumentation.getAllLoadedClasses()) {
                if (!considered.add(type)) {
                    continue;
                }
                String target = retransformTarget(instrumentation, type);
                if (target != null && !jdkClassesSeenLoading.contains(target)) {
                    targets.add(type);
                    unseen = true;
                }
            }
            retransform(instrumentation, targets);
            if (look > 0 && !unseen) {
                break;
            }
        }
        watchingLoads = false;
        jdkClassesSeenLoading.clear();
    }

    /** The internal name of a loaded JDK class that the rules may change, or null. */
    private String retransformTarget(Instrumentation instrumentation, Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        boolean jdkClass = loader == null || loader == platformLoader;
        if (!jdkClass || type.isArray() || type.isPrimitive() || type.isHidden()) {
            return null;
        }
        String className = type.getName().replace('.', '/');
        Scope scope = Rules.scopeOf(className, true);
        boolean synchronizes = Rules.synchronizes(className, true);
        if ((scope != Scope.NONE || synchronizes) && instrumentation.isModifiableClass(type)
            && mayChange(type, className, scope, synchronizes)) {
            return className;
        }
        return null;
    }

    private static void retransform(Instrumentation instrumentation, List<Class<?>> targets) {
        if (targets.isEmpty()) {
            return;
        }
        try {
            instrumentation.retransformClasses(targets.toArray(new Class<?>[0]));
        } catch (UnmodifiableClassException | RuntimeException | LinkageError batchFailure) {
            for (Class<?> type : targets) {
                try {
                    instrumentation.retransformClasses(type);
                } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                    Fatal.warn("cannot instrument " + type.getName() + ": " + e);
                }
            }
        }
    }
}
