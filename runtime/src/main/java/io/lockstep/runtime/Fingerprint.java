package io.lockstep.runtime;

import io.lockstep.log.Handshake;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Computes this JVM's {@link Handshake}: hashes of the JDK build, the application and the agent. */
public final class Fingerprint {
    private Fingerprint() {
    }

    public static Handshake of(Path agentJar) {
        String jdk = System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version")
            + " (" + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + ", "
            + System.getProperty("os.arch") + ")";
        MessageDigest jdkDigest = sha256();
        jdkDigest.update(jdk.getBytes(StandardCharsets.UTF_8));
        Path release = Paths.get(System.getProperty("java.home"), "release");
        if (Files.isRegularFile(release)) {
            hashFile(jdkDigest, release);
        }

        List<Path> classPath = applicationClassPath(agentJar);
        MessageDigest appDigest = sha256();
        for (Path entry : classPath) {
            appDigest.update(entry.getFileName() == null ? new byte[0] : entry.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            hashEntry(appDigest, entry);
        }
        MessageDigest agentDigest = sha256();
        hashEntry(agentDigest, agentJar);

        String command = System.getProperty("sun.java.command", "");
        return new Handshake(Handshake.FORMAT_VERSION, hex(agentDigest), jdk, hex(jdkDigest),
            classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)), hex(appDigest), command);
    }

    /** The class path without the agent jar, which the JVM appends to it. */
    static List<Path> applicationClassPath(Path agentJar) {
        List<Path> entries = new ArrayList<>();
        String classPath = System.getProperty("java.class.path", "");
        for (String element : classPath.split(File.pathSeparator)) {
            if (element.isEmpty()) {
                continue;
            }
            Path entry = Paths.get(element).toAbsolutePath().normalize();
            if (!sameFile(entry, agentJar)) {
                entries.add(entry);
            }
        }
        return entries;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A jar is identified by its central directory (every entry's name, size and CRC-32), which
     * changes with any content and is read without inflating the jar.
     */
    private static void hashEntry(MessageDigest digest, Path entry) {
        if (Files.isRegularFile(entry) && isZip(entry)) {
            try (ZipFile zip = new ZipFile(entry.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                ByteBuffer numbers = ByteBuffer.allocate(2 * Long.BYTES);
                while (entries.hasMoreElements()) {
                    ZipEntry zipEntry = entries.nextElement();
                    digest.update(zipEntry.getName().getBytes(StandardCharsets.UTF_8));
                    numbers.clear();
                    numbers.putLong(zipEntry.getSize()).putLong(zipEntry.getCrc());
                    digest.update(numbers.array());
                }
            } catch (IOException e) {
                hashFile(digest, entry);
            }
        } else if (Files.isRegularFile(entry)) {
            hashFile(digest, entry);
        } else if (Files.isDirectory(entry)) {
            // Only the code: a class path directory is often also where the journal, logs and
            // data files live (java -cp . ...), and those must not make the application differ.
            try (Stream<Path> files = Files.walk(entry)) {
                for (Path file : files.filter(file -> file.toString().endsWith(".class") && Files.isRegularFile(file))
                    .sorted().collect(Collectors.toList())) {
                    digest.update(entry.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                    hashFile(digest, file);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read class path entry " + entry + ": " + e, e);
            }
        } else {
            digest.update("missing".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static boolean isZip(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".jar") || name.endsWith(".zip");
    }

    private static void hashFile(MessageDigest digest, Path file) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
