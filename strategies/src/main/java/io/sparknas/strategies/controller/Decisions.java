package io.sparknas.strategies.controller;

import io.sparknas.space.Operation;
import io.sparknas.space.SearchSpace;
import io.sparknas.space.darts.DartsCell;
import io.sparknas.space.darts.DartsEdge;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;

import java.util.ArrayList;
import java.util.List;

/**
 * A genotype as the sequence of discrete decisions a controller emits (NASNet/ENAS): NAS-Bench-201, the
 * operation of each of the 6 edges; DARTS, for each cell and each intermediate node k, its first input
 * (k options), first operation, second input (k - 1 options: never the first one again) and second operation.
 */
public final class Decisions<G> {
    private final int[] options;
    private final java.util.function.Function<int[], G> decode;

    private Decisions(int[] options, java.util.function.Function<int[], G> decode) {
        this.options = options;
        this.decode = decode;
    }

    /** Number of options of each decision, in emission order. */
    public int[] options() {
        return options.clone();
    }

    public G decode(int[] choices) {
        if (choices.length != options.length) {
            throw new IllegalArgumentException("expected " + options.length + " decisions, got " + choices.length);
        }
        for (int i = 0; i < choices.length; i++) {
            if (choices[i] < 0 || choices[i] >= options[i]) {
                throw new IllegalArgumentException("decision " + i + " must be in [0, " + options[i] + "), got " + choices[i]);
            }
        }
        return decode.apply(choices);
    }

    @SuppressWarnings("unchecked")
    public static <G> Decisions<G> of(SearchSpace<G> space) {
        if (space instanceof Nb201Space) {
            int[] options = new int[Nb201Cell.EDGES];
            java.util.Arrays.fill(options, Operation.NB201.size());
            return (Decisions<G>) new Decisions<Nb201Cell>(options, c -> {
                List<Operation> ops = new ArrayList<>();
                for (int choice : c) {
                    ops.add(Operation.NB201.get(choice));
                }
                return new Nb201Cell(ops);
            });
        }
        if (space instanceof DartsSpace darts) {
            List<Operation> ops = darts.ops();
            List<Integer> opts = new ArrayList<>();
            for (int cell = 0; cell < 2; cell++) {
                for (int node = 2; node < 2 + darts.nodes(); node++) {
                    opts.addAll(List.of(node, ops.size(), node - 1, ops.size()));
                }
            }
            int[] options = opts.stream().mapToInt(Integer::intValue).toArray();
            return (Decisions<G>) new Decisions<DartsGenotype>(options, c -> {
                DartsCell[] cells = new DartsCell[2];
                int i = 0;
                for (int cell = 0; cell < 2; cell++) {
                    List<DartsEdge> edges = new ArrayList<>();
                    for (int node = 2; node < 2 + darts.nodes(); node++) {
                        int first = c[i++];
                        Operation op1 = ops.get(c[i++]);
                        int second = c[i++];
                        Operation op2 = ops.get(c[i++]);
                        edges.add(new DartsEdge(op1, first));
                        edges.add(new DartsEdge(op2, second < first ? second : second + 1));
                    }
                    cells[cell] = DartsCell.of(edges);
                }
                return new DartsGenotype(cells[0], cells[1]);
            });
        }
        throw new IllegalArgumentException("no decision sequence for space " + space.name());
    }
}
