package io.sparknas.space.darts;

import io.sparknas.space.Operation;
import io.sparknas.space.SeededRandom;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DartsSpaceTest {
    private final DartsSpace space = new DartsSpace();

    /** Valid = inside the space, every node reads two distinct earlier nodes, and the text round-trips. */
    private void assertValid(DartsSpace s, DartsGenotype g) {
        s.check(g);
        for (DartsCell cell : List.of(g.normal(), g.reduce())) {
            for (int node = 2; node < 2 + s.nodes(); node++) {
                List<DartsEdge> pair = cell.edgesOf(node);
                assertNotEquals(pair.get(0).input(), pair.get(1).input(), () -> "duplicate input in " + g);
            }
        }
        assertEquals(g, s.parse(s.format(g)));
    }

    @Test
    void samplingMutationAndCrossoverAlwaysYieldValidGenotypes() {
        for (int nodes = 2; nodes <= 6; nodes++) {
            DartsSpace s = new DartsSpace(DartsSpace.DEFAULT_OPS, nodes);
            SeededRandom rng = new SeededRandom(nodes);
            for (int i = 0; i < 2000; i++) {
                DartsGenotype a = s.sample(rng);
                DartsGenotype b = s.sample(rng);
                assertValid(s, a);
                DartsGenotype m = s.mutate(a, rng);
                assertValid(s, m);
                assertNotEquals(s.canonicalKey(a), s.canonicalKey(m), "a mutation must change the architecture");
                assertValid(s, s.crossover(a, b, rng));
            }
        }
    }

    @Test
    void sameSeedGivesTheSameDraws() {
        SeededRandom r1 = new SeededRandom(42);
        SeededRandom r2 = new SeededRandom(42);
        for (int i = 0; i < 100; i++) {
            DartsGenotype a = space.sample(r1);
            assertEquals(a, space.sample(r2));
            assertEquals(space.mutate(a, r1), space.mutate(a, r2));
        }
    }

    @Test
    void swappingANodesTwoInputsKeepsTheKey() {
        DartsGenotype g = DartsGenotype.DARTS_V2;
        DartsCell n = g.normal();
        DartsCell swapped = n.withEdge(6, n.edges().get(7)).withEdge(7, n.edges().get(6));
        DartsGenotype h = new DartsGenotype(swapped, g.reduce());
        assertNotEquals(g, h);
        assertEquals(space.canonicalKey(g), space.canonicalKey(h));
        assertNotEquals(space.canonicalKey(g), space.canonicalKey(DartsGenotype.DARTS_V1));
        assertEquals(16, space.canonicalKey(g).length());
    }

    @Test
    void crossoverTakesEveryNodeFromOneOfTheParents() {
        SeededRandom rng = new SeededRandom(7);
        for (int i = 0; i < 500; i++) {
            DartsGenotype a = space.sample(rng);
            DartsGenotype b = space.sample(rng);
            DartsGenotype c = space.crossover(a, b, rng);
            for (int node = 2; node < 6; node++) {
                List<DartsEdge> got = c.normal().edgesOf(node);
                assertTrue(got.equals(a.normal().edgesOf(node)) || got.equals(b.normal().edgesOf(node)));
            }
        }
    }

    @Test
    void neighboursAreAllDistinctSingleEdits() {
        DartsGenotype g = DartsGenotype.DARTS_V2;
        List<DartsGenotype> ns = space.neighbours(g);
        // op changes: 2 cells * 8 edges * 6 other ops; rewires: per cell, node k in 3..5 has (k - 2) free inputs per edge
        int rewires = 2 * (2 * 1 + 2 * 2 + 2 * 3);
        assertEquals(2 * 8 * 6 + rewires, ns.size());
        Set<DartsGenotype> distinct = new HashSet<>(ns);
        assertEquals(ns.size(), distinct.size());
        ns.forEach(n -> assertValid(space, n));
    }

    @Test
    void operationsOutsideTheSpaceAreRejected() {
        DartsSpace convOnly = new DartsSpace(List.of(Operation.SEP_CONV_3X3, Operation.SKIP_CONNECT), 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> convOnly.parse(DartsGenotype.DARTS_V2.toString()));
        assertTrue(e.getMessage().contains("dil_conv_3x3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DartsSpace(List.of(Operation.NOR_CONV_1X1), 4));
        assertThrows(IllegalArgumentException.class, () -> new DartsSpace(DartsSpace.DEFAULT_OPS, 7));
    }

    @Test
    void encodingMarksEveryEdgeOnce() {
        double[] v = space.encode(DartsGenotype.DARTS_V2);
        assertEquals(2 * (2 + 3 + 4 + 5) * 7, v.length);
        assertEquals(16.0, java.util.Arrays.stream(v).sum());
    }
}
