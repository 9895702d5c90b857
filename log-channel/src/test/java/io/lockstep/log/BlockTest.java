package io.lockstep.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockTest {
    private static byte[] block(long firstPosition, int entries) {
        int entryLength = Entry.HEADER_LENGTH + Long.BYTES;
        byte[] bytes = new byte[Block.HEADER_LENGTH + entries * entryLength];
        UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        for (int i = 0; i < entries; i++) {
            int at = Block.HEADER_LENGTH + i * entryLength;
            Entry.writeHeader(buffer, at, entryLength, EntryKind.CURRENT_TIME_MILLIS, 1, firstPosition + i);
            buffer.putLong(at + Entry.HEADER_LENGTH, 1000 + i);
        }
        Block.writeHeader(buffer, 0, entries, firstPosition, bytes.length - Block.HEADER_LENGTH, bytes, Block.HEADER_LENGTH);
        return bytes;
    }

    @Test
    void aGoodBlockVerifies() {
        byte[] bytes = block(5, 3);
        assertEquals(3, Block.verify(new UnsafeBuffer(bytes), bytes, bytes.length, 5, "test"));
    }

    @Test
    void everyFlippedBodyByteIsCaught() {
        byte[] good = block(5, 3);
        for (int i = Block.HEADER_LENGTH; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            assertThrows(JournalException.class, () -> Block.verify(new UnsafeBuffer(bad), bad, bad.length, 5, "test"));
        }
    }

    @Test
    void missingEntriesAreNamed() {
        byte[] bytes = block(9, 2);
        JournalException gap = assertThrows(JournalException.class,
            () -> Block.verify(new UnsafeBuffer(bytes), bytes, bytes.length, 5, "test"));
        assertTrue(gap.getMessage().contains("expected position 5 but the next block starts at 9"), gap.getMessage());
    }

    @Test
    void truncatedBlockIsCaught() {
        byte[] bytes = block(5, 3);
        assertThrows(JournalException.class, () -> Block.verify(new UnsafeBuffer(bytes), bytes, bytes.length - 4, 5, "test"));
    }
}
