package io.lockstep.programs.threads;

/** Data races: an unsynchronised counter, and busy-waits on a volatile flag with and without a spin hint. */
public final class RacyCounter {
    static int counter;
    static volatile boolean go;
    static volatile int turn;

    public static void main(String[] args) throws Exception {
        Thread[] adders = new Thread[4];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new Thread(() -> {
                while (!go) {
                    // plain spin: no hint, no synchronisation
                }
                for (int j = 0; j < 300_000; j++) {
                    int seen = counter; // read, call, write: a switch between them loses updates
                    step();
                    counter = seen + 1;
                }
            });
            adders[i].start();
        }
        go = true;
        for (Thread adder : adders) {
            adder.join();
        }
        System.out.println("counter " + counter + " of " + 4 * 300_000);

        StringBuilder rounds = new StringBuilder();
        Thread ping = new Thread(() -> pingPong(0, rounds), "ping");
        Thread pong = new Thread(() -> pingPong(1, rounds), "pong");
        ping.start();
        pong.start();
        ping.join();
        pong.join();
        System.out.println("ping-pong " + rounds);
    }

    private static void step() {
    }

    /** Two threads take turns through a volatile field, spinning with onSpinWait; they also race on a StringBuilder. */
    private static void pingPong(int me, StringBuilder rounds) {
        for (int round = 0; round < 20; round++) {
            long spins = 0;
            while (turn != me) {
                spins++;
                Thread.onSpinWait();
            }
            rounds.append(Thread.currentThread().getName().charAt(1)).append(spins > 1000 ? '+' : '.');
            turn = 1 - me;
        }
    }
}
