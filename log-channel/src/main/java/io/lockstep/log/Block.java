package io.lockstep.log;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.zip.CRC32C;

/**
 * A block is the unit the journal stores: a run of consecutive entries behind a header with
 * a checksum, so that a torn or corrupted journal is detected instead of replayed.
 * <pre>
 *   0  int   magic "LSB1"
 *   4  int   number of entries
 *   8  long  position of the first entry
 *  16  int   length of the entries that follow the header
 *  20  int   CRC-32C of those bytes
 *  24  ...   entries, back to back ({@link Entry})
 * </pre>
 */
public final class Block {
    public static final int MAGIC = 0x3142534C; // "LSB1" little-endian
    public static final int MAGIC_OFFSET = 0;
    public static final int COUNT_OFFSET = 4;
    public static final int FIRST_POSITION_OFFSET = 8;
    public static final int BODY_LENGTH_OFFSET = 16;
    public static final int CRC_OFFSET = 20;
    public static final int HEADER_LENGTH = 24;

    private Block() {
    }

    /** Fills in the header of a block whose entries are already at {@code offset + HEADER_LENGTH}. */
    public static void writeHeader(MutableDirectBuffer buffer, int offset, int count, long firstPosition, int bodyLength,
                                   byte[] bodyArray, int bodyArrayOffset) {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC);
        buffer.putInt(offset + COUNT_OFFSET, count);
        buffer.putLong(offset + FIRST_POSITION_OFFSET, firstPosition);
        buffer.putInt(offset + BODY_LENGTH_OFFSET, bodyLength);
        buffer.putInt(offset + CRC_OFFSET, crc(bodyArray, bodyArrayOffset, bodyLength));
    }

    /** The position of the last entry of a block whose header is at the start of {@code block}. */
    public static long lastPosition(byte[] block, int length) {
        org.agrona.concurrent.UnsafeBuffer header = new org.agrona.concurrent.UnsafeBuffer(block, 0, HEADER_LENGTH);
        return header.getLong(FIRST_POSITION_OFFSET) + header.getInt(COUNT_OFFSET) - 1;
    }

    public static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /**
     * Checks a block read from the journal: magic, length, checksum, and that its entries are
     * well formed and consecutive from {@code expectedPosition}.
     *
     * @return the number of entries
     * @throws JournalException naming what is wrong
     */
    public static int verify(DirectBuffer buffer, byte[] array, int length, long expectedPosition, String where) {
        if (length < HEADER_LENGTH || buffer.getInt(MAGIC_OFFSET) != MAGIC) {
            throw new JournalException(where + ": not a Lockstep log block (bad header) where position "
                + expectedPosition + " was expected");
        }
        int count = buffer.getInt(COUNT_OFFSET);
        long first = buffer.getLong(FIRST_POSITION_OFFSET);
        int bodyLength = buffer.getInt(BODY_LENGTH_OFFSET);
        if (bodyLength != length - HEADER_LENGTH || count <= 0) {
            throw new JournalException(where + ": block at position " + expectedPosition + " is truncated or corrupt (length "
                + length + ", header says " + (bodyLength + HEADER_LENGTH) + ")");
        }
        if (crc(array, HEADER_LENGTH, bodyLength) != buffer.getInt(CRC_OFFSET)) {
            throw new JournalException(where + ": checksum mismatch in the block holding positions " + expectedPosition
                + " onwards: the journal is corrupt");
        }
        if (first != expectedPosition) {
            throw new JournalException(where + ": expected position " + expectedPosition + " but the next block starts at "
                + first + ": entries are missing");
        }
        Entry entry = new Entry();
        int at = HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            if (at + Entry.HEADER_LENGTH > length) {
                throw new JournalException(where + ": block at position " + first + " ends inside entry " + (first + i));
            }
            entry.wrap(buffer, at);
            int entryLength = entry.length();
            if (entryLength < Entry.HEADER_LENGTH || at + entryLength > length || entry.position() != first + i
                || entry.kind() == null) {
                throw new JournalException(where + ": malformed entry at position " + (first + i));
            }
            at += entryLength;
        }
        if (at != length) {
            throw new JournalException(where + ": block at position " + first + " has trailing bytes");
        }
        return count;
    }
}
