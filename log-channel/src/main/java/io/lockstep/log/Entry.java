package io.lockstep.log;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The binary layout of one log entry, shared by the ring buffer, the journal blocks and (later)
 * the network. Little-endian, as Agrona writes it:
 * <pre>
 *   0  int   length of the whole entry, header included
 *   4  short kind code ({@link EntryKind})
 *   6  short reserved, zero
 *   8  int   logical id of the thread that produced the entry
 *  12  long  position (1, 2, 3, ...)
 *  20  ...   payload, its layout fixed by the kind
 * </pre>
 * {@link Entry} is also a read-only flyweight over one entry, with cursor-style payload readers.
 */
public final class Entry {
    public static final int LENGTH_OFFSET = 0;
    public static final int KIND_OFFSET = 4;
    public static final int THREAD_OFFSET = 8;
    public static final int POSITION_OFFSET = 12;
    public static final int HEADER_LENGTH = 20;

    private DirectBuffer buffer;
    private int offset;
    private int cursor;

    public static void writeHeader(MutableDirectBuffer buffer, int offset, int length, EntryKind kind, int threadId, long position) {
        buffer.putInt(offset + LENGTH_OFFSET, length);
        buffer.putShort(offset + KIND_OFFSET, (short) kind.code());
        buffer.putShort(offset + KIND_OFFSET + 2, (short) 0);
        buffer.putInt(offset + THREAD_OFFSET, threadId);
        buffer.putLong(offset + POSITION_OFFSET, position);
    }

    /** Length in bytes of a string as {@link #putString} writes it. */
    public static int stringLength(String value) {
        return Integer.BYTES + (value == null ? 0 : utf8Length(value));
    }

    /** Writes a nullable string as an int byte count (-1 for null) and its UTF-8 bytes; returns the next offset. */
    public static int putString(MutableDirectBuffer buffer, int offset, String value) {
        if (value == null) {
            buffer.putInt(offset, -1);
            return offset + Integer.BYTES;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(offset, bytes.length);
        buffer.putBytes(offset + Integer.BYTES, bytes);
        return offset + Integer.BYTES + bytes.length;
    }

    private static int utf8Length(String value) {
        int length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    public Entry wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        this.cursor = offset + HEADER_LENGTH;
        return this;
    }

    /** Back to the first payload byte, to read the entry again. */
    public Entry rewind() {
        this.cursor = offset + HEADER_LENGTH;
        return this;
    }

    public int length() {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    public int kindCode() {
        return buffer.getShort(offset + KIND_OFFSET);
    }

    /** @return the kind, or null for a code no kind has. */
    public EntryKind kind() {
        return EntryKind.fromCode(kindCode());
    }

    public int threadId() {
        return buffer.getInt(offset + THREAD_OFFSET);
    }

    public long position() {
        return buffer.getLong(offset + POSITION_OFFSET);
    }

    public long readLong() {
        require(Long.BYTES);
        long value = buffer.getLong(cursor);
        cursor += Long.BYTES;
        return value;
    }

    public int readInt() {
        require(Integer.BYTES);
        int value = buffer.getInt(cursor);
        cursor += Integer.BYTES;
        return value;
    }

    public String readString() {
        int length = readInt();
        if (length == -1) {
            return null;
        }
        require(length);
        byte[] bytes = new byte[length];
        buffer.getBytes(cursor, bytes);
        cursor += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Reads an int byte count and that many bytes into a new array. */
    public byte[] readBytes() {
        int length = readInt();
        require(length);
        byte[] bytes = new byte[length];
        buffer.getBytes(cursor, bytes);
        cursor += length;
        return bytes;
    }

    /** Reads an int byte count and that many bytes into {@code dst}; returns the count. */
    public int readBytesInto(byte[] dst, int dstOffset, int maxLength) {
        int length = readInt();
        if (length < 0 || length > maxLength) {
            throw new JournalException("entry at position " + position() + " holds " + length
                + " bytes where at most " + maxLength + " fit");
        }
        require(length);
        buffer.getBytes(cursor, dst, dstOffset, length);
        cursor += length;
        return length;
    }

    private void require(int bytes) {
        if (bytes < 0 || cursor + bytes > offset + length()) {
            throw new JournalException("entry at position " + position() + " (" + kindName() + ") is shorter than its kind requires");
        }
    }

    private String kindName() {
        EntryKind kind = kind();
        return kind == null ? "unknown kind " + kindCode() : kind.name();
    }
}
