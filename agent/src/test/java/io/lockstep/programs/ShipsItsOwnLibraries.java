package io.lockstep.programs;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * An application that ships its own ASM and Agrona, in other versions than the agent's: it must
 * see its own, and never the agent's libraries.
 */
public final class ShipsItsOwnLibraries {
    public static void main(String[] args) throws Exception {
        System.out.println("asm from " + jarOf("org.objectweb.asm.ClassReader"));
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, "io/lockstep/programs/Generated", null, "java/lang/Object", null);
        writer.visitEnd();
        System.out.println("asm parsed " + new ClassReader(writer.toByteArray()).getClassName());
        System.out.println("agrona from " + jarOf("org.agrona.BitUtil"));
        for (String hidden : new String[] {"net.openhft.chronicle.queue.ChronicleQueue", "io.lockstep.runtime.Session",
            "io.lockstep.log.Entry", "org.objectweb.asm.RecordComponentVisitor"}) {
            try {
                Class.forName(hidden);
                System.out.println("visible " + hidden);
            } catch (ClassNotFoundException expected) {
                System.out.println("not visible " + hidden);
            }
        }
    }

    private static String jarOf(String className) throws Exception {
        String location = Class.forName(className).getProtectionDomain().getCodeSource().getLocation().getPath();
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
