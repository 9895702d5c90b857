package io.lockstep.agent.transform;

import io.lockstep.boot.HookDelegate;
import io.lockstep.boot.Hooks;
import io.lockstep.loops.LoopShapes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Loop back-edges of application code, rewritten: each frame counts its own back-edges and
 * spends {@link Hooks#BACK_EDGES} ticks at every {@code BACK_EDGES}-th. The rewritten classes are
 * really loaded (the JVM verifies every method's stack map frames, the added local included) and
 * run with this thread as the token holder, so the ticks they spend are counted exactly.
 */
class BackEdgeTicksTest {
    private static final int BATCH = Hooks.BACK_EDGES;
    private static final String SHAPES = "io/lockstep/loops/LoopShapes";
    private static final String MANY = "io/lockstep/loops/ManyLocals";

    private int expiries;
    private Runnable onExpiry = () -> { };

    @BeforeEach
    void holdTheToken() {
        HookDelegate delegate = (HookDelegate) Proxy.newProxyInstance(HookDelegate.class.getClassLoader(),
            new Class<?>[] {HookDelegate.class}, (proxy, method, args) -> {
                if (method.getName().equals("budgetExpired")) {
                    expiries++;
                    Hooks.budget = 1000;
                    onExpiry.run();
                }
                return method.getReturnType() == boolean.class ? Boolean.FALSE : null;
            });
        Hooks.install(delegate);
        Hooks.holder = Thread.currentThread();
    }

    @AfterEach
    void giveItBack() {
        Hooks.holder = null;
        Hooks.install(null);
    }

    @Test
    void everyBatchOfBackEdgesInAFrameSpendsItsTicks() throws Exception {
        Class<?> shapes = rewritten(SHAPES, classBytes(LoopShapes.class));
        Method plainLoop = shapes.getMethod("plainLoop", int.class);
        for (int n : new int[] {0, 1, BATCH - 1, BATCH, BATCH + 1, 1000, 10 * BATCH}) {
            long[] spent = new long[1];
            Object result = spending(spent, () -> plainLoop.invoke(null, n));
            assertEquals(LoopShapes.plainLoop(n), result);
            assertEquals(1 + BATCH * (n / BATCH), spent[0], "ticks of plainLoop(" + n + "): the entry and whole batches");
        }
        Method nested = shapes.getMethod("nested", int.class, int.class);
        long[] spent = new long[1];
        assertEquals(LoopShapes.nested(30, 50), spending(spent, () -> nested.invoke(null, 30, 50)));
        assertEquals(1 + BATCH * ((30 * 50 + 30) / BATCH), spent[0], "one counter for both loops of the frame");
    }

    @Test
    void rewrittenShapesComputeWhatTheOriginalsDo() throws Exception {
        Class<?> shapes = rewritten(SHAPES, classBytes(LoopShapes.class));
        long[] spent = new long[1];
        assertEquals(LoopShapes.wideLocals(7, 2.5, 5000),
            spending(spent, () -> shapes.getMethod("wideLocals", long.class, double.class, int.class).invoke(null, 7L, 2.5, 5000)));
        assertEquals(1 + BATCH * (5000 / BATCH), spent[0]);
        Method loopInTry = shapes.getMethod("loopInTry", int.class, int.class);
        assertEquals(LoopShapes.loopInTry(1000, 700), spending(spent, () -> loopInTry.invoke(null, 1000, 700)));
        assertEquals(LoopShapes.loopInTry(1000, -1), spending(spent, () -> loopInTry.invoke(null, 1000, -1)));
        assertEquals(LoopShapes.slotReuse(3000), spending(spent, () -> shapes.getMethod("slotReuse", int.class).invoke(null, 3000)));
        Constructor<?> constructor = shapes.getConstructor(int.class);
        Object instance = constructor.newInstance(500);
        assertEquals(new LoopShapes(500).synchronizedLoop(300),
            spending(spent, () -> shapes.getMethod("synchronizedLoop", int.class).invoke(instance, 300)));
    }

    /**
     * A busy-wait on a volatile flag ends only by preemption: the budget still runs out in it, at
     * the same back-edge every time. (Without back-edge ticks it would spin for ever: a timeout,
     * on a thread of its own, which is then the holder.)
     */
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSpinLoopIsStillPreempted() throws Exception {
        Hooks.holder = Thread.currentThread();
        Class<?> shapes = rewritten(SHAPES, classBytes(LoopShapes.class));
        Field go = shapes.getDeclaredField("go");
        go.setAccessible(true);
        Method spin = shapes.getMethod("spin");
        spin.setAccessible(true);
        for (int run = 0; run < 3; run++) {
            go.setBoolean(null, false);
            expiries = 0;
            onExpiry = () -> {
                if (expiries == 3) {
                    set(go, true);
                }
            };
            Hooks.budget = 1000;
            Object spins = spin.invoke(null);
            assertEquals(3, expiries);
            // 1000 ticks last the entry and 8 batches; after each expiry 1000 ticks last 8 batches again.
            assertEquals(3 * 8 * BATCH, spins, "the spin loop was preempted at another back-edge");
        }
    }

    /** Over 255 locals: the counter needs the wide forms of iinc and iload. */
    @Test
    void aMethodWithManyLocals() throws Exception {
        Class<?> many = rewritten(MANY, manyLocals(300));
        long[] spent = new long[1];
        assertEquals(4000 * 2, spending(spent, () -> many.getMethod("run", int.class).invoke(null, 4000)));
        assertEquals(1 + BATCH * (4000 / BATCH), spent[0]);
    }

    private interface Call {
        Object call() throws Exception;
    }

    private static Object spending(long[] spent, Call call) throws Exception {
        int before = 1_000_000_000;
        Hooks.budget = before;
        Object result = call.call();
        spent[0] = before - Hooks.budget;
        return result;
    }

    private static void set(Field field, boolean value) {
        try {
            field.setBoolean(null, value);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] classBytes(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            assertNotNull(in);
            return in.readAllBytes();
        }
    }

    /** Transformed as the agent transforms an application class, defined in a loader of its own, linked and initialised. */
    private static Class<?> rewritten(String name, byte[] original) throws ClassNotFoundException {
        byte[] bytes = new HookTransformer(null).transform(new ClassLoader() { }, name, null, null, original);
        assertNotNull(bytes, "not transformed");
        ClassLoader loader = new ClassLoader(BackEdgeTicksTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String wanted) throws ClassNotFoundException {
                if (!wanted.equals(name.replace('/', '.'))) {
                    throw new ClassNotFoundException(wanted);
                }
                return defineClass(wanted, bytes, 0, bytes.length);
            }

            @Override
            protected Class<?> loadClass(String wanted, boolean resolve) throws ClassNotFoundException {
                if (wanted.equals(name.replace('/', '.'))) {
                    synchronized (getClassLoadingLock(wanted)) {
                        Class<?> loaded = findLoadedClass(wanted);
                        return loaded != null ? loaded : findClass(wanted);
                    }
                }
                return super.loadClass(wanted, resolve);
            }
        };
        return Class.forName(name.replace('/', '.'), true, loader);
    }

    /** static int run(int n): {@code locals} int locals, a loop of n iterations that adds 2 per iteration. */
    private static byte[] manyLocals(int locals) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, MANY, null, "java/lang/Object", null);
        MethodVisitor mv = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "(I)I", null, null);
        mv.visitCode();
        for (int slot = 1; slot <= locals; slot++) {
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, slot);
        }
        int i = locals; // the loop variable is the last local
        Label head = new Label();
        Label end = new Label();
        mv.visitLabel(head);
        mv.visitVarInsn(Opcodes.ILOAD, i);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitJumpInsn(Opcodes.IF_ICMPGE, end);
        mv.visitIincInsn(1, 1);
        mv.visitIincInsn(locals - 1, 1);
        mv.visitIincInsn(i, 1);
        mv.visitJumpInsn(Opcodes.GOTO, head);
        mv.visitLabel(end);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitVarInsn(Opcodes.ILOAD, locals - 1);
        mv.visitInsn(Opcodes.IADD);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}
