package io.lockstep.runtime;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * Deterministic identity hash codes. The JVM's identity hash depends on everything the
 * process did before (the agent included), so the primary and the backup would disagree on
 * the iteration order of a HashSet of plain objects. Here an object gets, on its first
 * request from managed code, the next value of its class's counter, scrambled with the class
 * name; the same program asks in the same order on both sides, so both get the same values.
 * One counter per class: JDK objects hashed by the application on one side and by the agent's
 * own work on the other cannot shift the hashes of the application's objects.
 * <p>
 * An object first hashed outside managed code (by the agent, or by an unmanaged thread) keeps
 * its JVM hash for good: it may already sit in a table under it.
 * <p>
 * A weak identity map, written here because neither the JDK nor our libraries offer one whose
 * keys are compared by identity and held weakly. Buckets use the JVM's own identity hash.
 */
final class IdentityHashes {
    private static final class Slot extends WeakReference<Object> {
        final int realHash;
        final int hash;
        Slot next;

        Slot(Object referent, ReferenceQueue<Object> queue, int realHash, int hash, Slot next) {
            super(referent, queue);
            this.realHash = realHash;
            this.hash = hash;
            this.next = next;
        }
    }

    private final ReferenceQueue<Object> cleared = new ReferenceQueue<>();
    private final ClassValue<int[]> counters = new ClassValue<>() {
        @Override
        protected int[] computeValue(Class<?> type) {
            return new int[] {stableName(type).hashCode() * 0x9E3779B9};
        }
    };
    private Slot[] table = new Slot[4096];
    private int size;

    /** The object's deterministic hash, assigning the next one if it has none. */
    synchronized int assign(Object object) {
        int realHash = System.identityHashCode(object);
        Slot found = find(object, realHash);
        if (found != null) {
            return found.hash;
        }
        int[] counter = counters.get(object.getClass());
        return insert(object, realHash, scramble(++counter[0]));
    }

    /** The object's hash if it has one; else its real identity hash, which it keeps from now on. */
    synchronized int lookup(Object object) {
        int realHash = System.identityHashCode(object);
        Slot found = find(object, realHash);
        return found != null ? found.hash : insert(object, realHash, realHash);
    }

    private int insert(Object object, int realHash, int hash) {
        expungeCleared();
        int index = realHash & (table.length - 1);
        table[index] = new Slot(object, cleared, realHash, hash, table[index]);
        if (++size > table.length * 3 / 4) {
            resize();
        }
        return hash;
    }

    /** The class name without what differs between runs: a hidden class's address, a lambda's number. */
    static String stableName(Class<?> type) {
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda >= 0) {
            return name.substring(0, lambda);
        }
        int hidden = name.indexOf('/');
        return hidden >= 0 ? name.substring(0, hidden) : name;
    }

    /** Live entries, after dropping those whose objects were collected. */
    synchronized int size() {
        expungeCleared();
        return size;
    }

    private Slot find(Object object, int realHash) {
        for (Slot slot = table[realHash & (table.length - 1)]; slot != null; slot = slot.next) {
            if (slot.realHash == realHash && slot.refersTo(object)) {
                return slot;
            }
        }
        return null;
    }

    private void expungeCleared() {
        Reference<?> reference;
        while ((reference = cleared.poll()) != null) {
            Slot dead = (Slot) reference;
            int index = dead.realHash & (table.length - 1);
            Slot previous = null;
            for (Slot slot = table[index]; slot != null; previous = slot, slot = slot.next) {
                if (slot == dead) {
                    if (previous == null) {
                        table[index] = slot.next;
                    } else {
                        previous.next = slot.next;
                    }
                    size--;
                    break;
                }
            }
        }
    }

    private void resize() {
        Slot[] old = table;
        table = new Slot[old.length * 2];
        for (Slot head : old) {
            for (Slot slot = head; slot != null; ) {
                Slot next = slot.next;
                int index = slot.realHash & (table.length - 1);
                slot.next = table[index];
                table[index] = slot;
                slot = next;
            }
        }
    }

    /** MurmurHash3's finaliser, cut to 31 positive bits as the JVM's identity hashes are, so consecutive objects do not get consecutive hashes. */
    static int scramble(int n) {
        int h = n;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        h &= 0x7fffffff;
        return h == 0 ? 1 : h;
    }
}
