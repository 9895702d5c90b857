package io.lockstep.runtime;

import io.lockstep.log.EntryKind;
import io.lockstep.log.Handshake;
import io.lockstep.log.JournalWriter;
import io.lockstep.log.LogWriter;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.file.Path;

/** Records the managed thread's nondeterministic inputs into a journal. */
public final class RecordSession extends Session {
    private static final int RING_CAPACITY = 4 * 1024 * 1024;

    private final LogWriter log;
    private final PayloadOut payload = new PayloadOut();
    private final ThreadRandomState savedRandom = new ThreadRandomState();
    private boolean stopped;
    private boolean finished;

    private RecordSession(Thread managed, LogWriter log) {
        super(managed);
        this.log = log;
    }

    /** Creates the journal and writes the handshake, before the application starts. */
    public static RecordSession start(Thread managed, Path journal, Handshake handshake) {
        JournalWriter.prepare(journal);
        LogWriter log = new LogWriter(journal, RING_CAPACITY);
        RecordSession session = new RecordSession(managed, log);
        int at = log.claim(EntryKind.HANDSHAKE, 0, handshake.encodedLength());
        handshake.encode(log.buffer(), at);
        log.commit();
        PayloadOut environment = new PayloadOut();
        ProcessEnvironment.encode(ProcessEnvironment.capture(), environment);
        at = log.claim(EntryKind.ENVIRONMENT, 0, environment.length());
        log.buffer().putBytes(at, environment.buffer(), 0, environment.length());
        log.commit();
        return session;
    }

    @Override
    public long value(long real, int kind) {
        if (managedHere()) {
            append(real, kind);
        }
        return real;
    }

    @Override
    public int value(int real, int kind) {
        if (managedHere()) {
            append(real, kind);
        }
        return real;
    }

    @Override
    public long relativeValue(long base, long real, int kind) {
        if (managedHere()) {
            append(base, real, kind, 2);
        }
        return real;
    }

    private void append(long real, int kind) {
        append(real, 0, kind, 1);
    }

    /** Appends an entry of one or two longs. */
    private synchronized void append(long first, long second, int kind, int longs) {
        if (stopped) {
            return;
        }
        inAgent = true;
        try {
            int at = log.claim(EntryKind.fromCode(kind), MAIN_THREAD, longs * Long.BYTES);
            log.buffer().putLong(at, first);
            if (longs == 2) {
                log.buffer().putLong(at + Long.BYTES, second);
            }
            log.commit();
        } catch (RuntimeException e) {
            stop(e);
        } finally {
            inAgent = false;
        }
    }

    @Override
    protected <T> T exchange(EntryKind kind, RealCall<T> real, Encoder<T> encoder, Decoder<T> decoder) throws IOException {
        if (!managedHere()) {
            return real.call();
        }
        T value = null;
        Exception thrown = null;
        inAgent = true;
        try {
            // The real call is not performed on replay: whatever ThreadLocalRandom state it
            // would consume or seed on this thread (InetAddress caches do) must stay as it was.
            Thread thread = Thread.currentThread();
            savedRandom.save(thread);
            try {
                value = real.call();
            } catch (IOException | RuntimeException e) {
                thrown = e; // the application's to see, on both sides
            } finally {
                savedRandom.restore(thread);
            }
            synchronized (this) {
                if (!stopped) {
                    encodeOutcome(value, thrown, encoder, payload.reset());
                    int at = log.claim(kind, MAIN_THREAD, payload.length());
                    MutableDirectBuffer buffer = log.buffer();
                    buffer.putBytes(at, payload.buffer(), 0, payload.length());
                    log.commit();
                }
            }
        } catch (RuntimeException e) {
            stop(e);
        } finally {
            inAgent = false;
        }
        if (thrown instanceof IOException) {
            throw (IOException) thrown;
        }
        if (thrown != null) {
            throw (RuntimeException) thrown;
        }
        return value;
    }

    @Override
    protected RuntimeException diverged(String recorded, String requested) {
        throw new IllegalStateException("recording never decodes");
    }

    /** The journal failed: say so once, and let the application go on unrecorded. */
    private synchronized void stop(RuntimeException cause) {
        if (!stopped) {
            stopped = true;
            Fatal.warn("recording stopped at position " + log.nextPosition() + ", the application goes on unrecorded: "
                + cause.getMessage());
        }
    }

    /** Ends the journal: END after the last entry, unless it failed; either way what was logged is drained. */
    @Override
    public synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        boolean failed = stopped;
        stopped = true;
        try {
            if (!failed) {
                log.claim(EntryKind.END, MAIN_THREAD, 0);
                log.commit();
            }
            log.close();
        } catch (RuntimeException e) {
            Fatal.warn("the journal could not be completed: " + e.getMessage());
        }
    }
}
