package io.lockstep.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Prints a value from every source of nondeterminism Lockstep covers. Run it twice and every
 * line but the constant ones differs; record it and replay it and the outputs are identical.
 * Reads up to three lines of standard input, if there are any.
 */
public final class NondeterminismDemo {
    /** An object without hashCode(): its place in a HashSet follows its identity hash. */
    static final class Token {
        final int id;

        Token(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "t" + id;
        }
    }

    private NondeterminismDemo() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        System.out.println("clock  currentTimeMillis  " + System.currentTimeMillis());
        System.out.println("clock  nanoTime           " + System.nanoTime());
        System.out.println("clock  Instant.now        " + Instant.now());
        System.out.println("clock  Clock.systemUTC    " + Clock.systemUTC().millis());
        System.out.println("clock  new Date           " + new Date().getTime());
        System.out.println("clock  Calendar           " + Calendar.getInstance().getTimeInMillis());
        System.out.println("clock  LocalDateTime.now  " + LocalDateTime.now());
        System.out.println("clock  ZonedDateTime.now  " + ZonedDateTime.now().toInstant());

        System.out.println("random new Random         " + new Random().nextLong());
        System.out.println("random Math.random        " + Math.random());
        System.out.println("random ThreadLocalRandom  " + ThreadLocalRandom.current().nextInt());
        System.out.println("random SplittableRandom   " + new SplittableRandom().nextLong());
        System.out.println("random SecureRandom       " + new SecureRandom().nextLong());
        System.out.println("random UUID.randomUUID    " + UUID.randomUUID());
        List<Integer> deck = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            deck.add(i);
        }
        Collections.shuffle(deck);
        System.out.println("random shuffle            " + deck);

        Set<Token> tokens = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            tokens.add(new Token(i));
        }
        System.out.println("ident  HashSet order      " + tokens);
        Object plain = new Object();
        System.out.println("ident  identityHashCode   " + System.identityHashCode(new Token(99)));
        System.out.println("ident  Object.toString    " + plain);

        System.out.println("env    USER               " + System.getenv("USER"));
        System.out.println("env    variables          " + new TreeMap<>(System.getenv()).keySet().size());
        System.out.println("env    pid                " + ProcessHandle.current().pid());
        System.out.println("env    processors         " + Runtime.getRuntime().availableProcessors());
        System.out.println("env    host name          " + InetAddress.getLocalHost().getHostName());

        threads();

        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) {
            String line = stdin.readLine();
            if (line == null) {
                break;
            }
            System.out.println("stdin  line " + (i + 1) + "             " + line);
        }
    }

    /** Scheduling: racing threads, a pool, and a data race on an unsynchronised counter. */
    private static void threads() throws InterruptedException {
        StringBuffer arrivals = new StringBuffer();
        int[] racy = new int[1];
        Thread[] racers = new Thread[3];
        for (int t = 0; t < racers.length; t++) {
            int me = t;
            racers[t] = new Thread(() -> {
                for (int i = 0; i < 200_000; i++) {
                    int seen = racy[0];
                    if (i % 50_000 == 0) {
                        arrivals.append((char) ('a' + me));
                        Thread.yield();
                    }
                    racy[0] = seen + 1;
                }
            });
            racers[t].start();
        }
        for (Thread racer : racers) {
            racer.join();
        }
        System.out.println("thread racing order       " + arrivals);
        System.out.println("thread racy counter       " + racy[0] + " of 600000");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<String>> names = new ArrayList<>();
        for (int task = 0; task < 6; task++) {
            names.add(pool.submit(() -> Thread.currentThread().getName().replace("pool-1-thread-", "w")));
        }
        StringBuilder workers = new StringBuilder();
        for (Future<String> name : names) {
            try {
                workers.append(name.get()).append(' ');
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        pool.shutdown();
        System.out.println("thread pool workers       " + workers.toString().trim());
    }
}
