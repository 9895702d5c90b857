package io.lockstep.runtime;

/** The log was made by another JDK, application or agent than this side runs. */
public final class HandshakeMismatch extends RuntimeException {
    HandshakeMismatch(String message) {
        super(message);
    }
}
