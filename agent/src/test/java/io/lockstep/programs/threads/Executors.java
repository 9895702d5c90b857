package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Fixed, cached, single and work-stealing pools, invokeAll/invokeAny, scheduled tasks, per-thread ThreadLocalRandom. */
public final class Executors {
    public static void main(String[] args) throws Exception {
        StringBuffer log = new StringBuffer();
        List<ExecutorService> pools = List.of(java.util.concurrent.Executors.newFixedThreadPool(3),
            java.util.concurrent.Executors.newCachedThreadPool(), java.util.concurrent.Executors.newSingleThreadExecutor(),
            java.util.concurrent.Executors.newWorkStealingPool(2));
        for (ExecutorService pool : pools) {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int task = i;
                tasks.add(() -> {
                    log.append(task);
                    return Thread.currentThread().getName() + "=" + ThreadLocalRandom.current().nextInt(1000);
                });
            }
            List<String> results = new ArrayList<>();
            for (Future<String> future : pool.invokeAll(tasks)) {
                results.add(future.get());
            }
            System.out.println(results + " any " + pool.invokeAny(tasks).replaceAll("=.*", ""));
            pool.shutdown();
            System.out.println("terminated " + pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        ScheduledExecutorService scheduler = java.util.concurrent.Executors.newScheduledThreadPool(2);
        long start = System.nanoTime();
        StringBuffer ticks = new StringBuffer();
        ScheduledFuture<?> rate = scheduler.scheduleAtFixedRate(() -> ticks.append('r'), 0, 3, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> delay = scheduler.scheduleWithFixedDelay(() -> ticks.append('d'), 1, 4, TimeUnit.MILLISECONDS);
        ScheduledFuture<String> once = scheduler.schedule(() -> "once after " + (System.nanoTime() - start) / 1_000_000 + " ms",
            20, TimeUnit.MILLISECONDS);
        System.out.println(once.get());
        rate.cancel(false);
        delay.cancel(false);
        scheduler.shutdown();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
        System.out.println("ticks " + ticks + " log " + log);
    }
}
