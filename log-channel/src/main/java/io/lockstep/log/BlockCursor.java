package io.lockstep.log;

import org.agrona.DirectBuffer;

/** Walks the entries of one block that {@link Block#verify} accepted, in order. */
final class BlockCursor {
    private final Entry entry = new Entry();
    private DirectBuffer block;
    private int nextOffset;
    private int left;

    /** Starts on a block of {@code count} entries. */
    void start(DirectBuffer verifiedBlock, int count) {
        block = verifiedBlock;
        nextOffset = Block.HEADER_LENGTH;
        left = count;
    }

    boolean hasNext() {
        return left > 0;
    }

    /** The next entry: a flyweight, valid until the next call. */
    Entry next() {
        entry.wrap(block, nextOffset);
        nextOffset += entry.length();
        left--;
        return entry;
    }
}
