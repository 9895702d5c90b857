package io.lockstep.log;

/** Where a replay takes its entries from: a journal on disk, or the log as it arrives from a primary. */
public interface EntrySource extends AutoCloseable {
    /**
     * @return the next entry (a flyweight, valid until the next call), or null where the log
     *     ends
     * @throws JournalException if what follows is corrupt
     */
    Entry next();

    /** The position the next call to {@link #next()} returns. */
    long nextPosition();

    /** True when {@link #next()} can answer without running the journal library on this thread. */
    boolean hasBufferedEntry();

    @Override
    void close();
}
