package io.lockstep.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;

/** The real stdout and stderr, reached past the hooks. */
final class OutputStreams {
    private OutputStreams() {
    }

    /** 1 for stdout, 2 for stderr, -1 for any other stream. */
    static int fdOf(FileOutputStream stream) {
        try {
            FileDescriptor fd = stream.getFD();
            return fd == FileDescriptor.out ? 1 : fd == FileDescriptor.err ? 2 : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Writes for real. On the token holder the write runs as the agent's work, which the hooks
     * let through; on any other thread the hooks let it through anyway.
     */
    static void writeReal(Session session, FileOutputStream stream, byte[] bytes, int offset, int length) throws IOException {
        ManagedThread me = session.enterAgent();
        try {
            stream.write(bytes, offset, length);
        } finally {
            Session.leaveAgent(me);
        }
    }

    /** Writes on an agent thread, where a failure (a closed pipe) is the application's to see, not ours. */
    static void writeQuietly(FileOutputStream stream, byte[] bytes) {
        try {
            stream.write(bytes, 0, bytes.length);
        } catch (IOException e) {
            // the application would have seen the failure on its own write; it is gone by now
        }
    }
}
