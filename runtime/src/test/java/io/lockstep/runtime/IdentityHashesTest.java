package io.lockstep.runtime;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentityHashesTest {
    @Test
    void theSameRequestOrderGivesTheSameHashes() {
        IdentityHashes first = new IdentityHashes();
        IdentityHashes second = new IdentityHashes();
        for (int i = 0; i < 1000; i++) {
            assertEquals(first.assign(new Object()), second.assign(new Object()));
        }
    }

    @Test
    void anObjectKeepsItsHashAndLookupDoesNotAssign() {
        IdentityHashes hashes = new IdentityHashes();
        Object object = new Object();
        Object other = new Object();
        assertEquals(System.identityHashCode(other), hashes.lookup(other));
        int assigned = hashes.assign(object);
        assertEquals(assigned, hashes.assign(object));
        assertEquals(assigned, hashes.lookup(object));
        assertNotEquals(assigned, hashes.assign(other));
    }

    /** An object first hashed outside managed code may sit in a table under its JVM hash: it keeps it. */
    @Test
    void anObjectLookedUpFirstKeepsItsJvmHash() {
        IdentityHashes hashes = new IdentityHashes();
        Object early = new Object();
        int jvmHash = hashes.lookup(early);
        assertEquals(System.identityHashCode(early), jvmHash);
        assertEquals(jvmHash, hashes.assign(early));
    }

    /** Objects of one class are numbered apart from other classes': hashing others in between changes nothing. */
    @Test
    void eachClassCountsItsOwnObjects() {
        IdentityHashes alone = new IdentityHashes();
        IdentityHashes interleaved = new IdentityHashes();
        for (int i = 0; i < 100; i++) {
            interleaved.assign(new StringBuilder());
            assertEquals(alone.assign(new Object()), interleaved.assign(new Object()));
        }
        assertNotEquals(alone.assign(new Object()), alone.assign(new StringBuilder()));
    }

    @Test
    void lambdasAndHiddenClassesAreNamedWithoutTheirRunDependentSuffix() {
        Runnable lambda = () -> { };
        assertEquals(IdentityHashesTest.class.getName(), IdentityHashes.stableName(lambda.getClass()));
        assertEquals("java.lang.Object", IdentityHashes.stableName(Object.class));
    }

    @Test
    void hashesArePositiveAndSpread() {
        Set<Integer> seen = new HashSet<>();
        for (int n = 1; n <= 100_000; n++) {
            int hash = IdentityHashes.scramble(n);
            assertTrue(hash > 0);
            seen.add(hash);
        }
        // 31 bits of a bijective 32-bit mix: collisions are possible but rare, as for the JVM's own
        assertTrue(seen.size() > 99_900, "distinct: " + seen.size());
    }

    @Test
    void collectedObjectsLeaveTheTable() throws Exception {
        IdentityHashes hashes = new IdentityHashes();
        Object kept = new Object();
        int keptHash = hashes.assign(kept);
        for (int i = 0; i < 200_000; i++) {
            hashes.assign(new Object());
        }
        for (int attempt = 0; attempt < 50 && hashes.size() > 1000; attempt++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(hashes.size() <= 1000, "entries of collected objects stay: " + hashes.size());
        assertEquals(keptHash, hashes.assign(kept));
    }
}
