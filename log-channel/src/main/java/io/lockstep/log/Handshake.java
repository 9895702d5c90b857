package io.lockstep.log;

import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The first entry of every log: what produced it. A replay (or a backup) runs only against a
 * log made by the same JDK build, the same application bytes and the same agent, because
 * anything else can take another path through the same inputs.
 *
 * @param formatVersion version of the log format
 * @param agentHash     SHA-256 of the agent jar
 * @param jdk           human-readable JDK build (vendor, version, arch)
 * @param jdkHash       SHA-256 of the JDK build identity
 * @param classPath     the application class path as the recording JVM saw it
 * @param classPathHash SHA-256 of the bytes of every class path entry
 * @param command       the application command ({@code sun.java.command}), for the record only
 */
public record Handshake(int formatVersion, String agentHash, String jdk, String jdkHash,
                        String classPath, String classPathHash, String command) {

    public static final int FORMAT_VERSION = 1;

    public int encodedLength() {
        return Integer.BYTES + Entry.stringLength(agentHash) + Entry.stringLength(jdk) + Entry.stringLength(jdkHash)
            + Entry.stringLength(classPath) + Entry.stringLength(classPathHash) + Entry.stringLength(command);
    }

    public void encode(MutableDirectBuffer buffer, int offset) {
        buffer.putInt(offset, formatVersion);
        int at = offset + Integer.BYTES;
        at = Entry.putString(buffer, at, agentHash);
        at = Entry.putString(buffer, at, jdk);
        at = Entry.putString(buffer, at, jdkHash);
        at = Entry.putString(buffer, at, classPath);
        at = Entry.putString(buffer, at, classPathHash);
        Entry.putString(buffer, at, command);
    }

    public static Handshake decode(Entry entry) {
        int version = entry.readInt();
        if (version != FORMAT_VERSION) {
            throw new JournalException("the log was written in format version " + version
                + "; this agent reads version " + FORMAT_VERSION);
        }
        return new Handshake(version, entry.readString(), entry.readString(), entry.readString(),
            entry.readString(), entry.readString(), entry.readString());
    }

    /** @return one line per way in which {@code local} differs from this (the recorded) handshake; empty if none. */
    public List<String> differences(Handshake local) {
        List<String> differences = new ArrayList<>();
        if (!jdkHash.equals(local.jdkHash)) {
            differences.add("JDK: recorded with " + jdk + ", running on " + local.jdk);
        }
        if (!classPathHash.equals(local.classPathHash)) {
            differences.add("application: recorded class path [" + classPath + "] (sha256 " + abbreviate(classPathHash)
                + "), running [" + local.classPath + "] (sha256 " + abbreviate(local.classPathHash) + ")");
        }
        if (!agentHash.equals(local.agentHash)) {
            differences.add("agent: recorded with agent sha256 " + abbreviate(agentHash) + ", running agent sha256 "
                + abbreviate(local.agentHash));
        }
        return differences;
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }
}
