package io.lockstep.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the agent's instrumentation costs application code, measured the same way with and
 * without it (bench/jmh-scheduler.sh): an uncontended monitor enter/exit, and a loop whose
 * 1,000 back-edges are 1,000 ticks. The difference per operation, divided by the ticks or
 * monitors in it, is the cost of one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedulerCosts {
    private final Object lock = new Object();
    private int counter;
    private int bound = 1000;

    /** The floor: a field increment in a method (one method-entry tick under the agent). */
    @Benchmark
    public int plainIncrement() {
        return ++counter;
    }

    /** The same increment inside an uncontended synchronized block. */
    @Benchmark
    public int monitorIncrement() {
        synchronized (lock) {
            return ++counter;
        }
    }

    /** A loop of 1,000 iterations that the JIT cannot fold away: 1,000 back-edge ticks under the agent. */
    @Benchmark
    public int loopOf1000() {
        int sum = counter;
        for (int i = 0; i < bound; i++) {
            sum = sum * 31 + i;
        }
        counter = sum;
        return sum;
    }
}
