package io.lockstep.agent.transform;

import io.lockstep.log.EntryKind;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.util.List;
import java.util.Map;

/** Applies {@link Rules} to one class. Changes no control flow except the intercept prologue. */
final class HookClassVisitor extends ClassVisitor {
    private final Scope scope;
    private final boolean jdkClass;
    private String className;
    private boolean changed;

    HookClassVisitor(ClassVisitor next, Scope scope, boolean jdkClass) {
        super(Opcodes.ASM9, next);
        this.scope = scope;
        this.jdkClass = jdkClass;
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
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        if (next == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
            return next;
        }
        String method = name + descriptor;
        Map<String, Rules.Intercept> intercepts = Rules.INTERCEPTS.get(className);
        Rules.Intercept intercept = intercepts == null ? null : intercepts.get(method);
        Map<String, EntryKind> returns = Rules.RETURN_VALUES.get(className);
        EntryKind returnKind = returns == null ? null : returns.get(method);
        // A JDK class initialiser may run in the agent's own work on one side and in the
        // application's on the other; its reads must not be recorded.
        boolean valuesHere = !(jdkClass && name.equals("<clinit>"));
        return new HookMethodVisitor(next, access, name, descriptor, method, intercept, returnKind, valuesHere);
    }

    private final class HookMethodVisitor extends MethodVisitor {
        private final int access;
        private final String descriptor;
        private final String method;
        private final Rules.Intercept intercept;
        private final EntryKind returnKind;
        private final boolean valuesHere;
        private final Label hook = new Label();
        private int extraStack;

        HookMethodVisitor(MethodVisitor next, int access, String name, String descriptor, String method,
                          Rules.Intercept intercept, EntryKind returnKind, boolean valuesHere) {
            super(Opcodes.ASM9, next);
            this.access = access;
            this.descriptor = descriptor;
            this.method = method;
            this.intercept = intercept;
            this.returnKind = returnKind;
            this.valuesHere = valuesHere;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (intercept != null) {
                if (intercept.stdinOnly()) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitFieldInsn(Opcodes.GETFIELD, className, "fd", "Ljava/io/FileDescriptor;");
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "interceptingStdin", "(Ljava/io/FileDescriptor;)Z", false);
                } else {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, Rules.HOOKS, "intercepting", "()Z", false);
                }
                super.visitJumpInsn(Opcodes.IFNE, hook);
                changed = true;
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String callDescriptor, boolean isInterface) {
            if (scope.rewritesIdentity() && rewriteIdentity(opcode, owner, name, callDescriptor)) {
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

        @Override
        public void visitInsn(int opcode) {
            if (returnKind != null && (opcode == Opcodes.LRETURN || opcode == Opcodes.IRETURN)) {
                emitValueFilter(opcode == Opcodes.LRETURN ? Type.LONG_TYPE : Type.INT_TYPE, returnKind);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            int stack = maxStack + extraStack;
            if (intercept != null) {
                stack = Math.max(stack, emitInterceptBody());
            }
            super.visitMaxs(stack, maxLocals);
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
            super.visitFrame(Opcodes.F_FULL, locals.length, locals, 0, new Object[0]);
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
