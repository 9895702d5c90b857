package io.lockstep.agent.launcher;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The only classes of the agent that the application's class loader can see. premain defines
 * the tiny {@code io.lockstep.boot} hooks in the bootstrap class loader and loads everything else (runtime, ASM, Agrona, Chronicle) from the jar's {@code lockstep-lib/} folder
 * through a class loader of its own, so the application's own versions of those libraries never
 * meet ours.
 */
public final class AgentLauncher {
    static final String LIBRARY_PREFIX = "lockstep-lib/";
    private static final String BOOT_CLASSES = "io.lockstep.agent.BootClasses";
    private static final String ENTRY_CLASS = "io.lockstep.agent.Agent";

    private AgentLauncher() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        launch(args, instrumentation);
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        // A run can only be recorded from its first instruction: refuse a late attach.
        stderr().println("lockstep: the agent must be given at startup with -javaagent; attaching to a running JVM is not supported");
    }

    private static void launch(String args, Instrumentation instrumentation) {
        try {
            Path agentJar = Paths.get(AgentLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            ClassLoader loader = new IsolatedClassLoader(new JarFile(agentJar.toFile()), agentJar.toUri().toURL());
            // The hooks must exist in the bootstrap loader before any class that names them loads.
            Class.forName(BOOT_CLASSES, true, loader).getMethod("inject", Instrumentation.class, Path.class)
                .invoke(null, instrumentation, agentJar);
            Class<?> entry = Class.forName(ENTRY_CLASS, true, loader);
            entry.getMethod("start", String.class, Instrumentation.class, Path.class).invoke(null, args, instrumentation, agentJar);
        } catch (InvocationTargetException e) {
            fail(e.getCause());
        } catch (Exception | LinkageError e) {
            fail(e);
        }
    }

    private static void fail(Throwable cause) {
        PrintStream err = stderr();
        err.println("lockstep: the agent failed to start: " + cause);
        cause.printStackTrace(err);
        err.flush();
        Runtime.getRuntime().halt(5);
    }

    private static PrintStream stderr() {
        return new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    }

    /** Loads classes and resources from {@code lockstep-lib/} inside the agent jar, honouring multi-release entries. */
    static final class IsolatedClassLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final JarFile jar;
        private final String jarUrl;
        private final ProtectionDomain domain;
        private final List<Integer> versions = new ArrayList<>();

        IsolatedClassLoader(JarFile jar, URL jarUrl) {
            super("lockstep", ClassLoader.getPlatformClassLoader());
            this.jar = jar;
            this.jarUrl = jarUrl.toString();
            this.domain = new ProtectionDomain(new CodeSource(jarUrl, (Certificate[]) null), null, this, null);
            String versioned = LIBRARY_PREFIX + "META-INF/versions/";
            for (int v = Runtime.version().feature(); v >= 9; v--) {
                if (jar.getEntry(versioned + v + "/") != null || hasEntriesUnder(versioned + v + "/")) {
                    versions.add(v);
                }
            }
        }

        private boolean hasEntriesUnder(String prefix) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                if (entries.nextElement().getName().startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }

        private JarEntry entry(String path) {
            for (int v : versions) {
                JarEntry versioned = jar.getJarEntry(LIBRARY_PREFIX + "META-INF/versions/" + v + "/" + path);
                if (versioned != null) {
                    return versioned;
                }
            }
            return jar.getJarEntry(LIBRARY_PREFIX + path);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            JarEntry entry = entry(name.replace('.', '/') + ".class");
            if (entry == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes;
            try (InputStream in = jar.getInputStream(entry)) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
            int dot = name.lastIndexOf('.');
            if (dot > 0) {
                String packageName = name.substring(0, dot);
                if (getDefinedPackage(packageName) == null) {
                    try {
                        definePackage(packageName, null, null, null, null, null, null, null);
                    } catch (IllegalArgumentException raced) {
                        // another thread defined it
                    }
                }
            }
            return defineClass(name, bytes, 0, bytes.length, domain);
        }

        @Override
        protected URL findResource(String name) {
            JarEntry entry = entry(name);
            if (entry == null) {
                return null;
            }
            try {
                return new URL("jar:" + jarUrl + "!/" + entry.getName());
            } catch (MalformedURLException e) {
                return null;
            }
        }

        @Override
        protected Enumeration<URL> findResources(String name) {
            URL url = findResource(name);
            return url == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(url));
        }
    }
}
