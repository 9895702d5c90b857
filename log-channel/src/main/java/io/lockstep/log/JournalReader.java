package io.lockstep.log;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Reads a journal entry by entry, checking every block (magic, length, checksum, consecutive
 * positions). Never waits for more data: the end of what is on disk is the end.
 */
public final class JournalReader implements EntrySource {
    private final Path directory;
    private final ChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final BlockCursor cursor = new BlockCursor();
    private byte[] block = new byte[64 * 1024];
    private final UnsafeBuffer blockBuffer = new UnsafeBuffer(block);
    private int blockLength;
    private long nextPosition = 1;

    private JournalReader(Path directory, ChronicleQueue queue) {
        this.directory = directory;
        this.queue = queue;
        this.tailer = queue.createTailer();
        // Callers serialise access, but from more than one thread (the last read is at shutdown).
        this.tailer.singleThreadedCheckDisabled(true);
    }

    public static JournalReader open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new JournalException("no journal at " + directory + ": the directory does not exist");
        }
        try (Stream<Path> files = Files.list(directory)) {
            if (files.noneMatch(file -> file.getFileName().toString().endsWith(".cq4"))) {
                // Chronicle writes its metadata file first and a cycle file with the first entry.
                if (Files.exists(directory.resolve("metadata.cq4t"))) {
                    throw new JournalException("journal " + directory + " is empty: it holds no handshake");
                }
                throw new JournalException("no journal at " + directory + ": it holds no journal files (*.cq4)");
            }
        } catch (IOException e) {
            throw new JournalException("cannot read journal " + directory + ": " + e, e);
        }
        ChronicleSetup.init();
        try {
            return new JournalReader(directory, SingleChronicleQueueBuilder.binary(directory).readOnly(true).build());
        } catch (RuntimeException | Error e) {
            throw new JournalException("journal " + directory + " cannot be opened, it is corrupt: " + e, e);
        }
    }

    /** True when the next entry is in the block already read: {@link #next()} then calls no Chronicle code. */
    @Override
    public boolean hasBufferedEntry() {
        return cursor.hasNext();
    }

    /** The position the next call to {@link #next()} returns. */
    @Override
    public long nextPosition() {
        return nextPosition;
    }

    /**
     * @return the next entry (a flyweight, valid until the next call), or null where the
     * journal ends
     * @throws JournalException if what follows is corrupt
     */
    @Override
    public Entry next() {
        if (!cursor.hasNext() && !readBlock()) {
            return null;
        }
        nextPosition++;
        return cursor.next();
    }

    private boolean readBlock() {
        try (DocumentContext context = tailer.readingDocument()) {
            if (!context.isPresent()) {
                return false;
            }
            if (context.isMetaData()) {
                throw new JournalException(where() + ": unexpected metadata where position " + nextPosition + " was expected");
            }
            Bytes<?> bytes = context.wire().bytes();
            long remaining = bytes.readRemaining();
            if (remaining > Integer.MAX_VALUE - 16) {
                throw new JournalException(where() + ": block at position " + nextPosition + " is impossibly large: corrupt");
            }
            blockLength = (int) remaining;
            if (blockLength > block.length) {
                block = new byte[Math.max(blockLength, block.length * 2)];
                blockBuffer.wrap(block);
            }
            bytes.read(block, 0, blockLength);
        } catch (JournalException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new JournalException(where() + ": cannot read the block at position " + nextPosition
                + ", the journal is corrupt: " + e, e);
        }
        cursor.start(blockBuffer, Block.verify(blockBuffer, block, blockLength, nextPosition, where()));
        return true;
    }

    private String where() {
        return "journal " + directory;
    }

    @Override
    public void close() {
        tailer.close();
        queue.close();
    }
}
