package io.lockstep.agent.transform;

import org.objectweb.asm.ClassReader;

import java.util.HashMap;
import java.util.Map;

/**
 * The max_locals of every method with code, read from the class file's method table without
 * reading any code: ASM reports it only after the code, and a local the transformer adds must be
 * placed before (at the first free slot, so no original local moves).
 */
final class MaxLocals {
    private MaxLocals() {
    }

    /** name + descriptor -> max_locals, for the methods that have a Code attribute. */
    static Map<String, Integer> of(ClassReader reader) {
        char[] buffer = new char[reader.getMaxStringLength()];
        int offset = reader.header + 6; // access_flags, this_class, super_class
        offset += 2 + 2 * reader.readUnsignedShort(offset); // interfaces
        int fields = reader.readUnsignedShort(offset);
        offset += 2;
        for (int i = 0; i < fields; i++) {
            offset = skipAttributes(reader, offset + 6);
        }
        int methods = reader.readUnsignedShort(offset);
        offset += 2;
        Map<String, Integer> maxLocals = new HashMap<>();
        for (int i = 0; i < methods; i++) {
            String method = reader.readUTF8(offset + 2, buffer) + reader.readUTF8(offset + 4, buffer);
            int attributes = reader.readUnsignedShort(offset + 6);
            offset += 8;
            for (int a = 0; a < attributes; a++) {
                if (reader.readUTF8(offset, buffer).equals("Code")) {
                    maxLocals.put(method, reader.readUnsignedShort(offset + 8)); // after max_stack
                }
                offset += 6 + reader.readInt(offset + 2);
            }
        }
        return maxLocals;
    }

    private static int skipAttributes(ClassReader reader, int offset) {
        int attributes = reader.readUnsignedShort(offset);
        offset += 2;
        for (int a = 0; a < attributes; a++) {
            offset += 6 + reader.readInt(offset + 2);
        }
        return offset;
    }
}
