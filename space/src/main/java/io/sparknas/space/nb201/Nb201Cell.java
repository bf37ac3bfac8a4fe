package io.sparknas.space.nb201;

import io.sparknas.space.Operation;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A NAS-Bench-201 cell (Dong and Yang, ICLR 2020): four nodes, node 0 the input, node 3 the output, and an
 * operation on every edge i&lt;j. Edges are stored in the benchmark's string order:
 * (1&lt;-0), (2&lt;-0), (2&lt;-1), (3&lt;-0), (3&lt;-1), (3&lt;-2). Each node sums its incoming edges.
 */
public record Nb201Cell(List<Operation> ops) implements Serializable {
    public static final int EDGES = 6;
    /** Source node of each edge, in storage order. */
    static final int[] FROM = {0, 0, 1, 0, 1, 2};
    /** Target node of each edge, in storage order. */
    static final int[] TO = {1, 2, 2, 3, 3, 3};

    public Nb201Cell {
        ops = List.copyOf(ops);
        if (ops.size() != EDGES) {
            throw new IllegalArgumentException("a NAS-Bench-201 cell has " + EDGES + " edges, got " + ops.size());
        }
        for (Operation op : ops) {
            if (!Operation.NB201.contains(op)) {
                throw new IllegalArgumentException("'" + op.text() + "' is not a NAS-Bench-201 operation; allowed: "
                        + Operation.NB201.stream().map(Operation::text).toList());
            }
        }
    }

    /** The operation on the edge from node {@code from} to node {@code to}. */
    public Operation op(int from, int to) {
        for (int k = 0; k < EDGES; k++) {
            if (FROM[k] == from && TO[k] == to) {
                return ops.get(k);
            }
        }
        throw new IllegalArgumentException("no edge " + from + "->" + to + " in a NAS-Bench-201 cell");
    }

    public Nb201Cell withOp(int edge, Operation op) {
        List<Operation> copy = new ArrayList<>(ops);
        copy.set(edge, op);
        return new Nb201Cell(copy);
    }

    /** The benchmark's string, e.g. {@code |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|...|}. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < EDGES; k++) {
            if (k == 1 || k == 3) {
                sb.append('+');
            }
            sb.append('|').append(ops.get(k).text()).append('~').append(FROM[k]);
            if (k == 0 || k == 2 || k == 5) {
                sb.append('|');
            }
        }
        return sb.toString();
    }

    /** Parses the benchmark's string form, naming the part that is wrong. */
    public static Nb201Cell parse(String text) {
        String form = " (form: |op~0|+|op~0|op~1|+|op~0|op~1|op~2|)";
        String[] nodes = text == null ? new String[0] : text.strip().split("\\+", -1);
        if (nodes.length != 3) {
            throw new IllegalArgumentException("invalid NAS-Bench-201 cell '" + text + "': expected 3 nodes separated by '+', got "
                    + nodes.length + form);
        }
        List<Operation> ops = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            String node = nodes[n];
            if (!node.startsWith("|") || !node.endsWith("|") || node.length() < 2) {
                throw new IllegalArgumentException("invalid NAS-Bench-201 cell '" + text + "': node " + (n + 1)
                        + " '" + node + "' must be enclosed in '|'" + form);
            }
            String[] edges = node.substring(1, node.length() - 1).split("\\|", -1);
            if (edges.length != n + 1) {
                throw new IllegalArgumentException("invalid NAS-Bench-201 cell '" + text + "': node " + (n + 1)
                        + " needs " + (n + 1) + " edges, got " + edges.length + form);
            }
            for (int j = 0; j < edges.length; j++) {
                String[] opIn = edges[j].split("~", -1);
                if (opIn.length != 2 || !opIn[1].equals(String.valueOf(j))) {
                    throw new IllegalArgumentException("invalid NAS-Bench-201 cell '" + text + "': edge '" + edges[j]
                            + "' of node " + (n + 1) + " must be 'op~" + j + "'" + form);
                }
                ops.add(Operation.fromText(opIn[0]));
            }
        }
        return new Nb201Cell(ops);
    }

    /** Position in the natural enumeration (edge 0 most significant, ops in {@link Operation#NB201} order). */
    public int ordinal() {
        int index = 0;
        for (Operation op : ops) {
            index = index * Operation.NB201.size() + Operation.NB201.indexOf(op);
        }
        return index;
    }

    /** Inverse of {@link #ordinal()}: 0..15624. */
    public static Nb201Cell fromOrdinal(int ordinal) {
        int size = Operation.NB201.size();
        int total = (int) Math.pow(size, EDGES);
        if (ordinal < 0 || ordinal >= total) {
            throw new IllegalArgumentException("NAS-Bench-201 ordinal must be in [0, " + (total - 1) + "], got " + ordinal);
        }
        Operation[] ops = new Operation[EDGES];
        for (int k = EDGES - 1; k >= 0; k--) {
            ops[k] = Operation.NB201.get(ordinal % size);
            ordinal /= size;
        }
        return new Nb201Cell(List.of(ops));
    }

    @Override
    public String toString() {
        return text();
    }
}
