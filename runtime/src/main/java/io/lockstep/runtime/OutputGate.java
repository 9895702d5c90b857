package io.lockstep.runtime;

import java.io.FileOutputStream;
import java.util.ArrayDeque;

/**
 * The output rule on the primary: a write to stdout or stderr made after log position P leaves
 * the process only once the backup has acknowledged P. The writing thread never waits: its bytes
 * are held here, and the link thread releases them, in order, as acknowledgements come in. Once
 * there is no backup to wait for ({@link #open}), writes go straight out, still in order.
 */
final class OutputGate {
    private record Held(long position, long sequence, FileOutputStream stream, byte[] bytes) {
    }

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean open;
    private long releasedSequence;
    private long heldBytes;

    /** Holds (or, when open and nothing waits, writes) the {@code sequence}-th output, produced after {@code position}. */
    synchronized void hold(long position, long sequence, FileOutputStream stream, byte[] bytes, int offset, int length) {
        byte[] copy = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
        if (open && held.isEmpty()) {
            OutputStreams.writeQuietly(stream, copy);
            releasedSequence = sequence;
            return;
        }
        held.addLast(new Held(position, sequence, stream, copy));
        heldBytes += length;
    }

    /** Writes out what the acknowledgement of {@code acked} covers. @return the number of outputs released so far */
    synchronized long releaseUpTo(long acked) {
        Held next;
        while ((next = held.peekFirst()) != null && (open || next.position <= acked)) {
            held.removeFirst();
            heldBytes -= next.bytes.length;
            OutputStreams.writeQuietly(next.stream, next.bytes);
            releasedSequence = next.sequence;
        }
        return releasedSequence;
    }

    /** No backup any more: what is held goes out now, and later writes at once. */
    synchronized long open() {
        open = true;
        return releaseUpTo(Long.MAX_VALUE);
    }

    synchronized long releasedSequence() {
        return releasedSequence;
    }

    /** Bytes waiting for an acknowledgement. */
    synchronized long heldBytes() {
        return heldBytes;
    }
}
