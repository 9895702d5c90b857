package io.lockstep.log;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Appends blocks of entries to a journal directory (a Chronicle Queue). One writer per
 * journal; the caller serialises calls.
 */
public final class JournalWriter implements AutoCloseable {
    private final ChronicleQueue queue;
    private final ExcerptAppender appender;

    private JournalWriter(ChronicleQueue queue) {
        this.queue = queue;
        this.appender = queue.createAppender();
        // Callers serialise access, but from more than one thread (journal thread, oversized entries).
        this.appender.singleThreadedCheckDisabled(true);
    }

    /**
     * Creates a journal in {@code directory}, which must be absent or empty: a recording is
     * never appended to, or mixed with, an earlier one.
     */
    public static JournalWriter create(Path directory) {
        prepare(directory);
        return open(directory);
    }

    /**
     * The checks of {@link #create} that need no Chronicle: quick, so they can run before the
     * application starts while the queue itself is opened later, off the application's path.
     */
    public static void prepare(Path directory) {
        try {
            if (Files.exists(directory)) {
                if (!Files.isDirectory(directory)) {
                    throw new JournalException("journal " + directory + " is a file, not a directory");
                }
                try (Stream<Path> entries = Files.list(directory)) {
                    if (entries.findAny().isPresent()) {
                        throw new JournalException("journal " + directory
                            + " already holds files (an earlier recording?); give an empty or new directory");
                    }
                }
            }
            Files.createDirectories(directory);
            if (!Files.isWritable(directory)) {
                throw new JournalException("cannot write journal " + directory + ": permission denied");
            }
        } catch (IOException e) {
            throw new JournalException("cannot create journal " + directory + ": " + e, e);
        }
    }

    /** Opens the queue in a directory that {@link #prepare} accepted. */
    public static JournalWriter open(Path directory) {
        ChronicleSetup.init();
        return new JournalWriter(SingleChronicleQueueBuilder.binary(directory).build());
    }

    /** Appends {@code length} bytes of {@code block} (a whole {@link Block}) as one excerpt. */
    public void append(byte[] block, int length) {
        try (DocumentContext context = appender.writingDocument()) {
            context.wire().bytes().write(block, 0, length);
        }
    }

    @Override
    public void close() {
        appender.close();
        queue.close();
    }
}
