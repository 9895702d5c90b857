package io.lockstep.runtime;

/** A bad agent option: the message names the key and what it accepts. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
