package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** CompletableFuture on the common pool and on an executor: supplyAsync, thenCombine, thenApplyAsync, allOf, anyOf, delays. */
public final class Futures {
    public static void main(String[] args) throws Exception {
        StringBuffer log = new StringBuffer();
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            futures.add(CompletableFuture.supplyAsync(() -> {
                log.append(n);
                return n + "@" + Thread.currentThread().getName().replaceAll("ForkJoinPool.commonPool-", "");
            }));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
        List<String> results = new ArrayList<>();
        for (CompletableFuture<String> future : futures) {
            results.add(future.get());
        }
        System.out.println(results);
        ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> 20, pool);
        CompletableFuture<Integer> b = CompletableFuture.supplyAsync(() -> 22, pool).thenApplyAsync(x -> {
            log.append('b');
            return x;
        });
        CompletableFuture<String> combined = a.thenCombine(b, Integer::sum).thenApply(sum -> "sum " + sum);
        System.out.println(combined.get(10, TimeUnit.SECONDS));
        CompletableFuture<Object> first = CompletableFuture.anyOf(
            CompletableFuture.supplyAsync(() -> "slow", CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS, pool)),
            CompletableFuture.supplyAsync(() -> "fast", CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS, pool)));
        System.out.println("first " + first.join());
        long waitStarted = System.nanoTime();
        CompletableFuture<String> timeout = new CompletableFuture<String>().completeOnTimeout("timed out", 5, TimeUnit.MILLISECONDS);
        System.out.println(timeout.join() + " after " + (System.nanoTime() - waitStarted) / 1000 + " us, log " + log);
        pool.shutdown();
    }
}
