package io.lockstep.loops;

/**
 * Loops of the shapes whose rewritten frames are easy to get wrong, for BackEdgeTicksTest: it
 * loads this class rewritten by the transformer (so the JVM verifies every method) and counts
 * the ticks each method spends. Not run under the agent.
 */
public final class LoopShapes {
    static volatile boolean go;
    private int field;

    /** A loop in a constructor, before and after the super call's frames. */
    public LoopShapes(int n) {
        super();
        for (int i = 0; i < n; i++) {
            field += i;
        }
    }

    public static int plainLoop(int n) {
        int sum = 0;
        for (int i = 0; i < n; i++) {
            sum += i;
        }
        return sum;
    }

    /** Two-slot locals and arguments before and after the loop's variables, so the counter's slot is not the first free one of every frame. */
    public static double wideLocals(long a, double b, int n) {
        long l = a;
        double d = b;
        for (int i = 0; i < n; i++) {
            long inner = l * 3 + i;
            double half = d / 2;
            l = inner ^ (inner >>> 7);
            d = half + i;
        }
        return l + d;
    }

    /** A loop inside a try whose handler also loops; the handler's frame must carry the counter too. */
    public static int loopInTry(int n, int throwAt) {
        int sum = 0;
        try {
            for (int i = 0; i < n; i++) {
                if (i == throwAt) {
                    throw new IllegalStateException("at " + i);
                }
                sum += i;
            }
        } catch (IllegalStateException e) {
            for (int j = 0; j < n; j++) {
                sum -= 1;
            }
        } finally {
            sum += 1;
        }
        return sum;
    }

    /** Nested loops share the frame's one counter: every back-edge of either counts. */
    public static int nested(int outer, int inner) {
        int sum = 0;
        for (int i = 0; i < outer; i++) {
            for (int j = 0; j < inner; j++) {
                sum += i ^ j;
            }
        }
        return sum;
    }

    /** Locals dying and slots reused by another type between loops. */
    public static long slotReuse(int n) {
        long total = 0;
        {
            String s = "x";
            for (int i = 0; i < n; i++) {
                s = i % 2 == 0 ? "a" : "b";
            }
            total += s.length();
        }
        {
            long x = 1;
            for (int i = 0; i < n; i++) {
                x += i;
            }
            total += x;
        }
        return total;
    }

    /** The spin loop a data race busy-waits in: only preemption lets it end. */
    public static int spin() {
        int spins = 0;
        while (!go) {
            spins++;
        }
        return spins;
    }

    public synchronized int synchronizedLoop(int n) {
        for (int i = 0; i < n; i++) {
            field++;
        }
        return field;
    }
}
