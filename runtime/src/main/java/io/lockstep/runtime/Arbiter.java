package io.lockstep.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The embedded arbiter: an exclusive OS lock on a file both sides share, which the primary holds
 * for its whole life. The OS frees it only when the holding process is gone, so a backup that
 * takes it knows the primary is dead, and two primaries never exist. The file holds the epoch:
 * how many times a side has become primary.
 */
final class Arbiter implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private FileLock lock;

    private Arbiter(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    static Arbiter open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        return new Arbiter(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE));
    }

    Path file() {
        return file;
    }

    /** @return true if this process now holds the lock */
    synchronized boolean tryAcquire() {
        if (lock != null) {
            return true;
        }
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        return lock != null;
    }

    /** The file's text: "EPOCH" or, once the primary of that epoch dropped its backup, "EPOCH alone". */
    private String read() throws IOException {
        ByteBuffer content = ByteBuffer.allocate(64);
        channel.read(content, 0);
        return new String(content.array(), 0, content.position(), StandardCharsets.US_ASCII).trim();
    }

    private void write(String text) throws IOException {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
    }

    /** With the lock held: the next epoch, written to the file. */
    synchronized long nextEpoch() throws IOException {
        String[] words = read().split("\\s+");
        long epoch;
        try {
            epoch = words[0].isEmpty() ? 0 : Long.parseLong(words[0]);
        } catch (NumberFormatException e) {
            epoch = 0;
        }
        epoch++;
        write(Long.toString(epoch));
        return epoch;
    }

    /**
     * With the lock held, by a primary that dropped its backup: from here on its outputs leave
     * without the backup having their log, so that backup must never go live.
     */
    synchronized void markAlone() {
        try {
            String[] words = read().split("\\s+");
            write(words[0] + " alone");
        } catch (IOException e) {
            Fatal.warn("cannot mark the arbiter lock file " + file + ": " + e);
        }
    }

    /** True if the primary that held the lock ran on without its backup. */
    synchronized boolean primaryRanAlone() {
        try {
            return read().endsWith("alone");
        } catch (IOException e) {
            return true; // cannot tell: going live could lose outputs, so do not
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close(); // frees the lock with it
        } catch (IOException e) {
            // the process is ending; the OS frees the lock then anyway
        }
    }
}
