package io.lockstep.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs a program in a forked JVM, with or without the real agent jar, with a chosen
 * environment and stdin, and captures everything it prints. A run that outlives its timeout
 * is killed and fails the test: nothing in this product may hang.
 */
final class ForkedJvm {
    /** The JVMs started to run on beside a test ({@link #start}) that have not ended. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    /**
     * Kills what a test left running: one that fails half-way leaves its primary and backup,
     * maybe stuck, taking the cores the tests after it are measured on. Called after each test
     * ({@link LeftoverJvms}, which JUnit finds by itself: src/test/resources).
     */
    static void killLeftovers() {
        for (Process process : RUNNING) {
            process.toHandle().destroyForcibly();
        }
    }
    static final Path AGENT_JAR = Paths.get(System.getProperty("lockstep.agent.jar", "target/lockstep-agent.jar")).toAbsolutePath();
    static final Path IT_LIBS = Paths.get(System.getProperty("lockstep.it.libs", "target/it-libs")).toAbsolutePath();
    static final String JAVA = System.getProperty("lockstep.test.java",
        Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    static final Path TEST_CLASSES = classesOf(ForkedJvm.class);

    private String agentOptions;
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> classPath = new ArrayList<>(List.of(TEST_CLASSES.toString()));
    private final Map<String, String> environment = new LinkedHashMap<>();
    private boolean emptyEnvironment;
    private byte[] stdin = new byte[0];
    private String java = JAVA;
    private Path agentJar = AGENT_JAR;
    private long timeoutSeconds = 120;
    private Path directory;
    private boolean stdoutUnread;
    private boolean stdinLeftOpen;

    /** The result of one run. */
    record Result(int exit, byte[] stdoutBytes, byte[] stderrBytes) {
        String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        String stderr() {
            return new String(stderrBytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr();
        }
    }

    static Path classesOf(Class<?> type) {
        try {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TCP port free on 127.0.0.1 just now. */
    static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A UDP port free on 127.0.0.1 just now (for a side's log endpoint). */
    static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The live modes' options both sides share: endpoints on free ports of 127.0.0.1, the lock file, a 500 ms timeout. */
    static String liveOptions(Path lock, long startupTimeoutMillis) throws IOException {
        return "primary=127.0.0.1:" + freeUdpPort() + ",backup=127.0.0.1:" + freeUdpPort() + ",lock=" + lock
            + ",timeout=500,startup-timeout=" + startupTimeoutMillis;
    }

    static ForkedJvm plain() {
        return new ForkedJvm();
    }

    static ForkedJvm record(Path journal) {
        return new ForkedJvm().agent("mode=record,journal=" + journal);
    }

    static ForkedJvm replay(Path journal) {
        return new ForkedJvm().agent("mode=replay,journal=" + journal);
    }

    ForkedJvm agent(String options) {
        this.agentOptions = options;
        return this;
    }

    ForkedJvm agentJar(Path jar) {
        this.agentJar = jar;
        return this;
    }

    ForkedJvm java(String javaExecutable) {
        this.java = javaExecutable;
        return this;
    }

    ForkedJvm jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    ForkedJvm classPath(Path entry) {
        classPath.add(entry.toString());
        return this;
    }

    ForkedJvm env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** A set of environment differences: used to make a replay's environment unlike its recording's. */
    ForkedJvm env(Map<String, String> variables) {
        environment.putAll(variables);
        return this;
    }

    /** Starts from an empty environment (then adds what {@link #env} gave): no LANG, no TZ, no HOME. */
    ForkedJvm emptyEnvironment() {
        this.emptyEnvironment = true;
        return this;
    }

    ForkedJvm stdin(String text) {
        this.stdin = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    ForkedJvm directory(Path workingDirectory) {
        this.directory = workingDirectory;
        return this;
    }

    ForkedJvm timeoutSeconds(long seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /** A started program gets the {@link #stdin} text on a stdin that stays open: a read past it blocks. */
    ForkedJvm stdinLeftOpen() {
        this.stdinLeftOpen = true;
        return this;
    }

    /** A started program's stdout is not read until {@link Running#readStdout} (or its end): a reader that lags, whose pipe fills. */
    ForkedJvm stdoutUnread() {
        this.stdoutUnread = true;
        return this;
    }

    /**
     * Runs a program that is expected to hang (a deadlock): {@code millis} after it printed its
     * first line, a SIGQUIT makes
     * the JVM print its thread dump on stdout, then the process is killed.
     */
    Result threadDumpAfter(long millis, Class<?> main, String... args) {
        List<String> command = command(main, args);
        try {
            Process process = builder(command).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread outPump = pump(process.getInputStream(), out);
            Thread errPump = pump(process.getErrorStream(), err);
            process.getOutputStream().close();
            // The wait starts when the program has printed its first line: a loaded machine may
            // take seconds just to start the JVM and the agent.
            long startDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (process.isAlive() && System.nanoTime() - startDeadline < 0) {
                synchronized (out) {
                    if (out.size() > 0) {
                        break;
                    }
                }
                Thread.sleep(10);
            }
            boolean ended = process.waitFor(millis, TimeUnit.MILLISECONDS);
            if (!ended) {
                dumpThreadsAndKill(process);
            }
            drain(process, outPump, errPump);
            return new Result(ended ? process.exitValue() : -1, out.toByteArray(), err.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private List<String> command(Class<?> main, String... args) {
        return command(main.getName(), args);
    }

    private List<String> command(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        if (agentOptions != null) {
            command.add("-javaagent:" + agentJar + "=" + agentOptions);
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath));
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        return command;
    }

    private ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (emptyEnvironment) {
            builder.environment().clear();
        }
        builder.environment().putAll(environment);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        return builder;
    }

    /**
     * A hung JVM prints its threads' stacks on its stdout (SIGQUIT, the JVM's own handler), so
     * the failure says where it hung; then it is killed.
     */
    private static void dumpThreadsAndKill(Process process) throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).start().waitFor();
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (IOException noKillCommand) {
            // the stacks are a help, not a need
        }
        killForcibly(process);
    }

    /**
     * What a hung process printed, its thread dump cut to the threads that tell why: the JVM's
     * own (compilers, GC, reference handling) and Chronicle's idle ones go. CI shows only the
     * head and tail of a long failure, and stop 19's hang lost the one stack that mattered.
     */
    private static Result hungResult(ByteArrayOutputStream out, ByteArrayOutputStream err) {
        List<String> kept = new ArrayList<>();
        boolean skipping = false;
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.startsWith("\"") || line.startsWith("Threads class SMR info")) {
                skipping = line.startsWith("Threads class SMR info") || JVM_THREAD.matcher(line).lookingAt();
            } else if (line.isEmpty()) {
                if (skipping) {
                    skipping = false;
                    continue;
                }
            }
            if (!skipping) {
                kept.add(line);
            }
        }
        return new Result(-1, String.join("\n", kept).getBytes(StandardCharsets.UTF_8), err.toByteArray());
    }

    private static final Pattern JVM_THREAD = Pattern.compile("\"(Reference Handler|Finalizer|Signal Dispatcher|Service Thread"
        + "|Monitor Deflation Thread|C[12] CompilerThread\\d+|Sweeper thread|Common-Cleaner|Notification Thread|Attach Listener"
        + "|VM Thread|VM Periodic Task Thread|GC Thread#\\d+|G1 [^\"]*|background~resource~releaser|[^\"]*/disk~space~checker)\"");

    /**
     * SIGKILL, then waits for the end; the pumps read on to EOF. Not Process.destroyForcibly: it
     * closes the process's streams after the signal, and what the pumps had not read yet (lines
     * the program wrote before it died, a thread dump) was lost: a failover test once took that
     * for output the primary never wrote. The process handle only signals.
     */
    private static final long PUMP_DRAIN_MILLIS = 10_000;

    /** After the end of the process: its pumps read on to EOF, unless a process it started holds the pipes open. */
    private static void drain(Process process, Thread outPump, Thread errPump) throws InterruptedException {
        outPump.join(PUMP_DRAIN_MILLIS);
        errPump.join(PUMP_DRAIN_MILLIS);
        if (outPump.isAlive() || errPump.isAlive()) {
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
            outPump.join();
            errPump.join();
        }
    }

    private static void closeQuietly(InputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // the pump ends either way
        }
    }

    private static void killForcibly(Process process) throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor();
    }

    Result run(Class<?> main, String... args) {
        List<String> command = command(main, args);
        try {
            Process process = builder(command).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread outPump = pump(process.getInputStream(), out);
            Thread errPump = pump(process.getErrorStream(), err);
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException closedEarly) {
                // the program did not read all of its stdin: that is its business
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                dumpThreadsAndKill(process);
                drain(process, outPump, errPump);
                throw new AssertionError("hung: " + String.join(" ", command) + " did not end within " + timeoutSeconds
                    + " s\n" + hungResult(out, err));
            }
            outPump.join();
            errPump.join();
            return new Result(process.exitValue(), out.toByteArray(), err.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A forked JVM still running: its output so far, signals, and its end. */
    final class Running {
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outPump;
        private final Thread errPump;
        private final CountDownLatch stdoutRead;

        private Running(Process process, boolean stdoutUnread) {
            this.process = process;
            this.stdoutRead = new CountDownLatch(stdoutUnread ? 1 : 0);
            this.outPump = pump(process.getInputStream(), out, stdoutRead);
            this.errPump = pump(process.getErrorStream(), err);
        }

        /** Starts reading the stdout of a program started {@link #stdoutUnread}. */
        void readStdout() {
            stdoutRead.countDown();
        }

        long pid() {
            return process.pid();
        }

        /** Lines printed on stdout so far. */
        int stdoutLines() {
            byte[] bytes;
            synchronized (out) {
                bytes = out.toByteArray();
            }
            int lines = 0;
            for (byte b : bytes) {
                if (b == '\n') {
                    lines++;
                }
            }
            return lines;
        }

        String stdoutSoFar() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String stderrSoFar() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits until stdout has {@code lines} lines, or the process ended, or the timeout passed. */
        boolean awaitLines(int lines, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (stdoutLines() < lines) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.sleep(5);
            }
            return true;
        }

        void signal(String signal) throws IOException, InterruptedException {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
        }

        boolean alive() {
            return process.isAlive();
        }

        /** Waits for the end; a process still running after the timeout is killed and fails the test. */
        Result await(long timeoutSeconds) throws InterruptedException {
            readStdout();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                dumpThreadsAndKill(process);
                drain(process, outPump, errPump);
                throw new AssertionError("hung: did not end within " + timeoutSeconds + " s\n" + hungResult(out, err));
            }
            outPump.join();
            errPump.join();
            return new Result(process.exitValue(), out.toByteArray(), err.toByteArray());
        }

        /** SIGKILL, then what it printed, to the last byte it wrote. */
        Result kill() throws InterruptedException {
            killForcibly(process);
            readStdout();
            drain(process, outPump, errPump);
            return new Result(process.exitValue(), out.toByteArray(), err.toByteArray());
        }
    }

    /** Starts the program and returns at once; stdin is closed, unless {@link #stdinLeftOpen}. */
    Running start(Class<?> main, String... args) {
        return start(main.getName(), args);
    }

    /** Starts a program that is not on the test's class path (a third-party server's main) by its class name. */
    Running start(String mainClass, String... args) {
        try {
            Process process = builder(command(mainClass, args)).start();
            RUNNING.add(process);
            process.onExit().thenRun(() -> RUNNING.remove(process));
            if (stdinLeftOpen) {
                process.getOutputStream().write(stdin);
                process.getOutputStream().flush();
            } else {
                process.getOutputStream().close();
            }
            return new Running(process, stdoutUnread);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to) {
        return pump(from, to, new CountDownLatch(0));
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to, CountDownLatch startReading) {
        Thread thread = new Thread(() -> {
            try {
                startReading.await();
                byte[] chunk = new byte[8192];
                int read;
                while ((read = from.read(chunk)) >= 0) {
                    synchronized (to) {
                        to.write(chunk, 0, read);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // Not the end of the process (that is EOF): bytes may be missing, and a test
                // comparing them must say so rather than report the program.
                synchronized (to) {
                    to.writeBytes(("\n[the test could not read on: " + e + "]\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        });
        thread.setDaemon(true); // (one that waits to read a stdout left unread by a failed test ends with the JVM)
        thread.start();
        return thread;
    }
}
