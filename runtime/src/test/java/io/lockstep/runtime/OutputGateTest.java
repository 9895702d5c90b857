package io.lockstep.runtime;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The output gate with real writer threads: lanes in order, independent of each other, and what counts as written. */
class OutputGateTest {
    private final List<String> written = Collections.synchronizedList(new ArrayList<>());

    private OutputGate.Sink recording(String lane) {
        return OutputGate.sink(lane, bytes -> written.add(lane + ":" + new String(bytes, StandardCharsets.UTF_8)));
    }

    /** Lanes whose writes block until {@link #release}, like sockets whose peers stopped reading. */
    private final class Stall {
        private final CountDownLatch unblock = new CountDownLatch(1);
        private final CountDownLatch entered;

        /** @param lanes how many blocked writes {@link #awaitBlocked} waits for */
        Stall(int lanes) {
            entered = new CountDownLatch(lanes);
        }

        OutputGate.Sink sink(String lane) {
            return OutputGate.sink(lane, bytes -> {
                entered.countDown();
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.add(lane + ":" + new String(bytes, StandardCharsets.UTF_8));
            });
        }

        void awaitBlocked() throws InterruptedException {
            assertTrue(entered.await(5, TimeUnit.SECONDS), "each blocked lane had a writer of its own");
        }

        void release() {
            unblock.countDown();
        }
    }

    private static void hold(OutputGate gate, long position, long sequence, OutputGate.Sink sink, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        gate.hold(position, sequence, sink, bytes, 0, bytes.length);
    }

    @Test
    void nothingLeavesBeforeItsPositionIsAcknowledgedAndALaneKeepsItsOrder() {
        OutputGate gate = new OutputGate(0);
        for (int i = 1; i <= 50; i++) {
            hold(gate, i * 10L, i, recording("a"), Integer.toString(i));
        }
        gate.releaseUpTo(9);
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(List.of(), written, "nothing is acknowledged yet");
        assertEquals(0, gate.writtenSequence());
        gate.releaseUpTo(250);
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(25, gate.writtenSequence());
        gate.releaseUpTo(500);
        assertTrue(gate.awaitReleasedWritten(5000));
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            expected.add("a:" + i);
        }
        assertEquals(expected, written);
        assertEquals(50, gate.writtenSequence());
    }

    @Test
    void aBlockedLaneHoldsUpNoOtherLaneButTheWrittenCountStopsBeforeIt() throws Exception {
        OutputGate gate = new OutputGate(0);
        Stall stall = new Stall(1);
        OutputGate.Sink stalled = stall.sink("stalled");
        hold(gate, 1, 1, recording("b"), "first");
        hold(gate, 2, 2, stalled, "stuck");
        hold(gate, 3, 3, stalled, "after it");
        for (int i = 4; i <= 20; i++) {
            hold(gate, i, i, recording(i % 2 == 0 ? "b" : "c"), Integer.toString(i));
        }
        gate.releaseUpTo(20);
        stall.awaitBlocked();
        assertTrue(gate.awaitWritten("b", 20, 5000), "lane b waited for the stalled lane: " + written);
        assertTrue(gate.awaitWritten("c", 19, 5000), "lane c waited for the stalled lane: " + written);
        assertFalse(gate.awaitWritten("stalled", 3, 100));
        assertEquals(1, gate.writtenSequence(), "the run of outputs all written out stops before the blocked output");
        assertEquals(20, gate.confirmedSequence(), "no stdout or stderr output is pending: a backup writes none again");
        assertFalse(written.contains("stalled:after it"));

        stall.release();
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(20, gate.writtenSequence());
        assertTrue(written.indexOf("stalled:stuck") < written.indexOf("stalled:after it"), written::toString);
        assertEquals(20, written.size());
    }

    @Test
    void manyBlockedLanesAtOnceEachGetAWriter() throws Exception {
        OutputGate gate = new OutputGate(0);
        int stalledLanes = 10;
        Stall stall = new Stall(stalledLanes);
        long sequence = 0;
        for (int lane = 0; lane < stalledLanes; lane++) {
            String name = "stalled-" + lane;
            hold(gate, ++sequence, sequence, stall.sink(name), name);
        }
        hold(gate, ++sequence, sequence, recording("free"), "through");
        gate.releaseUpTo(sequence);
        stall.awaitBlocked();
        assertTrue(gate.awaitWritten("free", sequence, 5000));
        assertEquals(0, gate.writtenSequence());
        stall.release();
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(sequence, gate.writtenSequence());
    }

    @Test
    void stdoutAndStderrStayInOrderAndABlockedSocketDoesNotHoldBackWhatTheBackupMayTakeAsDone() throws Exception {
        OutputGate gate = new OutputGate(0);
        Stall stall = new Stall(1);
        hold(gate, 1, 1, stall.sink("stalled"), "stuck");
        for (int i = 2; i <= 40; i++) {
            hold(gate, i, i, OutputGate.sink(OutputGate.STDIO, bytes -> written.add(new String(bytes, StandardCharsets.UTF_8))),
                (i % 2 == 0 ? "out " : "err ") + i);
        }
        gate.releaseUpTo(40);
        stall.awaitBlocked();
        assertTrue(gate.awaitWritten(OutputGate.STDIO, 40, 5000), "stdout and stderr waited for the blocked socket");
        List<String> expected = new ArrayList<>();
        for (int i = 2; i <= 40; i++) {
            expected.add((i % 2 == 0 ? "out " : "err ") + i);
        }
        assertEquals(expected, written, "stdout and stderr left in the order they were written");
        assertEquals(0, gate.writtenSequence());
        assertEquals(40, gate.confirmedSequence(), "every stdout and stderr output is out: the backup need keep none");
        stall.release();
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(40, gate.writtenSequence());
    }

    @Test
    void aSinkThatFailsLosesThatOutputNotItsLane() {
        OutputGate gate = new OutputGate(0);
        boolean[] failed = {false};
        OutputGate.Sink flaky = OutputGate.sink("flaky", bytes -> {
            if (!failed[0]) {
                failed[0] = true;
                throw new OutOfMemoryError("Cannot reserve direct buffer memory");
            }
            written.add(new String(bytes, StandardCharsets.UTF_8));
        });
        for (int i = 1; i <= 5; i++) {
            hold(gate, i, i, flaky, Integer.toString(i));
        }
        gate.releaseUpTo(5);
        assertTrue(gate.awaitReleasedWritten(5000), "the lane stopped at the failed output");
        assertEquals(List.of("2", "3", "4", "5"), written);
        assertEquals(5, gate.writtenSequence());
    }

    @Test
    void aClosedSocketsUnreadOutputsAreDroppedAndItsWriterLetsGoBeforeTheClose() throws Exception {
        OutputGate gate = new OutputGate(0);
        Stall stall = new Stall(1);
        OutputGate.Sink stalled = stall.sink("stalled");
        for (int i = 1; i <= 5; i++) {
            hold(gate, i, i, stalled, Integer.toString(i));
        }
        hold(gate, 6, 6, recording("other"), "6");
        gate.releaseUpTo(6);
        stall.awaitBlocked();
        assertFalse(gate.awaitWritten("stalled", 5, 50));
        gate.abandon("stalled", stall::release, 5000); // the shutdown that makes the blocked write fail
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(6, gate.writtenSequence(), "dropped outputs hold nothing up");
        assertEquals(List.of("other:6", "stalled:1"), written.stream().sorted().toList(), "only the write in progress finished");
    }

    @Test
    void aLanesBacklogCountsWhatHasNotLeftHeldOrBlockedAndWhatIsDroppedLeavesIt() throws Exception {
        OutputGate gate = new OutputGate(0);
        Stall stall = new Stall(1);
        OutputGate.Sink stalled = stall.sink("stalled");
        hold(gate, 1, 1, stalled, "12345");
        hold(gate, 2, 2, stalled, "678");
        hold(gate, 3, 3, recording("other"), "ab");
        assertEquals(8, gate.backlog("stalled"), "held for the acknowledgement");
        assertEquals(2, gate.backlog("other"));
        gate.releaseUpTo(3);
        stall.awaitBlocked();
        assertTrue(gate.awaitWritten("other", 3, 5000));
        assertEquals(0, gate.backlog("other"));
        assertEquals(8, gate.backlog("stalled"), "one write blocked, one behind it");

        assertEquals(8, gate.largestBacklog());
        Thread waiter = new Thread(() -> gate.awaitBacklogAtMost("stalled", 3));
        waiter.start();
        waiter.join(200);
        assertTrue(waiter.isAlive(), "the writer waits while its lane's backlog is too large");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gate.writersHeldBack() == 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        assertEquals(1, gate.writersHeldBack());
        stall.release();
        waiter.join(5000);
        assertFalse(waiter.isAlive(), "the blocked write left: the writer goes on");
        assertEquals(0, gate.writersHeldBack());
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(0, gate.backlog("stalled"));

        Stall again = new Stall(1);
        OutputGate.Sink closing = again.sink("closing");
        for (int i = 4; i <= 8; i++) {
            hold(gate, i, i, closing, "xyz");
        }
        gate.releaseUpTo(8);
        again.awaitBlocked();
        gate.abandon("closing", again::release, 5000);
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(0, gate.backlog("closing"), "what a closed socket's peer never read is no backlog");
    }

    @Test
    void anOpenGateWritesAtOnceAndCountsOnFromWhereItWasHandedOver() {
        OutputGate gate = new OutputGate(41); // a backup going live after the replay's 41 outputs
        assertEquals(41, gate.writtenSequence());
        gate.open();
        hold(gate, 1000, 42, recording("out"), "x");
        hold(gate, 1001, 43, recording("out"), "y");
        assertTrue(gate.awaitReleasedWritten(5000));
        assertEquals(43, gate.writtenSequence());
        assertEquals(List.of("out:x", "out:y"), written);
    }

    /**
     * At the end of a run the wait for what was released goes on while those outputs keep
     * leaving, and gives up on a lane that stays blocked even while other lanes go on (their
     * later outputs are no progress of the ones waited for).
     */
    @Test
    void theWaitForWhatWasReleasedGivesUpOnABlockedLaneWhileOtherLanesGoOn() throws Exception {
        OutputGate gate = new OutputGate(0);
        Stall stall = new Stall(1);
        hold(gate, 1, 1, stall.sink("blocked"), "1");
        gate.releaseUpTo(1);
        stall.awaitBlocked();
        Thread traffic = new Thread(() -> {
            for (long i = 2; !Thread.currentThread().isInterrupted(); i++) {
                hold(gate, i, i, recording("busy"), Long.toString(i));
                gate.releaseUpTo(i);
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        });
        traffic.start();
        try {
            assertFalse(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> gate.awaitReleasedWritten(200)), "the blocked lane's output never left");
        } finally {
            traffic.interrupt();
            traffic.join();
            stall.release();
        }
        assertTrue(gate.awaitReleasedWritten(5000), "once it is unblocked, everything leaves");
    }
}
