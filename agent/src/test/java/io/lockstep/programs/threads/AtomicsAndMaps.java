package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** CAS loops, LongAdder, ConcurrentHashMap compute/merge/computeIfAbsent, per-thread ThreadLocalRandom. */
public final class AtomicsAndMaps {
    public static void main(String[] args) throws Exception {
        AtomicInteger cas = new AtomicInteger();
        AtomicReference<String> last = new AtomicReference<>("");
        LongAdder adder = new LongAdder();
        Map<String, Integer> map = new ConcurrentHashMap<>();
        Map<Integer, String> sorted = new ConcurrentSkipListMap<>();
        StringBuffer casFailures = new StringBuffer();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 2000; i++) {
                    int seen = cas.get();
                    if (!cas.compareAndSet(seen, seen + 1)) {
                        casFailures.append('x');
                        cas.incrementAndGet();
                    }
                    adder.increment();
                    String key = "k" + random.nextInt(20);
                    map.merge(key, 1, Integer::sum);
                    int step = i;
                    map.computeIfAbsent("first-" + (i % 5), k -> step);
                    map.compute("writer", (k, v) -> step);
                    sorted.put(random.nextInt(100), Thread.currentThread().getName());
                    last.set(Thread.currentThread().getName());
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.println("cas " + cas.get() + " adder " + adder.sum() + " failures " + casFailures.length() + " last " + last.get());
        System.out.println("map " + map);
        System.out.println("sorted " + sorted);
    }
}
