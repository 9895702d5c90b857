package io.lockstep.demo.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A single-threaded CPU-bound workload for the record-mode overhead benchmark. It reads no
 * clock and no randomness: every input comes from a hand-written linear congruential
 * generator, so a run under the agent records (almost) nothing and what the benchmark measures
 * is the cost of the instrumentation on ordinary code. Each round mixes integer arithmetic, a
 * sieve, HashMap and ArrayList work, string building and sorting; the checksum printed at the
 * end keeps the JIT from removing any of it.
 * <p>
 * Usage: {@code CpuBound [rounds]}, default {@value #DEFAULT_ROUNDS} (about 8-10 s on a small machine).
 */
public final class CpuBound {
    static final int DEFAULT_ROUNDS = 120;

    private long lcg;

    CpuBound(long seed) {
        this.lcg = seed;
    }

    /** Knuth's MMIX LCG; the high bits are the good ones. */
    private int next() {
        lcg = lcg * 6364136223846793005L + 1442695040888963407L;
        return (int) (lcg >>> 33);
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ROUNDS;
        CpuBound work = new CpuBound(42);
        // The workload's own time, on stderr: the benchmark compares it without the agent and
        // under record (where the clock is real), which leaves JVM and agent start-up out.
        long started = System.nanoTime();
        long startedCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long checksum = 0;
        for (int round = 0; round < rounds; round++) {
            checksum = checksum * 31 + work.round(round);
        }
        System.out.println("CpuBound rounds=" + rounds + " checksum=" + checksum);
        System.err.println("workload-ms " + (System.nanoTime() - started) / 1_000_000);
        // CPU time of this thread alone: what the instrumentation costs the application, free of
        // the JIT and journal threads and of other load on a shared machine.
        System.err.println("workload-cpu-ms " + (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - startedCpu) / 1_000_000);
    }

    long round(int round) {
        long sum = arithmetic(round);
        sum += sieve(2_000_000 + round);
        sum += maps(200_000);
        sum += lists(300_000);
        sum += strings(60_000);
        sum += sorting(400_000);
        return sum;
    }

    /** Integer arithmetic: a Collatz walk and a multiply-xorshift mix. */
    private static long arithmetic(int round) {
        long acc = 0;
        for (int n = 1; n < 150_000; n++) {
            long x = n + (long) round;
            int steps = 0;
            while (x != 1 && steps < 64) {
                x = (x & 1) == 0 ? x >>> 1 : 3 * x + 1;
                steps++;
            }
            long h = n * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
            acc += steps + (h & 0xff);
        }
        return acc;
    }

    private static long sieve(int limit) {
        boolean[] composite = new boolean[limit + 1];
        long sum = 0;
        for (int i = 2; i <= limit; i++) {
            if (!composite[i]) {
                sum += i;
                for (long j = (long) i * i; j <= limit; j += i) {
                    composite[(int) j] = true;
                }
            }
        }
        return sum;
    }

    /** Boxed keys in a HashMap: the hashing path an agent may instrument. */
    private long maps(int count) {
        Map<Integer, Integer> map = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int key = next() & 0x3ffff;
            map.merge(key, 1, Integer::sum);
        }
        long sum = map.size();
        for (int i = 0; i < count; i++) {
            Integer value = map.get(next() & 0x3ffff);
            if (value != null) {
                sum += value;
            }
        }
        for (Map.Entry<Integer, Integer> entry : map.entrySet()) {
            sum += entry.getKey() ^ entry.getValue();
        }
        return sum;
    }

    private long lists(int count) {
        List<Integer> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(next() % 1000);
        }
        long sum = 0;
        for (int i = 0; i < list.size(); i += 3) {
            sum += list.get(i);
        }
        list.removeIf(v -> (v & 7) == 0);
        return sum + list.size();
    }

    private long strings(int count) {
        StringBuilder builder = new StringBuilder();
        long sum = 0;
        for (int i = 0; i < count; i++) {
            builder.append(next() & 0xffff).append(',');
            if (builder.length() > 4096) {
                String s = builder.toString();
                sum += s.hashCode() + s.indexOf("99");
                builder.setLength(0);
            }
        }
        return sum + builder.toString().hashCode();
    }

    private long sorting(int count) {
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
            values[i] = next();
        }
        Arrays.sort(values);
        long sum = 0;
        for (int i = 0; i < count; i += 97) {
            sum += values[i];
        }
        return sum;
    }
}
