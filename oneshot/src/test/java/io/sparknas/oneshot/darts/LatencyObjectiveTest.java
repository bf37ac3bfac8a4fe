package io.sparknas.oneshot.darts;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparknas.estimators.Torch;
import io.sparknas.space.SeededRandom;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyObjectiveTest {
    /** Milliseconds per op of the tiny supernet's ops (none, max_pool, avg_pool, skip, sep_conv_3x3), on each edge. */
    private static final double[] COST = {0, 0.1, 0.1, 0.02, 1.0};

    static double[][] table(int edges, double scale) {
        double[][] t = new double[edges][];
        for (int e = 0; e < edges; e++) {
            t[e] = COST.clone();
            for (int k = 0; k < t[e].length; k++) {
                t[e][k] *= scale * (1 + 0.1 * e);
            }
        }
        return t;
    }

    /** The analytic gradient against central differences of E[lat] (double precision, random alpha). */
    @Test
    void theLatencyGradientIsTheDerivativeOfTheWeightedExpectedLatency() {
        LatencyObjective lat = new LatencyObjective(2.5, table(5, 1), table(5, 3), 0);
        SeededRandom rng = new SeededRandom(3);
        double[][][] alpha = new double[2][5][5];
        for (double[][] a : alpha) {
            for (double[] row : a) {
                for (int k = 0; k < row.length; k++) {
                    row[k] = rng.nextGaussian();
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu()); Torch.NoGrad ng = Torch.noGrad()) {
            for (int cell = 0; cell < 2; cell++) {
                double[] flat = java.util.Arrays.stream(alpha[cell]).flatMapToDouble(java.util.Arrays::stream)
                        .toArray();
                NDArray a = m.create(flat, new Shape(5, 5)).toType(DataType.FLOAT64, false);
                double[] analytic = lat.gradient(m, a, cell).toDoubleArray();
                for (int i = 0; i < flat.length; i++) {
                    double eps = 1e-6;
                    alpha[cell][i / 5][i % 5] += eps;
                    double up = lat.expectedMs(alpha[0], alpha[1]);
                    alpha[cell][i / 5][i % 5] -= 2 * eps;
                    double down = lat.expectedMs(alpha[0], alpha[1]);
                    alpha[cell][i / 5][i % 5] += eps;
                    double numeric = 2.5 / lat.referenceMs() * (up - down) / (2 * eps);
                    assertEquals(numeric, analytic[i], 1e-7, "cell " + cell + " coordinate " + i);
                }
            }
        }
    }

    /**
     * At uniform alpha every edge's kept latency is the mean over its operations other than none, and a node keeps
     * each of its i + 2 inputs with probability 2 / (i + 2): the two inputs of node 0 always, node 1's three with 2/3.
     */
    @Test
    void theReferenceIsTheExpectedLatencyOfTheDerivedCellAtUniformAlpha() {
        LatencyObjective lat = new LatencyObjective(1, table(5, 1), table(5, 1), 0);
        double keptMean = (COST[1] + COST[2] + COST[3] + COST[4]) / 4;
        double perCell = keptMean * (1.0 + 1.1) + 2.0 / 3 * keptMean * (1.2 + 1.3 + 1.4);
        assertEquals(2 * perCell, lat.referenceMs(), 1e-12);
        assertEquals(2 * perCell, lat.expectedMs(new double[5][5], new double[5][5]), 1e-12);
    }

    /** At a one-hot alpha (as the derivation reads it) the expected latency is the derived cells' table sum. */
    @Test
    void atADecidedAlphaTheExpectedLatencyIsTheDerivedCellsTableSum() {
        double[][] tn = table(5, 1);
        double[][] alpha = new double[5][5];
        int[] op = {4, 3, 1, 4, 2}; // node 0: sep, skip; node 1: max_pool (dropped: none holds its edge), sep, avg_pool
        for (int e = 0; e < 5; e++) {
            alpha[e][op[e]] = e == 2 ? 20 : 40;
        }
        alpha[2][0] = 40;
        LatencyObjective lat = new LatencyObjective(1, tn, tn, 0);
        double derived = tn[0][4] + tn[1][3] + tn[3][4] + tn[4][2];
        assertEquals(2 * derived, lat.expectedMs(alpha, alpha), 1e-6); // the dropped edge keeps q ~ 1e-9
    }

    /**
     * Moving weight to none pays nothing: with the same alpha on every edge of each node, raising every edge's none
     * logit leaves the renormalised operations and the edges' relative strengths, hence E[lat], where they were
     * (summed over all edges and operations with none at 0 ms, E[lat] would fall by the none weight gained).
     */
    @Test
    void theLatencyCannotBePaidByMovingWeightToNone() {
        double[][] tn = table(5, 1);
        double[] row = {0.1, 0.5, -0.3, 0.2, 0.9};
        double[][] alpha = new double[5][];
        double[][] noneHeavy = new double[5][];
        for (int e = 0; e < 5; e++) {
            alpha[e] = row.clone();
            noneHeavy[e] = row.clone();
            noneHeavy[e][0] += 4;
        }
        LatencyObjective lat = new LatencyObjective(1, tn, tn, 0);
        assertEquals(lat.expectedMs(alpha, alpha), lat.expectedMs(noneHeavy, noneHeavy), 1e-12);
        assertTrue(DartsSearch.softmax(noneHeavy)[0][0] > 0.8, "none holds most of the weight");
    }

    @Test
    void aNegativeWeightOrAnEmptyTableIsRefused() {
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> new LatencyObjective(-0.5, table(5, 1), table(5, 1), 0));
        assertTrue(neg.getMessage().contains("latencyWeights") && neg.getMessage().contains("-0.5"), neg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LatencyObjective(1, table(5, 0), table(5, 0), 0));
        assertThrows(IllegalArgumentException.class, () -> new LatencyObjective(1, table(5, 1), table(4, 1), 0));
    }

    /**
     * On a task that only the (costly) separable convolution solves, a latency weight trades accuracy for latency:
     * the same seeded search ends with a clearly lower expected latency and a smaller weight on sep_conv_3x3 than
     * without the term, and a zero weight changes nothing at all.
     */
    @Test
    void aLatencyWeightMovesTheSearchTowardsCheaperOperations() {
        DartsSearchConfig cfg = DartsSearchTest.tiny(3, 3e-3, 1);
        double[][] tn = table(5, 1);
        double[][] tr = table(5, 2);
        List<DartsSearch.Epoch> plain;
        List<DartsSearch.Epoch> zero;
        List<DartsSearch.Epoch> heavy;
        try (DartsSearch s = new DartsSearch(cfg, DartsSearchTest.stripesSplit(), Device.cpu(), 1)) {
            plain = s.run(e -> { });
        }
        try (DartsSearch s = new DartsSearch(cfg, DartsSearchTest.stripesSplit(), Device.cpu(), 1, DataType.FLOAT32,
                Optional.of(new LatencyObjective(0, tn, tr, 0)))) {
            zero = s.run(e -> { });
        }
        try (DartsSearch s = new DartsSearch(cfg, DartsSearchTest.stripesSplit(), Device.cpu(), 1, DataType.FLOAT32,
                Optional.of(new LatencyObjective(5, tn, tr, 0)))) {
            heavy = s.run(e -> { });
        }
        DartsSearch.Epoch p = plain.get(plain.size() - 1);
        DartsSearch.Epoch z = zero.get(zero.size() - 1);
        DartsSearch.Epoch h = heavy.get(heavy.size() - 1);
        assertTrue(Double.isNaN(p.expectedLatencyMs()), "no latency objective, no expected latency");
        assertTrue(java.util.Arrays.deepEquals(p.alphaNormal(), z.alphaNormal()), "weight 0 is the plain search");
        LatencyObjective lat = new LatencyObjective(1, tn, tr, 0);
        double before = lat.expectedMs(p.alphaNormal(), p.alphaReduce());
        System.out.printf("expected latency: plain %.4f ms, weight 5 %.4f ms (uniform %.4f)%n", before,
                h.expectedLatencyMs(), lat.referenceMs());
        assertEquals(lat.expectedMs(h.alphaNormal(), h.alphaReduce()), h.expectedLatencyMs(), 1e-12);
        assertTrue(h.expectedLatencyMs() < 0.95 * before, "weight 5 lowers the expected latency: "
                + h.expectedLatencyMs() + " against " + before);
        double sepPlain = meanWeight(p.alphaNormal(), 4);
        double sepHeavy = meanWeight(h.alphaNormal(), 4);
        assertTrue(sepHeavy < sepPlain, "less weight on sep_conv_3x3: " + sepHeavy + " against " + sepPlain);
    }

    private static double meanWeight(double[][] alpha, int op) {
        double[][] w = DartsSearch.softmax(alpha);
        return java.util.Arrays.stream(w).mapToDouble(r -> r[op]).average().orElseThrow();
    }
}
