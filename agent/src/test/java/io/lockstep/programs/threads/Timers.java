package io.lockstep.programs.threads;

import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CountDownLatch;

/** java.util.Timer: one-shot, fixed-delay and fixed-rate tasks, cancel, two timers racing on a buffer. */
public final class Timers {
    public static void main(String[] args) throws Exception {
        StringBuffer log = new StringBuffer();
        Timer first = new Timer("first");
        Timer second = new Timer("second", true);
        CountDownLatch done = new CountDownLatch(2);
        long start = System.currentTimeMillis();
        first.schedule(task(() -> log.append("once@").append(System.currentTimeMillis() - start >= 10).append(' ')), 10);
        first.schedule(task(() -> log.append('a')), 0, 2);
        second.scheduleAtFixedRate(task(() -> log.append('b')), 1, 3);
        first.schedule(task(() -> {
            log.append(" stop ");
            done.countDown();
        }), 25);
        second.schedule(task(done::countDown), 25);
        done.await();
        first.cancel();
        second.cancel();
        System.out.println(log);
        System.out.println("purged " + first.purge());
    }

    private static TimerTask task(Runnable body) {
        return new TimerTask() {
            @Override
            public void run() {
                body.run();
            }
        };
    }
}
