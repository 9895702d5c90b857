package io.lockstep.agent.transform;

import org.objectweb.asm.ClassReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Is a call's owner java.lang.Thread or a subclass? javac names the receiver's static type
 * ({@code worker.join()}, {@code sleep(10)} inside a Thread subclass), so the answer needs the
 * class hierarchy, read from class files: transforming must not load classes.
 */
final class ThreadTypes {
    private static final String THREAD = "java/lang/Thread";
    private final Map<String, Boolean> known = new ConcurrentHashMap<>(Map.of(
        THREAD, true,
        "java/lang/Object", false,
        "java/util/concurrent/ForkJoinWorkerThread", true,
        "java/util/TimerThread", true));
    private final ClassLoader loader;

    ThreadTypes(ClassLoader loader) {
        this.loader = loader;
    }

    boolean isThread(String owner) {
        Boolean answer = known.get(owner);
        if (answer != null) {
            return answer;
        }
        String superName = superNameOf(owner);
        boolean thread = superName != null && isThread(superName);
        known.put(owner, thread);
        return thread;
    }

    private String superNameOf(String type) {
        if (type.startsWith("[")) {
            return null;
        }
        String resource = type + ".class";
        try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource) : loader.getResourceAsStream(resource)) {
            return in == null ? null : new ClassReader(in).getSuperName();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
