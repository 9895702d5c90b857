package io.lockstep.programs.threads;

/**
 * A daemon thread that prints every millisecond while main ends: the JVM's exit cuts it off
 * wherever it is. Under the agent it stops where the recording ends (it once ran on, unrecorded,
 * for as long as the agent's own end took, and the replay printed other lines there).
 */
public final class DaemonAtTheEnd {
    public static void main(String[] args) throws Exception {
        Thread ticker = new Thread(() -> {
            for (long tick = 0; ; tick++) {
                System.out.println("tick " + tick);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ticker");
        ticker.setDaemon(true);
        ticker.start();
        Thread.sleep(100);
        System.out.println("end");
    }
}
