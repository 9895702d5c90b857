package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Parallel streams on the common pool: which thread did what, and a racy side effect into an ArrayList. */
public final class ParallelStreams {
    public static void main(String[] args) {
        Map<String, Long> byThread = IntStream.range(0, 2000).parallel().boxed()
            .collect(Collectors.groupingByConcurrent(i -> Thread.currentThread().getName().replaceAll(".*-worker-", "w"),
                Collectors.counting()));
        System.out.println("by thread " + new TreeMap<>(byThread));
        List<Integer> unsafe = new ArrayList<>();
        try {
            IntStream.range(0, 5000).parallel().forEach(unsafe::add);
        } catch (RuntimeException e) {
            System.out.println("racy list threw " + e.getClass().getSimpleName());
        }
        System.out.println("racy list size " + unsafe.size());
        StringBuilder order = new StringBuilder();
        IntStream.range(0, 40).parallel().forEach(i -> {
            synchronized (order) {
                order.append(i).append(' ');
            }
        });
        System.out.println("order " + order);
        System.out.println("sum " + IntStream.rangeClosed(1, 100_000).parallel().asLongStream().map(x -> x * x % 1000).sum());
    }
}
