package io.sparknas.space.darts;

import io.sparknas.space.Keys;
import io.sparknas.space.Operation;
import io.sparknas.space.SearchSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The DARTS cell space (Liu et al. 2019): a normal and a reduction cell, each with {@code nodes} intermediate
 * nodes that sum two edges from distinct earlier nodes, every edge one of {@code ops}. Discrete genotypes
 * use DARTS's primitives without {@code none} by default, as DARTS's derivation does.
 *
 * <p>Canonical key: a node's two edges are unordered (their sum commutes), so they are sorted; concat lists
 * are sorted. Further isomorphisms (renumbering intermediate nodes) are not collapsed.
 */
public final class DartsSpace implements SearchSpace<DartsGenotype> {
    public static final String NAME = "darts";
    public static final List<Operation> DEFAULT_OPS = Operation.DARTS.stream()
            .filter(op -> op != Operation.NONE).toList();

    private final List<Operation> ops;
    private final int nodes;

    public DartsSpace(List<Operation> ops, int nodes) {
        if (nodes < DartsCell.MIN_NODES || nodes > DartsCell.MAX_NODES) {
            throw new IllegalArgumentException("nodes must be in [" + DartsCell.MIN_NODES + ", " + DartsCell.MAX_NODES
                    + "], got " + nodes);
        }
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("ops must name at least one operation");
        }
        for (Operation op : ops) {
            if (!Operation.DARTS.contains(op)) {
                throw new IllegalArgumentException("ops: '" + op.text() + "' is not a DARTS operation; allowed: "
                        + Operation.DARTS.stream().map(Operation::text).collect(Collectors.joining(", ")));
            }
        }
        this.ops = List.copyOf(ops);
        this.nodes = nodes;
    }

    /** The DARTS paper's space: 4 nodes, the 7 non-{@code none} primitives. */
    public DartsSpace() {
        this(DEFAULT_OPS, 4);
    }

    public List<Operation> ops() {
        return ops;
    }

    public int nodes() {
        return nodes;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DartsGenotype sample(Random rng) {
        return new DartsGenotype(sampleCell(rng), sampleCell(rng));
    }

    private DartsCell sampleCell(Random rng) {
        List<DartsEdge> edges = new ArrayList<>();
        for (int node = 2; node < 2 + nodes; node++) {
            int a = rng.nextInt(node);
            int b = rng.nextInt(node - 1);
            if (b >= a) {
                b++;
            }
            edges.add(new DartsEdge(ops.get(rng.nextInt(ops.size())), a));
            edges.add(new DartsEdge(ops.get(rng.nextInt(ops.size())), b));
        }
        return DartsCell.of(edges);
    }

    @Override
    public DartsGenotype mutate(DartsGenotype parent, Random rng) {
        check(parent);
        boolean normal = rng.nextBoolean();
        DartsCell cell = normal ? parent.normal() : parent.reduce();
        DartsCell mutated = rng.nextBoolean() ? rewire(cell, rng) : null;
        if (mutated == null) {
            mutated = changeOp(cell, rng);
        }
        if (mutated == null) {
            mutated = rewire(cell, rng);
        }
        if (mutated == null) {
            throw new IllegalStateException("no mutation exists for " + DartsText.format(parent) + " in " + this);
        }
        return normal ? new DartsGenotype(mutated, parent.reduce()) : new DartsGenotype(parent.normal(), mutated);
    }

    private DartsCell changeOp(DartsCell cell, Random rng) {
        if (ops.size() < 2) {
            return null;
        }
        int k = rng.nextInt(cell.edges().size());
        DartsEdge e = cell.edges().get(k);
        List<Operation> others = ops.stream().filter(op -> op != e.op()).toList();
        return cell.withEdge(k, new DartsEdge(others.get(rng.nextInt(others.size())), e.input()));
    }

    private DartsCell rewire(DartsCell cell, Random rng) {
        List<int[]> moves = rewires(cell);
        if (moves.isEmpty()) {
            return null;
        }
        int[] m = moves.get(rng.nextInt(moves.size()));
        return cell.withEdge(m[0], new DartsEdge(cell.edges().get(m[0]).op(), m[1]));
    }

    /** Every (edge index, new input) that keeps the node's two inputs distinct and changes the edge. */
    private static List<int[]> rewires(DartsCell cell) {
        List<int[]> moves = new ArrayList<>();
        for (int k = 0; k < cell.edges().size(); k++) {
            int node = 2 + k / 2;
            int own = cell.edges().get(k).input();
            int sibling = cell.edges().get(k ^ 1).input();
            for (int in = 0; in < node; in++) {
                if (in != own && in != sibling) {
                    moves.add(new int[] {k, in});
                }
            }
        }
        return moves;
    }

    @Override
    public DartsGenotype crossover(DartsGenotype a, DartsGenotype b, Random rng) {
        check(a);
        check(b);
        List<List<DartsEdge>> na = nodeList(a);
        List<List<DartsEdge>> nb = nodeList(b);
        List<List<DartsEdge>> child = new ArrayList<>();
        if (rng.nextBoolean()) {
            for (int i = 0; i < na.size(); i++) {
                child.add(rng.nextBoolean() ? na.get(i) : nb.get(i));
            }
        } else {
            int cut = 1 + rng.nextInt(na.size() - 1);
            for (int i = 0; i < na.size(); i++) {
                child.add(i < cut ? na.get(i) : nb.get(i));
            }
        }
        List<DartsEdge> normal = new ArrayList<>();
        List<DartsEdge> reduce = new ArrayList<>();
        for (int i = 0; i < child.size(); i++) {
            (i < nodes ? normal : reduce).addAll(child.get(i));
        }
        return new DartsGenotype(DartsCell.of(normal), DartsCell.of(reduce));
    }

    private List<List<DartsEdge>> nodeList(DartsGenotype g) {
        List<List<DartsEdge>> list = new ArrayList<>();
        for (DartsCell cell : List.of(g.normal(), g.reduce())) {
            for (int node = 2; node < 2 + nodes; node++) {
                list.add(cell.edgesOf(node));
            }
        }
        return list;
    }

    @Override
    public List<DartsGenotype> neighbours(DartsGenotype g) {
        check(g);
        List<DartsGenotype> out = new ArrayList<>();
        for (boolean normal : new boolean[] {true, false}) {
            DartsCell cell = normal ? g.normal() : g.reduce();
            List<DartsCell> cells = new ArrayList<>();
            for (int k = 0; k < cell.edges().size(); k++) {
                DartsEdge e = cell.edges().get(k);
                for (Operation op : ops) {
                    if (op != e.op()) {
                        cells.add(cell.withEdge(k, new DartsEdge(op, e.input())));
                    }
                }
            }
            for (int[] m : rewires(cell)) {
                cells.add(cell.withEdge(m[0], new DartsEdge(cell.edges().get(m[0]).op(), m[1])));
            }
            for (DartsCell c : cells) {
                out.add(normal ? new DartsGenotype(c, g.reduce()) : new DartsGenotype(g.normal(), c));
            }
        }
        return out;
    }

    /** The canonical text behind {@link #canonicalKey}: each node's edges and each concat list sorted. */
    public static String canonicalText(DartsGenotype g) {
        return "normal=" + canonicalCell(g.normal()) + ";reduce=" + canonicalCell(g.reduce());
    }

    private static String canonicalCell(DartsCell cell) {
        StringBuilder sb = new StringBuilder();
        for (int node = 2; node < 2 + cell.nodes(); node++) {
            List<DartsEdge> pair = new ArrayList<>(cell.edgesOf(node));
            pair.sort(null);
            sb.append(pair.stream().map(e -> e.op().text() + "~" + e.input()).collect(Collectors.joining("+")))
                    .append('|');
        }
        return sb.append(cell.concat().stream().sorted().distinct().map(String::valueOf)
                .collect(Collectors.joining(",", "concat(", ")"))).toString();
    }

    @Override
    public String canonicalKey(DartsGenotype g) {
        return Keys.of(canonicalText(g));
    }

    @Override
    public String format(DartsGenotype g) {
        return DartsText.format(g);
    }

    @Override
    public DartsGenotype parse(String text) {
        DartsGenotype g = text.strip().startsWith("{") ? DartsJson.parse(text) : DartsText.parse(text);
        check(g);
        return g;
    }

    /**
     * One-hot encoding: for each cell, each intermediate node and each possible input node, one slot per
     * operation (all zero where that input is not used).
     */
    @Override
    public double[] encode(DartsGenotype g) {
        int perCell = 0;
        for (int node = 2; node < 2 + nodes; node++) {
            perCell += node * ops.size();
        }
        double[] v = new double[2 * perCell];
        int base = 0;
        for (DartsCell cell : List.of(g.normal(), g.reduce())) {
            int offset = base;
            for (int node = 2; node < 2 + nodes; node++) {
                for (DartsEdge e : cell.edgesOf(node)) {
                    int slot = ops.indexOf(e.op());
                    if (slot >= 0) {
                        v[offset + e.input() * ops.size() + slot] = 1;
                    }
                }
                offset += node * ops.size();
            }
            base += perCell;
        }
        return v;
    }

    /** Throws when {@code g} is outside this space (node count or an operation not offered). */
    public void check(DartsGenotype g) {
        for (DartsCell cell : List.of(g.normal(), g.reduce())) {
            if (cell.nodes() != nodes) {
                throw new IllegalArgumentException("genotype has " + cell.nodes() + " intermediate nodes per cell;"
                        + " this space has " + nodes);
            }
            for (DartsEdge e : cell.edges()) {
                if (!ops.contains(e.op())) {
                    throw new IllegalArgumentException("operation '" + e.op().text() + "' is not in this space's ops "
                            + ops.stream().map(Operation::text).toList());
                }
            }
        }
    }

    @Override
    public String toString() {
        return "DartsSpace(nodes=" + nodes + ", ops=" + ops.stream().map(Operation::text).toList() + ")";
    }
}
