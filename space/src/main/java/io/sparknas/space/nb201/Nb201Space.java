package io.sparknas.space.nb201;

import io.sparknas.space.Keys;
import io.sparknas.space.Operation;
import io.sparknas.space.SearchSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The NAS-Bench-201 topology space: 5^6 = 15,625 cells. A mutation changes one edge's operation (setting
 * or clearing {@code none} is how an edge is rewired here); crossover is uniform per node or one-point over
 * the three nodes.
 *
 * <p>Identity: {@link #canonicalKey} is the function the cell computes: each node's expression with zeros as
 * '#', skip connections inlined, sums sorted and zero terms dropped from sums. 15,625 cells collapse to 5,390
 * keys. NAS-Bench-201's own rule ({@code to_unique_str(consider_zero=True)}, {@link #uniqueString}) keeps zero
 * terms in sums ("#+0" differs from "0"), so it separates cells that compute the same function and counts 6,466;
 * the stricter key saves evaluations (a strategy never re-evaluates a function it has seen) and is what the
 * benchmarks use.
 */
public final class Nb201Space implements SearchSpace<Nb201Cell> {
    public static final String NAME = "nb201";
    /** Number of cells in the space. */
    public static final int SIZE = 15_625;

    private static final List<Operation> OPS = Operation.NB201;
    private static final List<Operation> PATH_OPS = OPS.subList(1, OPS.size());

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Nb201Cell sample(Random rng) {
        return Nb201Cell.fromOrdinal(rng.nextInt(SIZE));
    }

    @Override
    public Nb201Cell mutate(Nb201Cell parent, Random rng) {
        int edge = rng.nextInt(Nb201Cell.EDGES);
        Operation current = parent.ops().get(edge);
        int pick = rng.nextInt(OPS.size() - 1);
        if (pick >= OPS.indexOf(current)) {
            pick++;
        }
        return parent.withOp(edge, OPS.get(pick));
    }

    @Override
    public Nb201Cell crossover(Nb201Cell a, Nb201Cell b, Random rng) {
        int[][] nodes = {{0}, {1, 2}, {3, 4, 5}};
        boolean[] fromA = new boolean[3];
        if (rng.nextBoolean()) {
            for (int n = 0; n < 3; n++) {
                fromA[n] = rng.nextBoolean();
            }
        } else {
            int cut = 1 + rng.nextInt(2);
            for (int n = 0; n < 3; n++) {
                fromA[n] = n < cut;
            }
        }
        Operation[] ops = new Operation[Nb201Cell.EDGES];
        for (int n = 0; n < 3; n++) {
            for (int k : nodes[n]) {
                ops[k] = (fromA[n] ? a : b).ops().get(k);
            }
        }
        return new Nb201Cell(List.of(ops));
    }

    @Override
    public List<Nb201Cell> neighbours(Nb201Cell cell) {
        List<Nb201Cell> out = new ArrayList<>();
        for (int k = 0; k < Nb201Cell.EDGES; k++) {
            for (Operation op : OPS) {
                if (op != cell.ops().get(k)) {
                    out.add(cell.withOp(k, op));
                }
            }
        }
        return out;
    }

    /** NAS-Bench-201's unique string: the output node's expression, zeros as '#', skips inlined, sums sorted. */
    public static String uniqueString(Nb201Cell cell) {
        return expression(cell, false);
    }

    /** Like {@link #uniqueString} but a zero term is dropped from a sum (a sum of only zeros is zero). */
    public static String functionalString(Nb201Cell cell) {
        return expression(cell, true);
    }

    private static String expression(Nb201Cell cell, boolean dropZeros) {
        String[] node = new String[4];
        node[0] = "0";
        for (int target = 1; target < 4; target++) {
            List<String> terms = new ArrayList<>();
            for (int source = 0; source < target; source++) {
                Operation op = cell.op(source, target);
                String in = node[source];
                if (op == Operation.NONE || in.equals("#")) {
                    terms.add("#");
                } else if (op == Operation.SKIP_CONNECT) {
                    terms.add(in);
                } else {
                    terms.add("(" + in + ")@" + op.text());
                }
            }
            if (dropZeros) {
                terms.removeIf("#"::equals);
                if (terms.isEmpty()) {
                    terms.add("#");
                }
            }
            terms.sort(null);
            node[target] = String.join("+", terms);
        }
        return node[3];
    }

    @Override
    public String canonicalKey(Nb201Cell cell) {
        return Keys.of(functionalString(cell));
    }

    /** The key under NAS-Bench-201's own rule (6,466 classes). */
    public String benchmarkKey(Nb201Cell cell) {
        return Keys.of(uniqueString(cell));
    }

    @Override
    public String format(Nb201Cell cell) {
        return cell.text();
    }

    @Override
    public Nb201Cell parse(String text) {
        return Nb201Cell.parse(text);
    }

    /** One-hot operation per edge (6 x 5 = 30 values) followed by the path encoding (84 values). */
    @Override
    public double[] encode(Nb201Cell cell) {
        double[] v = new double[Nb201Cell.EDGES * OPS.size() + 84];
        for (int k = 0; k < Nb201Cell.EDGES; k++) {
            v[k * OPS.size() + OPS.indexOf(cell.ops().get(k))] = 1;
        }
        double[] paths = pathEncoding(cell);
        System.arraycopy(paths, 0, v, Nb201Cell.EDGES * OPS.size(), paths.length);
        return v;
    }

    /** Adjacency of the DAG: a[i][j] = 1 when edge i-&gt;j carries an operation other than {@code none}. */
    public static int[][] adjacency(Nb201Cell cell) {
        int[][] a = new int[4][4];
        for (int k = 0; k < Nb201Cell.EDGES; k++) {
            if (cell.ops().get(k) != Operation.NONE) {
                a[Nb201Cell.FROM[k]][Nb201Cell.TO[k]] = 1;
            }
        }
        return a;
    }

    /**
     * Path encoding (White et al., BANANAS 2021): one bit per sequence of non-{@code none} operations along
     * an input-to-output path: 4 + 4^2 + 4^3 = 84 bits.
     */
    public static double[] pathEncoding(Nb201Cell cell) {
        double[] v = new double[4 + 16 + 64];
        collectPaths(cell, 0, 0, 0, v);
        return v;
    }

    private static void collectPaths(Nb201Cell cell, int node, int length, int code, double[] v) {
        if (node == 3) {
            int offset = length == 1 ? 0 : length == 2 ? 4 : 20;
            v[offset + code] = 1;
            return;
        }
        for (int next = node + 1; next < 4; next++) {
            Operation op = cell.op(node, next);
            if (op != Operation.NONE) {
                collectPaths(cell, next, length + 1, code * 4 + PATH_OPS.indexOf(op), v);
            }
        }
    }

    /** All cells in natural order. */
    public static List<Nb201Cell> all() {
        List<Nb201Cell> out = new ArrayList<>(SIZE);
        for (int i = 0; i < SIZE; i++) {
            out.add(Nb201Cell.fromOrdinal(i));
        }
        return out;
    }

    @Override
    public String toString() {
        return "Nb201Space(ops=" + OPS.stream().map(Operation::text).collect(Collectors.joining(",")) + ")";
    }
}
