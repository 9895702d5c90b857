package io.lockstep.log;

/** A journal that cannot be used: missing, empty, truncated, corrupt, or already in use. */
public class JournalException extends RuntimeException {
    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
