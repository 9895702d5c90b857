package io.lockstep.benchmarks;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads the lines of OutputLatency ("t NANOTIME") from stdin and records, for each after the
 * first {@code WARMUP}, how long after its stamp it arrived (same host: one monotonic clock).
 * Prints "p50 p99 p99.9 max" in microseconds. Usage: {@code LatencyReader WARMUP LABEL}
 */
public final class LatencyReader {
    private LatencyReader() {
    }

    public static void main(String[] args) throws IOException {
        int warmup = Integer.parseInt(args[0]);
        Histogram histogram = new Histogram(3);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        int seen = 0;
        while ((line = in.readLine()) != null) {
            long arrived = System.nanoTime();
            if (!line.startsWith("t ")) {
                continue;
            }
            if (seen++ < warmup) {
                continue;
            }
            histogram.recordValue(Math.max(0, arrived - Long.parseLong(line.substring(2))));
        }
        System.out.printf("%s p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us (%d lines)%n", args.length > 1 ? args[1] : "",
            histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
            histogram.getValueAtPercentile(99.9) / 1000.0, histogram.getMaxValue() / 1000.0, histogram.getTotalCount());
    }
}
