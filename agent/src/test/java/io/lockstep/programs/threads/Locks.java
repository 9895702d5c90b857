package io.lockstep.programs.threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/** ReentrantLock (fair and not) with conditions, ReentrantReadWriteLock, StampedLock, tryLock with a timeout. */
public final class Locks {
    public static void main(String[] args) throws Exception {
        List<String> log = new ArrayList<>();
        ReentrantLock lock = new ReentrantLock();
        Condition nonEmpty = lock.newCondition();
        Condition empty = lock.newCondition();
        int[] box = {0};
        Thread consumer = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                lock.lock();
                try {
                    while (box[0] == 0) {
                        nonEmpty.awaitNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                    log.add("got" + box[0]);
                    box[0] = 0;
                    empty.signal();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    lock.unlock();
                }
            }
        }, "consumer");
        consumer.start();
        for (int i = 1; i <= 20; i++) {
            lock.lock();
            try {
                while (box[0] != 0) {
                    empty.await();
                }
                box[0] = i;
                log.add("put" + i);
                nonEmpty.signal();
            } finally {
                lock.unlock();
            }
            if (i % 3 == 0) {
                Thread.sleep(1);
            }
        }
        consumer.join();

        ReentrantLock fair = new ReentrantLock(true);
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        StampedLock stamped = new StampedLock();
        long[] shared = new long[2];
        StringBuffer order = new StringBuffer();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int me = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    if (fair.tryLock()) {
                        try {
                            order.append(me);
                        } finally {
                            fair.unlock();
                        }
                    }
                    if (me % 2 == 0) {
                        rw.writeLock().lock();
                        try {
                            shared[0] += me;
                        } finally {
                            rw.writeLock().unlock();
                        }
                        long stamp = stamped.writeLock();
                        shared[1]++;
                        stamped.unlockWrite(stamp);
                    } else {
                        rw.readLock().lock();
                        try {
                            if (shared[0] % 7 == 0) {
                                order.append('r');
                            }
                        } finally {
                            rw.readLock().unlock();
                        }
                        long stamp = stamped.tryOptimisticRead();
                        long seen = shared[1];
                        if (!stamped.validate(stamp)) {
                            stamp = stamped.readLock();
                            seen = shared[1];
                            stamped.unlockRead(stamp);
                            order.append('v');
                        }
                        if (seen % 50 == 0) {
                            order.append('s');
                        }
                    }
                }
                try {
                    if (fair.tryLock(1, TimeUnit.MILLISECONDS)) {
                        fair.unlock();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "worker" + t));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.println(String.join(",", log));
        System.out.println("shared " + shared[0] + " " + shared[1]);
        System.out.println("order " + order);
    }
}
