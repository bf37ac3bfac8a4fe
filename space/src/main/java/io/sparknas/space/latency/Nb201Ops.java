package io.sparknas.space.latency;

import io.sparknas.space.Operation;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The operation instances of a NAS-Bench-201 network: every edge of every cell, at its stage's channels and side
 * (the stem, the reduction blocks and the classifier are the same in every network: a latency predictor's constant).
 * {@code none} edges are kept: the network multiplies their input by zero (as NAS-Bench-201's own {@code Zero} does),
 * a kernel call that costs as much as a small element-wise operation, so a cell with more of them is not faster.
 */
public final class Nb201Ops {
    private Nb201Ops() {
    }

    /** The instances a network of {@code cell} runs, one per edge and cell (repeats included). */
    public static List<OpInstance> of(Nb201Cell cell, Nb201NetworkConfig cfg) {
        List<OpInstance> out = new ArrayList<>();
        int c = cfg.channels();
        int size = cfg.inputSize();
        for (int stage = 0; stage < 3; stage++) {
            if (stage > 0) {
                c *= 2;
                size /= 2;
            }
            for (int i = 0; i < cfg.cellsPerStage(); i++) {
                for (Operation op : cell.ops()) {
                    out.add(new OpInstance(op.text(), c, c, size, 1));
                }
            }
        }
        return out;
    }

    /** Every distinct instance any network of the space runs at {@code cfg}: what a latency table must time. */
    public static List<OpInstance> distinct(Nb201NetworkConfig cfg) {
        Set<OpInstance> all = new LinkedHashSet<>();
        for (Operation op : Operation.NB201) {
            all.addAll(of(new Nb201Cell(List.of(op, op, op, op, op, op)), cfg));
        }
        return List.copyOf(all);
    }
}
