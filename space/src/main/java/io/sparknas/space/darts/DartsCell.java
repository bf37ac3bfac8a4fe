package io.sparknas.space.darts;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A discrete DARTS cell: nodes 0 and 1 are the cell's inputs (outputs of the two previous cells); each
 * intermediate node {@code i} (numbered from 2) sums exactly two edges from earlier nodes; the cell's output
 * concatenates the nodes listed in {@code concat}. Edges are stored two per node, in node order, as in
 * DARTS's genotype lists.
 */
public record DartsCell(List<DartsEdge> edges, List<Integer> concat) implements Serializable {
    public static final int MIN_NODES = 2;
    public static final int MAX_NODES = 6;

    public DartsCell {
        edges = List.copyOf(edges);
        concat = List.copyOf(concat);
        if (edges.size() % 2 != 0) {
            throw new IllegalArgumentException("a DARTS cell needs two edges per node, got " + edges.size() + " edges");
        }
        int nodes = edges.size() / 2;
        if (nodes < MIN_NODES || nodes > MAX_NODES) {
            throw new IllegalArgumentException("a DARTS cell has " + MIN_NODES + " to " + MAX_NODES
                    + " intermediate nodes, got " + nodes);
        }
        for (int k = 0; k < edges.size(); k++) {
            int node = 2 + k / 2;
            if (edges.get(k).input() >= node) {
                throw new IllegalArgumentException("edge " + k + " of node " + node + " reads node "
                        + edges.get(k).input() + "; a node may only read nodes 0.." + (node - 1));
            }
        }
        if (concat.isEmpty()) {
            throw new IllegalArgumentException("concat must name at least one node");
        }
        for (int c : concat) {
            if (c < 2 || c >= 2 + nodes) {
                throw new IllegalArgumentException("concat node " + c + " is not an intermediate node (2.."
                        + (1 + nodes) + ")");
            }
        }
    }

    /** A cell that concatenates all its intermediate nodes, as every DARTS search derives. */
    public static DartsCell of(List<DartsEdge> edges) {
        List<Integer> concat = new ArrayList<>();
        for (int i = 0; i < edges.size() / 2; i++) {
            concat.add(2 + i);
        }
        return new DartsCell(edges, concat);
    }

    public int nodes() {
        return edges.size() / 2;
    }

    /** The two edges of intermediate node {@code node} (2-based). */
    public List<DartsEdge> edgesOf(int node) {
        int k = 2 * (node - 2);
        return edges.subList(k, k + 2);
    }

    /** Copy with edge {@code k} replaced. */
    public DartsCell withEdge(int k, DartsEdge edge) {
        List<DartsEdge> copy = new ArrayList<>(edges);
        copy.set(k, edge);
        return new DartsCell(copy, concat);
    }
}
