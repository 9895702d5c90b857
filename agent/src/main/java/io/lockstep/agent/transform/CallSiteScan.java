package io.lockstep.agent.transform;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.List;

/**
 * A look at a class's constant pool, without reading its code: could {@link HookClassVisitor}
 * change it? Most classes in scope reference no hooked call, and skipping them keeps class
 * loading and the start-up retransformation of the JDK cheap. Over-approximates (a reference
 * used only in a JDK class initialiser still counts).
 */
final class CallSiteScan {
    private static final int METHODREF = 10;
    private static final int INTERFACE_METHODREF = 11;

    private CallSiteScan() {
    }

    static boolean mayChange(ClassReader reader, String className, Scope scope, boolean synchronizes, boolean firstLoad) {
        if (scope == Scope.APPLICATION || Rules.INTERCEPTS.containsKey(className) || Rules.RETURN_VALUES.containsKey(className)
            || Rules.PROLOGUES.containsKey(className)) {
            return true;
        }
        List<Rules.ClassValueSite> classSites = Rules.CLASS_VALUES.get(className);
        char[] buffer = new char[reader.getMaxStringLength()];
        for (int item = 1; item < reader.getItemCount(); item++) {
            int offset = reader.getItem(item);
            if (offset == 0) {
                continue; // the second slot of a long or double constant
            }
            int tag = reader.readByte(offset - 1);
            if (tag != METHODREF && tag != INTERFACE_METHODREF) {
                continue;
            }
            String owner = reader.readClass(offset, buffer);
            int nameAndType = reader.getItem(reader.readUnsignedShort(offset + 2));
            String name = reader.readUTF8(nameAndType, buffer);
            String descriptor = reader.readUTF8(nameAndType + 2, buffer);
            if (scope.rewritesIdentity() && isIdentityCall(owner, name, descriptor)) {
                return true;
            }
            if (synchronizes && Rules.REDIRECT_NAMES.contains(name) && Rules.REDIRECTS.containsKey(name + descriptor)) {
                return true;
            }
            if (scope.filtersGlobalValues()) {
                for (Rules.ValueSite site : Rules.GLOBAL_VALUES) {
                    if (site.matches(owner, name, descriptor)) {
                        return true;
                    }
                }
            }
            if (classSites != null) {
                for (Rules.ClassValueSite site : classSites) {
                    if (site.site().matches(owner, name, descriptor)) {
                        return true;
                    }
                }
            }
        }
        return synchronizes && hasMonitors(reader, firstLoad);
    }

    /** Reads the code: a monitorenter, a run() (a thread may begin there), or (while the class is still being defined) a synchronized method. */
    private static boolean hasMonitors(ClassReader reader, boolean firstLoad) {
        boolean[] found = new boolean[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if (found[0]) {
                    return null;
                }
                if ((firstLoad && (access & Opcodes.ACC_SYNCHRONIZED) != 0 && (access & Opcodes.ACC_NATIVE) == 0)
                    || ((name + descriptor).equals(Rules.APPLICATION_RUN) && (access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT)) == 0)) {
                    found[0] = true;
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.MONITORENTER) {
                            found[0] = true;
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0];
    }

    private static boolean isIdentityCall(String owner, String name, String descriptor) {
        if (name.equals("identityHashCode")) {
            return owner.equals("java/lang/System");
        }
        return name.equals("hashCode") && descriptor.equals("()I") && !Rules.VALUE_HASH_OWNERS.contains(owner);
    }
}
