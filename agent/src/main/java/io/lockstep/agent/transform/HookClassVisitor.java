package io.lockstep.agent.transform;

import io.lockstep.log.EntryKind;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies {@link Rules} to one class. Changes no control flow except the intercept prologue and
 * the monitor a synchronized method becomes.
 */
final class HookClassVisitor extends ClassVisitor {
    private final Scope scope;
    private final boolean jdkClass;
    private final boolean synchronizes;
    /** A class being defined (not redefined) may still change its methods' modifiers. */
    private final boolean firstLoad;
    private final ThreadTypes threadTypes;
    /**
     * Application classes (read with expanded frames): name + descriptor -> max_locals, where
     * each method's loop counter goes. Null for the classes that get no ticks.
     */
    private final Map<String, Integer> maxLocals;
    private String className;
    private boolean changed;

    HookClassVisitor(ClassVisitor next, Scope scope, boolean jdkClass, boolean synchronizes, boolean firstLoad,
                     ThreadTypes threadTypes, Map<String, Integer> maxLocals) {
        super(Opcodes.ASM9, next);
        this.maxLocals = maxLocals;
        this.scope = scope;
        this.jdkClass = jdkClass;
        this.synchronizes = synchronizes;
        this.firstLoad = firstLoad;
        this.threadTypes = threadTypes;
    }

    boolean changed() {
        return changed;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        className = name;
        super.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
        // A synchronized method's monitor is taken by the VM before any hook could run: where the
        // class is still being defined, it becomes an explicit monitor the hooks bracket.
        boolean unsynchronize = synchronizes && firstLoad && (access & Opcodes.ACC_SYNCHRONIZED) != 0
            && (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
        MethodVisitor next = super.visitMethod(unsynchronize ? access & ~Opcodes.ACC_SYNCHRONIZED : access, name, descriptor,
            signature, exceptions);
        if (next == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return next;
        }
        if (unsynchronize) {
            changed = true;
        }
        String method = name + descriptor;
        Map<String, Rules.Intercept> intercepts = Rules.INTERCEPTS.get(className);
        Rules.Intercept intercept = intercepts == null ? null : intercepts.get(method);
        Map<String, EntryKind> returns = Rules.RETURN_VALUES.get(className);
        EntryKind returnKind = returns == null ? null : returns.get(method);
        // A JDK class initialiser may run in the agent's own work on one side and in the
        // application's on the other; its reads must not be recorded.
        boolean valuesHere = !(jdkClass && name.equals("<clinit>"));
        Map<String, String> prologues = Rules.PROLOGUES.get(className);
        String prologue = prologues == null ? null : prologues.get(method);
        if (prologue == null && (scope == Scope.APPLICATION || synchronizes) && method.equals(Rules.APPLICATION_RUN)
            && (access & Opcodes.ACC_STATIC) == 0) {
            prologue = "threadBegins";
        }
        // A JDK class initialiser runs where the class is first used: in the agent's work on one
        // side, in the application's on the other. Nothing it does, callees included, is recorded.
        boolean jdkInit = jdkClass && firstLoad && name.equals("<clinit>");
        if (jdkInit) {
            changed = true;
        }
        return new HookMethodVisitor(next, access, name, descriptor, method, intercept, returnKind, valuesHere, prologue,
            unsynchronize, jdkInit);
    }

    private final class HookMethodVisitor extends MethodVisitor {
        private final int access;
        private final String descriptor;
        private final String method;
        private final Rules.Intercept intercept;
        private final EntryKind returnKind;
        private final boolean valuesHere;
        private final String prologue;
        private final boolean unsynchronize;
        private final boolean jdkInit;
        private final boolean ticks = scope == Scope.APPLICATION;
        /** The frames come expanded (F_NEW), and the ones written here must be too. */
        private final boolean expanded = maxLocals != null;
        /**
         * The slot of this frame's count of its loop back-edges (0 at entry, then see
         * Hooks.backEdge), or -1 (no ticks, or no slot left): the first slot after the method's
         * own locals, so nothing moves; it is an int in every frame.
         */
        private final int counter;
        private final Label hook = new Label();
        /**
         * The wrapped body's exception ranges: one per stretch between returns. A return must lie
         * outside them, as in javac's code: past the monitor exit, the handler's exit would not
         * match, and the JIT refuses to compile such a method.
         */
        private final List<Label[]> wrappedRanges = new ArrayList<>();
        private Label wrappedFrom;
        /** The method's own exception ranges {start, end, handler, type}, held back until the code is written: see visitMaxs. */
        private final List<Object[]> tryCatchBlocks = new ArrayList<>();
        /** Around each model exit written after a handler's monitorexit: {before the call, after it}. */
        private final List<Label[]> modelExits = new ArrayList<>();
        /** The range of the self-covering handler just entered {start, end, handler, type}, until its first monitorexit or monitorenter. */
        private Object[] handlerExitPath;
        /** The ranges that start at their own handler, by that label. */
        private final Map<Label, Object[]> selfCoveringHandlers = new HashMap<>();
        private final Set<Label> visited = new HashSet<>();
        private int extraStack;

        HookMethodVisitor(MethodVisitor next, int access, String name, String descriptor, String method,
                          Rules.Intercept intercept, EntryKind returnKind, boolean valuesHere, String prologue,
                          boolean unsynchronize, boolean jdkInit) {
            super(Opcodes.ASM9, next);
            this.access = access;
            this.descriptor = descriptor;
            this.method = method;
            this.intercept = intercept;
            this.returnKind = returnKind;
            this.valuesHere = valuesHere;
            this.prologue = prologue;
            this.unsynchronize = unsynchronize;
            this.jdkInit = jdkInit;
            Integer locals = ticks && maxLocals != null ? maxLocals.get(method) : null;
            this.counter = locals != null && locals < 0xFFFF ? locals : -1;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (prologue != null) {
                int open = prologue.indexOf('(');
                if (open < 0) {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, prologue, "()V", false);
                } else {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, prologue.substring(0, open), prologue.substring(open), false);
                    extraStack = Math.max(extraStack, 1);
                }
                changed = true;
            }
            if (ticks) {
                tick();
            }
            if (counter >= 0) {
                super.visitInsn(Opcodes.ICONST_0);
                super.visitVarInsn(Opcodes.ISTORE, counter);
                extraStack = Math.max(extraStack, 1);
            }
            if (intercept != null) {
                switch (intercept.guard()) {
                    case STDIN -> {
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitFieldInsn(Opcodes.GETFIELD, className, "fd", "Ljava/io/FileDescriptor;");
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "interceptingStdin", "(Ljava/io/FileDescriptor;)Z", false);
                    }
                    case OUTPUT -> {
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitFieldInsn(Opcodes.GETFIELD, className, "fd", "Ljava/io/FileDescriptor;");
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "interceptingOutput", "(Ljava/io/FileDescriptor;)Z", false);
                    }
                    case THREAD -> {
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "interceptingThread", "(Ljava/lang/Thread;)Z", false);
                    }
                    case SOCKET -> {
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "interceptingSocket", "(Ljava/lang/Object;)Z", false);
                    }
                    default -> super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "intercepting", "()Z", false);
                }
                super.visitJumpInsn(Opcodes.IFNE, hook);
                changed = true;
            }
            if (unsynchronize) {
                loadMonitor();
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "monitorEnter", "(Ljava/lang/Object;)V", false);
                loadMonitor();
                super.visitInsn(Opcodes.MONITORENTER);
                openWrappedRange();
            } else if (jdkInit) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "jdkInitBegins", "()V", false);
                openWrappedRange();
            }
        }

        private void tick() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "tick", "()V", false);
            changed = true;
        }

        /** The monitor of a synchronized method: this, or the class. */
        private void loadMonitor() {
            if ((access & Opcodes.ACC_STATIC) != 0) {
                super.visitLdcInsn(Type.getObjectType(className));
            } else {
                super.visitVarInsn(Opcodes.ALOAD, 0);
            }
        }

        /**
         * What every return from a wrapped body does (and the JDK initialiser's handler): end the
         * JDK initialiser, or exit the monitor, the model first (the monitor is still held, inside
         * the wrapped range: an exception here meets a consistent handler).
         */
        private void leaveBody() {
            if (jdkInit) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "jdkInitEnds", "()V", false);
                return;
            }
            loadMonitor();
            super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "monitorExit", "(Ljava/lang/Object;)V", false);
            loadMonitor();
            super.visitInsn(Opcodes.MONITOREXIT);
            extraStack = Math.max(extraStack, 1);
        }

        private void openWrappedRange() {
            wrappedFrom = new Label();
            super.visitLabel(wrappedFrom);
        }

        private void closeWrappedRange() {
            Label to = new Label();
            super.visitLabel(to);
            if (to.getOffset() > wrappedFrom.getOffset()) {
                wrappedRanges.add(new Label[] {wrappedFrom, to});
            }
        }

        @Override
        public void visitLabel(Label label) {
            super.visitLabel(label);
            visited.add(label);
            Object[] selfCovering = selfCoveringHandlers.get(label);
            if (selfCovering != null) {
                handlerExitPath = selfCovering;
            }
        }

        /**
         * A jump back to a label already seen closes a loop: the frame counts it, and every
         * Hooks.BACK_EDGES-th one spends that many ticks (a plain tick where there is no counter).
         */
        @Override
        public void visitJumpInsn(int opcode, Label label) {
            if (ticks && visited.contains(label)) {
                if (counter >= 0) {
                    super.visitIincInsn(counter, 1);
                    super.visitVarInsn(Opcodes.ILOAD, counter);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "backEdge", "(I)V", false);
                    extraStack = Math.max(extraStack, 1);
                    changed = true;
                } else {
                    tick();
                }
            }
            super.visitJumpInsn(opcode, label);
        }

        /** Every frame of the original code comes after the counter's initialisation: it lists the counter as an int. */
        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            if (counter < 0 || type != Opcodes.F_NEW) {
                super.visitFrame(type, numLocal, local, numStack, stack);
                return;
            }
            int slots = 0;
            for (int i = 0; i < numLocal; i++) {
                slots += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
            }
            // max_locals bounds every frame: slots <= counter. Free slots up to the counter are TOP.
            Object[] withCounter = new Object[numLocal + (counter - slots) + 1];
            System.arraycopy(local, 0, withCounter, 0, numLocal);
            for (int i = numLocal; i < withCounter.length - 1; i++) {
                withCounter[i] = Opcodes.TOP;
            }
            withCounter[withCounter.length - 1] = Opcodes.INTEGER;
            super.visitFrame(type, withCounter.length, withCounter, numStack, stack);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String callDescriptor, boolean isInterface) {
            if (scope.rewritesIdentity() && rewriteIdentity(opcode, owner, name, callDescriptor)) {
                changed = true;
                return;
            }
            if (synchronizes && redirect(opcode, owner, name, callDescriptor)) {
                changed = true;
                return;
            }
            Rules.ValueSite site = valuesHere ? valueSite(owner, name, callDescriptor) : null;
            if (site != null && site.relative()) {
                super.visitInsn(Opcodes.DUP2);
                super.visitMethodInsn(opcode, owner, name, callDescriptor, isInterface);
                super.visitLdcInsn(site.kind().code());
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "relativeValue", "(JJI)J", false);
                extraStack = Math.max(extraStack, 3);
                changed = true;
                return;
            }
            super.visitMethodInsn(opcode, owner, name, callDescriptor, isInterface);
            if (site != null) {
                emitValueFilter(Type.getReturnType(callDescriptor), site.kind());
            }
        }

        private boolean rewriteIdentity(int opcode, String owner, String name, String callDescriptor) {
            if (opcode == Opcodes.INVOKESTATIC && owner.equals("java/lang/System") && name.equals("identityHashCode")
                && callDescriptor.equals("(Ljava/lang/Object;)I")) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "identityHashCode", "(Ljava/lang/Object;)I", false);
                return true;
            }
            if (!name.equals("hashCode") || !callDescriptor.equals("()I")) {
                return false;
            }
            if (opcode == Opcodes.INVOKESPECIAL && owner.equals("java/lang/Object")) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "identityHashCode", "(Ljava/lang/Object;)I", false);
                return true;
            }
            if ((opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKEINTERFACE) && !Rules.VALUE_HASH_OWNERS.contains(owner)) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "hashCode", "(Ljava/lang/Object;)I", false);
                return true;
            }
            return false;
        }

        private boolean redirect(int opcode, String owner, String name, String callDescriptor) {
            if (!Rules.REDIRECT_NAMES.contains(name)) {
                return false;
            }
            Rules.Redirect redirect = Rules.REDIRECTS.get(name + callDescriptor);
            if (redirect == null) {
                return false;
            }
            if (redirect.staticCall() != (opcode == Opcodes.INVOKESTATIC)) {
                return false;
            }
            if (redirect.owner() != null && (!redirect.owner().equals(owner) || className.equals(Rules.LOCK_SUPPORT))) {
                return false; // LockSupport's own Unsafe calls are the real park its intercept falls back to
            }
            if (redirect.threadOwner() && !threadTypes.isThread(owner)) {
                return false;
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, redirect.hook(), redirect.hookDescriptor(), false);
            return true;
        }

        @Override
        public void visitInsn(int opcode) {
            if (synchronizes && opcode == Opcodes.MONITORENTER) {
                handlerExitPath = null;
                super.visitInsn(Opcodes.DUP);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "monitorEnter", "(Ljava/lang/Object;)V", false);
                super.visitInsn(Opcodes.MONITORENTER);
                extraStack = Math.max(extraStack, 1);
                changed = true;
                return;
            }
            if (synchronizes && opcode == Opcodes.MONITOREXIT) {
                super.visitInsn(Opcodes.DUP);
                if (handlerExitPath != null && !visited.contains((Label) handlerExitPath[1])) {
                    handlerExitPath = null;
                    // The first exit in a handler that covers itself, before any enter: javac's
                    // exit path of a synchronized block. The real exit first, then the model's,
                    // left out of the handler's range (see writeTryCatchBlocks).
                    super.visitInsn(Opcodes.MONITOREXIT);
                    Label before = new Label();
                    Label after = new Label();
                    super.visitLabel(before);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "monitorExit", "(Ljava/lang/Object;)V", false);
                    super.visitLabel(after);
                    modelExits.add(new Label[] {before, after});
                } else {
                    // Elsewhere the model's exit first, while the monitor is held: the handler
                    // that covers this instruction exits the monitor itself, so a call after the
                    // real exit would meet it with a lock state C1 cannot merge.
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "monitorExit", "(Ljava/lang/Object;)V", false);
                    super.visitInsn(Opcodes.MONITOREXIT);
                }
                extraStack = Math.max(extraStack, 1);
                changed = true;
                return;
            }
            boolean isReturn = opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN;
            if (returnKind != null && (opcode == Opcodes.LRETURN || opcode == Opcodes.IRETURN)) {
                emitValueFilter(opcode == Opcodes.LRETURN ? Type.LONG_TYPE : Type.INT_TYPE, returnKind);
            }
            if ((unsynchronize || jdkInit) && isReturn) {
                leaveBody();
                closeWrappedRange();
                super.visitInsn(opcode);
                openWrappedRange();
                return;
            }
            super.visitInsn(opcode);
        }

        private Rules.ValueSite valueSite(String owner, String name, String callDescriptor) {
            if (scope.filtersGlobalValues()) {
                for (Rules.ValueSite site : Rules.GLOBAL_VALUES) {
                    if (site.matches(owner, name, callDescriptor)) {
                        return site;
                    }
                }
            }
            List<Rules.ClassValueSite> sites = Rules.CLASS_VALUES.get(className);
            if (sites != null) {
                for (Rules.ClassValueSite site : sites) {
                    if ((site.method() == null || site.method().equals(method)) && site.site().matches(owner, name, callDescriptor)) {
                        return site.site();
                    }
                }
            }
            return null;
        }

        private void emitValueFilter(Type type, EntryKind kind) {
            super.visitLdcInsn(kind.code());
            if (type.getSort() == Type.LONG) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "value", "(JI)J", false);
            } else {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "value", "(II)I", false);
            }
            extraStack = Math.max(extraStack, 1);
            changed = true;
        }

        /**
         * Held back until the code is written. A split range would shift the exception-table
         * index that a type annotation of a catch parameter names; javac's shape is never split
         * (its model exit comes last in the range), so the count stays as it was.
         */
        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            Object[] block = {start, end, handler, type};
            tryCatchBlocks.add(block);
            if (start == handler) {
                selfCoveringHandlers.put(handler, block);
            }
        }

        /**
         * The method's exception ranges, in their order, but for one change. javac's handler of a
         * synchronized block covers itself, up to its monitorexit. C1 (the first JIT tier) needs
         * every call made while a monitor is held to be covered, and cannot merge an edge from the
         * handler back into itself: so the model's exit there comes after the real one, outside
         * the range. Without this, every synchronized block the agent rewrote ran interpreted until
         * C2 compiled it ("COMPILE SKIPPED: error while joining with exception handler").
         */
        private void writeTryCatchBlocks() {
            for (Object[] block : tryCatchBlocks) {
                Label start = (Label) block[0];
                Label end = (Label) block[1];
                Label handler = (Label) block[2];
                String type = (String) block[3];
                Label from = start;
                if (start == handler) {
                    for (Label[] exit : modelExits) {
                        if (exit[0].getOffset() >= from.getOffset() && exit[1].getOffset() <= end.getOffset()) {
                            if (exit[0].getOffset() > from.getOffset()) {
                                super.visitTryCatchBlock(from, exit[0], handler, type);
                            }
                            from = exit[1];
                        }
                    }
                }
                if (end.getOffset() > from.getOffset()) {
                    super.visitTryCatchBlock(from, end, handler, type);
                }
            }
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            writeTryCatchBlocks(); // before the wrapped body's handler: inner ranges come first
            int stack = maxStack + extraStack;
            if (unsynchronize || jdkInit) {
                stack = Math.max(stack, emitMonitorHandler());
            }
            if (intercept != null) {
                stack = Math.max(stack, emitInterceptBody());
            }
            super.visitMaxs(stack, counter >= 0 ? Math.max(maxLocals, counter + 1) : maxLocals);
        }

        /** What javac writes for a synchronized block: on any exception, leave (exit the monitor) and rethrow. */
        private int emitMonitorHandler() {
            closeWrappedRange();
            Label handler = new Label();
            for (Label[] range : wrappedRanges) {
                super.visitTryCatchBlock(range[0], range[1], handler, null);
            }
            super.visitLabel(handler);
            boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
            Object[] locals = isStatic ? new Object[0] : new Object[] {className};
            super.visitFrame(expanded ? Opcodes.F_NEW : Opcodes.F_FULL, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
            if (jdkInit) {
                leaveBody();
            } else {
                // As javac writes it (the handler covers itself up to its monitorexit), with the
                // model's exit after the real one, outside every range: see writeTryCatchBlocks.
                Label exited = new Label();
                super.visitTryCatchBlock(handler, exited, handler, null);
                loadMonitor();
                super.visitInsn(Opcodes.MONITOREXIT);
                super.visitLabel(exited);
                loadMonitor();
                super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "monitorExit", "(Ljava/lang/Object;)V", false);
            }
            super.visitInsn(Opcodes.ATHROW);
            return 2;
        }

        /** The hook branch, after the original code: a full frame, the arguments, the hook call, return. */
        private int emitInterceptBody() {
            boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
            Type[] arguments = Type.getArgumentTypes(descriptor);
            Object[] locals = new Object[arguments.length + (isStatic ? 0 : 1)];
            int local = 0;
            if (!isStatic) {
                locals[local++] = className;
            }
            for (Type argument : arguments) {
                locals[local++] = frameType(argument);
            }
            super.visitLabel(hook);
            super.visitFrame(expanded ? Opcodes.F_NEW : Opcodes.F_FULL, locals.length, locals, 0, new Object[0]);
            int slot = 0;
            int slots = 0;
            if (!isStatic) {
                super.visitVarInsn(Opcodes.ALOAD, slot++);
                slots++;
            }
            for (Type argument : arguments) {
                super.visitVarInsn(argument.getOpcode(Opcodes.ILOAD), slot);
                slot += argument.getSize();
                slots += argument.getSize();
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, intercept.hookName(), intercept.hookDescriptor(), false);
            Type returnType = Type.getReturnType(descriptor);
            super.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
            return Math.max(slots, returnType.getSize()) + 1;
        }

        private Object frameType(Type type) {
            switch (type.getSort()) {
                case Type.BOOLEAN:
                case Type.BYTE:
                case Type.CHAR:
                case Type.SHORT:
                case Type.INT:
                    return Opcodes.INTEGER;
                case Type.LONG:
                    return Opcodes.LONG;
                case Type.FLOAT:
                    return Opcodes.FLOAT;
                case Type.DOUBLE:
                    return Opcodes.DOUBLE;
                default:
                    return type.getInternalName();
            }
        }
    }
}
