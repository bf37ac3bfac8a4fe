package io.sparknas.space.pareto;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParetoTest {
    // minimise both: (1,5), (2,3), (4,1) are the front; (3,4) is dominated by (2,3); (5,5) by all
    static final double[][] POINTS = {{3, 4}, {1, 5}, {5, 5}, {2, 3}, {4, 1}};

    @Test
    void theNonDominatedSortPeelsFrontsInOrder() {
        assertEquals(List.of(List.of(1, 3, 4), List.of(0), List.of(2)), Pareto.sort(POINTS));
        assertEquals(List.of(1, 3, 4), Pareto.front(POINTS));
        assertTrue(Pareto.dominates(new double[] {2, 3}, new double[] {3, 4}));
        assertFalse(Pareto.dominates(new double[] {2, 3}, new double[] {2, 3}), "equal points do not dominate");
        assertFalse(Pareto.dominates(new double[] {1, 5}, new double[] {4, 1}));
    }

    @Test
    void crowdingGivesTheExtremesInfinityAndTheMiddleItsNeighboursGap() {
        double[] d = Pareto.crowding(POINTS, List.of(1, 3, 4));
        // (2,3) sits between (1,5) and (4,1): (4-1)/(4-1) + (5-1)/(5-1) = 2
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 2.0, Double.POSITIVE_INFINITY}, d, 1e-12);
    }

    @Test
    void theHypervolumeOfAFrontIsTheAreaItDominatesUpToTheReference() {
        // reference (6,6): rectangles from the staircase (1,5), (2,3), (4,1)
        double expected = (6 - 1) * (6 - 5) + (6 - 2) * (5 - 3) + (6 - 4) * (3 - 1);
        assertEquals(expected, Pareto.hypervolume2d(POINTS, new double[] {6, 6}), 1e-12);
        assertEquals(expected, Pareto.hypervolume2d(new double[][] {{4, 1}, {2, 3}, {1, 5}}, new double[] {6, 6}),
                1e-12, "order does not matter, dominated points add nothing");
        assertEquals(0, Pareto.hypervolume2d(POINTS, new double[] {1, 1}), "nothing better than the reference");
        assertArrayEquals(new double[] {4, 5}, Pareto.nadir(POINTS, Pareto.front(POINTS)));
        // a brute-force check on random points: the area of a fine grid of the dominated region
        Random rng = new Random(3);
        double[][] pts = new double[30][];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = new double[] {rng.nextDouble(), rng.nextDouble()};
        }
        int n = 400;
        int covered = 0;
        for (int x = 0; x < n; x++) {
            for (int y = 0; y < n; y++) {
                double[] cell = {(x + 0.5) / n, (y + 0.5) / n};
                for (double[] p : pts) {
                    if (p[0] <= cell[0] && p[1] <= cell[1]) {
                        covered++;
                        break;
                    }
                }
            }
        }
        assertEquals(covered / (double) (n * n), Pareto.hypervolume2d(pts, new double[] {1, 1}), 5e-3);
    }

    @Test
    void objectivesNegateAccuracyAndNeedEveryCost() {
        Objectives o = new Objectives(List.of("accuracy", "flops"));
        Candidate c = new Candidate("c1", "nb201", "x", "k", "random", List.of(), 1);
        assertArrayEquals(new double[] {-0.9, 1e6}, o.minimised(Evaluation.ok(c, 0.9, Map.of("flops", 1e6), "", 0, 0)));
        assertNull(o.minimised(Evaluation.ok(c, 0.9, Map.of(), "", 0, 0)), "no FLOPs, no vector");
        assertNull(o.minimised(Evaluation.failed(c, "x", Map.of("flops", 1e6), "", 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> new Objectives(List.of("flops", "accuracy")));
        assertThrows(IllegalArgumentException.class, () -> new Objectives(List.of("accuracy")));
    }
}
