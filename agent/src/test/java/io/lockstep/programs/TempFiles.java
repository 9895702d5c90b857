package io.lockstep.programs;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporary files as servers make them (Jetty's start properties and its webapp's work
 * directory, say): random names in the JVM's temporary directory, left there when the process
 * dies. Their names come from randomness, so they vary without the agent; a replay on the same
 * host draws the recorded names, which the recording has already taken.
 */
public final class TempFiles {
    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("lockstep-", ".properties");
        Files.writeString(file, "port=" + file.getFileName().toString().length());
        System.out.println("file " + file.getFileName() + " holds " + Files.readString(file));
        File legacy = File.createTempFile("lockstep-", ".tmp");
        System.out.println("legacy " + legacy.getName() + " exists " + legacy.exists());
        Path directory = Files.createTempDirectory("lockstep-work-");
        Path inside = Files.write(directory.resolve("index.html"), "hello".getBytes(StandardCharsets.UTF_8));
        System.out.println("directory " + directory.getFileName() + " holds " + Files.readString(inside));
        System.out.println("in the temporary directory: " + file.getParent().equals(Path.of(System.getProperty("java.io.tmpdir"))));
    }
}
