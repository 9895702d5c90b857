package io.lockstep.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Defines the {@code io.lockstep.boot} hooks in the bootstrap class loader, where every JDK
 * class can call them. They are defined one by one rather than by appending the agent jar to
 * the bootstrap class path, because that append makes HotSpot disable class data sharing for
 * the application and print a warning on the application's stderr.
 * <p>
 * Runs before any class that names a hook type is loaded, so it uses only JDK types.
 */
public final class BootClasses {
    static final String PREFIX = "lockstep-boot/";
    private static final List<String> CLASSES = List.of("io.lockstep.boot.HookDelegate", "io.lockstep.boot.Hooks",
        "io.lockstep.boot.Hooks$SocketNatives", "io.lockstep.boot.Hooks$EPollNatives");
    /** JDK modules whose instrumented classes call the hooks. */
    private static final List<String> CALLING_MODULES = List.of("java.base", "java.management");

    private BootClasses() {
    }

    public static void inject(Instrumentation instrumentation, Path agentJar) throws Exception {
        Module self = BootClasses.class.getModule();
        instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of("jdk.internal.misc", Set.of(self)),
            Map.of(), Set.of(), Map.of());
        Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
        Method define = unsafeType.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
            ClassLoader.class, ProtectionDomain.class);
        Class<?> hooks = null;
        try (JarFile jar = new JarFile(agentJar.toFile())) {
            for (String name : CLASSES) {
                Class<?> defined = alreadyDefined(name);
                if (defined == null) {
                    byte[] bytes = read(jar, PREFIX + name.replace('.', '/') + ".class");
                    defined = (Class<?>) define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
                }
                hooks = defined;
            }
        }
        Module bootUnnamed = hooks.getModule();
        // The hooks make the real calls of the socket natives they stand in for.
        instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("sun.nio.ch", Set.of(bootUnnamed)),
            Set.of(), Map.of());
        for (String moduleName : CALLING_MODULES) {
            ModuleLayer.boot().findModule(moduleName).ifPresent(module ->
                instrumentation.redefineModule(module, Set.of(bootUnnamed), Map.of(), Map.of(), Set.of(), Map.of()));
        }
    }

    private static Class<?> alreadyDefined(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static byte[] read(JarFile jar, String entryName) throws IOException {
        ZipEntry entry = jar.getEntry(entryName);
        if (entry == null) {
            throw new IOException("the agent jar lacks " + entryName + ": it is not a complete lockstep-agent.jar");
        }
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }
}
