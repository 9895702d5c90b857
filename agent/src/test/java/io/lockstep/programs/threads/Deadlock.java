package io.lockstep.programs.threads;

/** Two threads take two monitors in opposite orders: a deadlock, with or without the agent. */
public final class Deadlock {
    public static void main(String[] args) throws Exception {
        Object left = new Object();
        Object right = new Object();
        Thread one = new Thread(() -> {
            synchronized (left) {
                pause();
                synchronized (right) {
                    System.out.println("one got both");
                }
            }
        }, "one");
        Thread two = new Thread(() -> {
            synchronized (right) {
                pause();
                synchronized (left) {
                    System.out.println("two got both");
                }
            }
        }, "two");
        one.start();
        two.start();
        System.out.println("started");
        one.join();
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
