package io.sparknas.space.darts;

import io.sparknas.space.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DerivationTest {
    private static final List<Operation> OPS = Operation.DARTS; // none, max, avg, skip, sep3, sep5, dil3, dil5

    /** Weights for 2 nodes (5 edges): row e puts {@code w} on op {@code ops[e]} and spreads the rest evenly. */
    private static double[][] weights(int[] ops, double[] w) {
        double[][] m = new double[ops.length][OPS.size()];
        for (int e = 0; e < ops.length; e++) {
            for (int k = 0; k < OPS.size(); k++) {
                m[e][k] = (1 - w[e]) / (OPS.size() - 1);
            }
            m[e][ops[e]] = w[e];
        }
        return m;
    }

    @Test
    void keepsTheTwoStrongestNonNoneEdgesPerNodeWithTheirBestOperation() {
        // node 2: inputs 0, 1; node 3: inputs 0, 1, 2. Edge 2 (node 3 from 0) is strongest on none: ignored.
        double[][] w = weights(new int[] {4, 3, 0, 6, 5}, new double[] {0.5, 0.4, 0.9, 0.3, 0.6});
        DartsCell cell = Derivation.cell(w, OPS, 2, -1);
        assertEquals(List.of(new DartsEdge(Operation.SEP_CONV_3X3, 0), new DartsEdge(Operation.SKIP_CONNECT, 1),
                new DartsEdge(Operation.SEP_CONV_5X5, 2), new DartsEdge(Operation.DIL_CONV_3X3, 1)), cell.edges());
    }

    @Test
    void theSkipCapReplacesTheWeakestSkipsWithTheirBestOtherOperation() {
        double[][] w = weights(new int[] {3, 3, 3, 3, 3}, new double[] {0.5, 0.6, 0.1, 0.7, 0.8});
        w[0][5] = 0.2; // edge 0's runner-up: sep_conv_5x5
        DartsCell free = Derivation.cell(w, OPS, 2, -1);
        assertEquals(4, Derivation.skips(free));
        DartsCell capped = Derivation.cell(w, OPS, 2, 2);
        assertEquals(2, Derivation.skips(capped));
        // node 2 keeps inputs 1 (0.6) and 0 (0.5); node 3 inputs 2 (0.8) and 1 (0.7). The two weakest skips go:
        assertEquals(new DartsEdge(Operation.SEP_CONV_5X5, 0), capped.edges().get(1)); // 0.5, its runner-up
        assertEquals(new DartsEdge(Operation.MAX_POOL_3X3, 1), capped.edges().get(0)); // 0.6, a tie: first op
        assertEquals(List.of(new DartsEdge(Operation.SKIP_CONNECT, 2), new DartsEdge(Operation.SKIP_CONNECT, 1)),
                capped.edges().subList(2, 4)); // the strongest stay
        assertEquals(0, Derivation.skips(Derivation.cell(w, OPS, 2, 0)));
    }

    @Test
    void aWrongNumberOfWeightRowsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Derivation.cell(new double[4][8], OPS, 2, -1));
    }

    /**
     * DARTS's default: 4 intermediate nodes (14 edges), both cells, with and without the guard (maxSkips = 1), every
     * edge worked out by hand. Ops by index: 0 none, 1 max, 2 avg, 3 skip, 4 sep3, 5 sep5, 6 dil3, 7 dil5; rows node
     * by node (node 2: inputs 0-1, node 3: 0-2, node 4: 0-3, node 5: 0-4).
     */
    @Test
    void fourNodesBothCellsWithAndWithoutTheGuardAsWorkedOutByHand() {
        double[][] normal = weights(new int[] {3, 4, 0, 3, 6, 5, 3, 2, 3, 7, 1, 3, 4, 5},
                new double[] {0.6, 0.5, 0.9, 0.7, 0.4, 0.35, 0.65, 0.3, 0.55, 0.45, 0.2, 0.8, 0.25, 0.75});
        normal[0][5] = 0.25; // runners-up of the skips the guard removes
        normal[3][4] = 0.1;
        normal[6][2] = 0.15;
        normal[8][6] = 0.2;
        double[][] reduce = weights(new int[] {1, 2, 5, 0, 7, 3, 4, 0, 6, 1, 4, 2, 3, 0},
                new double[] {0.5, 0.45, 0.3, 0.95, 0.6, 0.4, 0.7, 0.99, 0.35, 0.3, 0.33, 0.31, 0.9, 0.97});
        reduce[5][5] = 0.3;
        // unguarded: each node keeps its two strongest inputs (none never counts), strongest first
        DartsGenotype unguarded = Derivation.genotype(normal, reduce, OPS, 4, -1);
        assertEquals(DartsText.parse("Genotype(normal=[('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 1), "
                + "('dil_conv_3x3', 2), ('skip_connect', 1), ('skip_connect', 3), ('skip_connect', 2), ('sep_conv_5x5', 4)], "
                + "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('avg_pool_3x3', 1), ('dil_conv_5x5', 2), "
                + "('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 3), ('sep_conv_3x3', 1)], "
                + "reduce_concat=[2, 3, 4, 5])"), unguarded);
        assertEquals(5, Derivation.skips(unguarded.normal()));
        assertEquals(2, Derivation.skips(unguarded.reduce()));
        // guarded: the weakest skips (normal 0.55, 0.6, 0.65, 0.7; reduce 0.4) take their runner-up, in place
        DartsGenotype guarded = Derivation.genotype(normal, reduce, OPS, 4, 1);
        assertEquals(DartsText.parse("Genotype(normal=[('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), "
                + "('dil_conv_3x3', 2), ('avg_pool_3x3', 1), ('dil_conv_3x3', 3), ('skip_connect', 2), ('sep_conv_5x5', 4)], "
                + "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('avg_pool_3x3', 1), ('dil_conv_5x5', 2), "
                + "('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('sep_conv_5x5', 0), ('skip_connect', 3), ('sep_conv_3x3', 1)], "
                + "reduce_concat=[2, 3, 4, 5])"), guarded);
        assertEquals(1, Derivation.skips(guarded.normal()));
        assertEquals(1, Derivation.skips(guarded.reduce()));
    }
}
