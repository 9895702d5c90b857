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
     * The JDK classes that came through here as they loaded, until {@link #stopWatching}: the
     * looks at the loaded classes re-instrument none of them a second time.
     */
    private final Set<String> jdkClassesSeenLoading = ConcurrentHashMap.newKeySet();
    private volatile boolean watchingLoads = true;
    /** The loaded classes already looked at; only the instrumenting thread, then main after joining it, use it. */
    private final Set<Class<?>> considered = Collections.newSetFromMap(new IdentityHashMap<>());

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
     * Re-instruments the already loaded classes that the rules cover. Call it after the
     * transformer is added, which must come before the agent starts any thread of its own: a
     * class whose loading began before the transformer was added and ended after this look is in
     * neither. Only the JVM's own threads can still be in such a load; {@link #stopWatching}
     * looks again for what they finished meanwhile. Each look takes only the classes not looked
     * at before.
     */
    public void retransformLoaded(Instrumentation instrumentation) {
        List<Class<?>> targets = new ArrayList<>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (!considered.add(type)) {
                continue;
            }
            if (needsRetransforming(instrumentation, type)) {
                targets.add(type);
            }
        }
        retransform(instrumentation, targets);
    }

    /**
     * A last look, just before the application starts, for classes that loaded where no
     * transformer sees them: in a load nested in a transformation (the JDK transforms no class
     * that loads while a transformer runs on the same thread) or in a load the JVM's own threads
     * began before the transformer was added. Then stops noting loads. A JDK class that first
     * loads nested in a transformation later, once main runs, stays as it is: no hook sees it.
     */
    public void stopWatching(Instrumentation instrumentation) {
        retransformLoaded(instrumentation);
        watchingLoads = false;
        jdkClassesSeenLoading.clear();
    }

    /** Is this a loaded JDK class that the rules may change and that did not come through here as it loaded? */
    private boolean needsRetransforming(Instrumentation instrumentation, Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        boolean jdkClass = loader == null || loader == platformLoader;
        if (!jdkClass || type.isArray() || type.isPrimitive() || type.isHidden()) {
            return false;
        }
        String className = type.getName().replace('.', '/');
        Scope scope = Rules.scopeOf(className, true);
        boolean synchronizes = Rules.synchronizes(className, true);
        return (scope != Scope.NONE || synchronizes) && !jdkClassesSeenLoading.contains(className)
            && instrumentation.isModifiableClass(type) && mayChange(type, className, scope, synchronizes);
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
