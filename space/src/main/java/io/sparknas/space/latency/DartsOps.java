package io.sparknas.space.latency;

import io.sparknas.space.Operation;
import io.sparknas.space.darts.DartsCell;
import io.sparknas.space.darts.DartsEdge;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The operation instances of a DARTS network, cell by cell as {@link DartsNetworkConfig} lays it out: every edge at
 * its cell's channels, at the side of the map it reads, with stride 2 on a reduction cell's edges from the cell's
 * inputs. The stem, the preprocessing of each cell's inputs and the classifier are the same in every network of a
 * configuration (a latency predictor's constant); {@code none} computes nothing and is left out.
 *
 * <p>For latency-aware DARTS the same layout gives, per cell type, a matrix edges x operations of the table's
 * latency summed over the network's cells of that type: the supernet's expected latency is then
 * {@code sum(softmax(alpha) * matrix)} (FBNet, ProxylessNAS).
 */
public final class DartsOps {
    private DartsOps() {
    }

    /** The instances a network of genotype {@code g} runs, one per edge and cell (repeats included). */
    public static List<OpInstance> of(DartsGenotype g, DartsNetworkConfig cfg) {
        List<OpInstance> out = new ArrayList<>();
        forEachCell(cfg, (reduction, c, side) -> {
            DartsCell cell = reduction ? g.reduce() : g.normal();
            for (DartsEdge e : cell.edges()) {
                if (e.op() != Operation.NONE) {
                    out.add(instance(e.op(), c, side, reduction, e.input()));
                }
            }
        });
        return out;
    }

    /** Every distinct instance a network of {@code ops} at {@code cfg} may run: what a latency table must time. */
    public static List<OpInstance> distinct(DartsNetworkConfig cfg, List<Operation> ops) {
        Set<OpInstance> all = new LinkedHashSet<>();
        forEachCell(cfg, (reduction, c, side) -> {
            for (Operation op : ops) {
                if (op != Operation.NONE) {
                    all.add(instance(op, c, side, reduction, 0));
                    all.add(instance(op, c, side, reduction, 2));
                }
            }
        });
        return List.copyOf(all);
    }

    /**
     * The predictor's latency of every (edge, operation) of the supernet's {@code nodes}-node cells of one type (its
     * table entry times its kind's factor, as {@link LatencyPredictor#predict} counts it), summed over the network's
     * cells of that type; edges in the supernet's order (node by node, inputs 0..node+1);
     * {@code none} costs 0. An instance the table lacks is refused, naming it.
     */
    public static double[][] edgeMatrix(LatencyPredictor table, DartsNetworkConfig cfg, List<Operation> ops,
                                        int nodes, boolean reductionCells) {
        int edges = nodes * (nodes + 3) / 2;
        double[][] m = new double[edges][ops.size()];
        forEachCell(cfg, (reduction, c, side) -> {
            if (reduction != reductionCells) {
                return;
            }
            int edge = 0;
            for (int node = 0; node < nodes; node++) {
                for (int input = 0; input < node + 2; input++) {
                    for (int k = 0; k < ops.size(); k++) {
                        Operation op = ops.get(k);
                        if (op != Operation.NONE) {
                            m[edge][k] += table.scaled(instance(op, c, side, reduction, input));
                        }
                    }
                    edge++;
                }
            }
        });
        return m;
    }

    /** A cell's edge: stride 2 from a reduction cell's inputs (at the input's side), else stride 1 at the cell's. */
    private static OpInstance instance(Operation op, int c, int inputSide, boolean reduction, int input) {
        boolean strided = reduction && input < 2;
        return new OpInstance(op.text(), c, c, reduction && !strided ? inputSide / 2 : inputSide, strided ? 2 : 1);
    }

    private interface CellVisitor {
        void visit(boolean reduction, int channels, int inputSide);
    }

    /** Each cell's type, channels and the side of the maps it reads, as DARTS's NetworkCIFAR stacks them. */
    private static void forEachCell(DartsNetworkConfig cfg, CellVisitor v) {
        int c = cfg.channels();
        int side = cfg.inputSize();
        for (int i = 0; i < cfg.layers(); i++) {
            boolean reduction = DartsNetworkConfig.isReduction(i, cfg.layers());
            if (reduction) {
                c *= 2;
            }
            v.visit(reduction, c, side);
            if (reduction) {
                side /= 2;
            }
        }
    }
}
