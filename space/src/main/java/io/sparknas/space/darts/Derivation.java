package io.sparknas.space.darts;

import io.sparknas.space.Operation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * DARTS's derivation of a discrete cell from the edge weights softmax(alpha) of shape (edges, ops), edges numbered
 * node by node and input by input: every intermediate node keeps the two incoming edges whose strongest
 * operation other than {@code none} is strongest, with that operation.
 *
 * <p>Collapse guard ({@code maxSkips >= 0}): DARTS tends to fill cells with parameter-free skip connections as
 * search goes on (Zela et al. 2020; P-DARTS). Like P-DARTS, while a cell has more than {@code maxSkips} skip
 * connections, the one with the weakest skip weight takes its best operation other than {@code none} and skip.
 */
public final class Derivation {
    private Derivation() {
    }

    public static DartsGenotype genotype(double[][] normal, double[][] reduce, List<Operation> ops, int nodes,
                                         int maxSkips) {
        return new DartsGenotype(cell(normal, ops, nodes, maxSkips), cell(reduce, ops, nodes, maxSkips));
    }

    public static DartsCell cell(double[][] weights, List<Operation> ops, int nodes, int maxSkips) {
        int expected = nodes * (nodes + 3) / 2;
        if (weights.length != expected) {
            throw new IllegalArgumentException("a cell with " + nodes + " nodes has " + expected + " edges, got "
                    + weights.length + " weight rows");
        }
        List<DartsEdge> edges = new ArrayList<>();
        List<Integer> rows = new ArrayList<>(); // weight row of each kept edge
        int row = 0;
        for (int node = 0; node < nodes; node++) {
            int inputs = node + 2;
            Integer[] order = new Integer[inputs];
            for (int j = 0; j < inputs; j++) {
                order[j] = j;
            }
            final int first = row;
            Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -weights[first + j][best(weights[first + j],
                    ops, false)]).thenComparingInt(j -> j));
            for (int k = 0; k < 2; k++) {
                int j = order[k];
                edges.add(new DartsEdge(ops.get(best(weights[first + j], ops, false)), j));
                rows.add(first + j);
            }
            row += inputs;
        }
        if (maxSkips >= 0) {
            capSkips(edges, rows, weights, ops, maxSkips);
        }
        return DartsCell.of(edges);
    }

    private static void capSkips(List<DartsEdge> edges, List<Integer> rows, double[][] weights, List<Operation> ops,
                                 int maxSkips) {
        int skip = ops.indexOf(Operation.SKIP_CONNECT);
        while (true) {
            int weakest = -1;
            int count = 0;
            for (int e = 0; e < edges.size(); e++) {
                if (edges.get(e).op() == Operation.SKIP_CONNECT) {
                    count++;
                    if (weakest < 0 || weights[rows.get(e)][skip] < weights[rows.get(weakest)][skip]) {
                        weakest = e;
                    }
                }
            }
            if (count <= maxSkips) {
                return;
            }
            int replacement = best(weights[rows.get(weakest)], ops, true);
            if (replacement < 0) {
                throw new IllegalArgumentException("dartsSearch.maxSkips: no operation other than none and skip_connect "
                        + "to replace a skip connection with; offer one in space.ops or set maxSkips = -1");
            }
            edges.set(weakest, new DartsEdge(ops.get(replacement), edges.get(weakest).input()));
        }
    }

    /** Index of the strongest operation other than none (and other than skip if {@code noSkip}); -1 if none. */
    private static int best(double[] w, List<Operation> ops, boolean noSkip) {
        int best = -1;
        for (int k = 0; k < w.length; k++) {
            Operation op = ops.get(k);
            if (op == Operation.NONE || (noSkip && op == Operation.SKIP_CONNECT)) {
                continue;
            }
            if (best < 0 || w[k] > w[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Skip connections in a cell. */
    public static int skips(DartsCell cell) {
        return (int) cell.edges().stream().filter(e -> e.op() == Operation.SKIP_CONNECT).count();
    }
}
