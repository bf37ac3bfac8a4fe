package io.sparknas.space.latency;

import io.sparknas.space.Operation;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsEdge;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.DartsSpace;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DartsOpsTest {
    private static final DartsNetworkConfig NET = new DartsNetworkConfig(1, 16, 10, 8, 5, 3);
    private static final List<Operation> OPS = Operation.DARTS;

    /** A table giving every instance a distinct latency derived from its fields. */
    static LatencyPredictor syntheticTable() {
        Map<OpInstance, Double> t = new HashMap<>();
        for (OpInstance i : DartsOps.distinct(NET, OPS)) {
            t.put(i, 0.01 * (1 + Operation.DARTS.indexOf(Operation.fromText(i.op()))) * i.channelsIn() * i.size()
                    / (10.0 * i.stride()));
        }
        return new LatencyPredictor(t, 0.5);
    }

    @Test
    void aNetworkRunsOneInstancePerNonNoneEdgeAndCellWithStrideTwoOnlyFromAReductionCellsInputs() {
        DartsGenotype g = DartsGenotype.DARTS_V2;
        List<OpInstance> ops = DartsOps.of(g, NET);
        assertEquals(8 * 5, ops.size(), "8 edges in each of 5 cells");
        // layers 5: reductions at cells 1 and 3; C 8 -> 16 -> 32; sides 16 -> 8 -> 4
        long strided = ops.stream().filter(o -> o.stride() == 2).count();
        long fromInputs = g.reduce().edges().stream().filter(e -> e.input() < 2).count();
        assertEquals(2 * fromInputs, strided);
        assertTrue(ops.stream().filter(o -> o.stride() == 2).allMatch(o -> o.channelsIn() == 16 && o.size() == 16
                || o.channelsIn() == 32 && o.size() == 8), ops.toString());
        assertTrue(ops.stream().anyMatch(o -> o.channelsIn() == 32 && o.size() == 4 && o.stride() == 1));
    }

    @Test
    void theDistinctInstancesCoverEveryRandomNetwork() {
        var distinct = new HashSet<>(DartsOps.distinct(NET, OPS));
        DartsSpace space = new DartsSpace();
        SeededRandom rng = new SeededRandom(5);
        for (int i = 0; i < 200; i++) {
            assertTrue(distinct.containsAll(DartsOps.of(space.sample(rng), NET)));
        }
        assertTrue(distinct.stream().noneMatch(o -> o.op().equals("none")));
    }

    /**
     * The supernet's expected latency at one-hot weights on a derived genotype's edges (and {@code none} on the
     * others) is the prediction for that genotype's network less the constant: the matrices and the derived network
     * agree.
     */
    @Test
    void theEdgeMatricesAtOneHotWeightsGiveTheDerivedNetworksPredictionLessTheConstant() {
        // a calibrated predictor: the matrices count each kind's factor as the prediction does
        LatencyPredictor table = new LatencyPredictor(syntheticTable().table(), 0.5,
                Map.of("sep_conv_3x3", 0.8, "max_pool_3x3", 1.5));
        DartsSpace space = new DartsSpace();
        SeededRandom rng = new SeededRandom(9);
        double[][] mn = DartsOps.edgeMatrix(table, NET, OPS, 4, false);
        double[][] mr = DartsOps.edgeMatrix(table, NET, OPS, 4, true);
        assertEquals(14, mn.length);
        for (int trial = 0; trial < 20; trial++) {
            DartsGenotype g = space.sample(rng);
            double expected = oneHot(mn, g.normal().edges()) + oneHot(mr, g.reduce().edges());
            assertEquals(table.predict(DartsOps.of(g, NET)) - table.constant(), expected, 1e-9);
        }
    }

    @Test
    void aTableWithoutAnInstanceIsRefusedNamingIt() {
        LatencyPredictor small = new LatencyPredictor(Map.of(new OpInstance("sep_conv_3x3", 8, 8, 16, 1), 1.0), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DartsOps.edgeMatrix(small, NET, OPS, 4, false));
        assertTrue(e.getMessage().contains("no entry for") && e.getMessage().contains("profile"), e.getMessage());
    }

    /** Sum over the supernet's edges of the matrix entry of each genotype edge's op (edges node by node). */
    private static double oneHot(double[][] m, List<DartsEdge> edges) {
        double s = 0;
        for (int k = 0; k < edges.size(); k++) {
            int node = k / 2;
            int offset = node * (node + 3) / 2; // edges of nodes before this one: 2 + 3 + ... 
            DartsEdge e = edges.get(k);
            s += m[offset + e.input()][OPS.indexOf(e.op())];
        }
        return s;
    }
}
