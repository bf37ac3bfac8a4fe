package io.sparknas.oneshot.darts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.sparknas.estimators.nn.CellStack;
import io.sparknas.space.Operation;
import io.sparknas.space.darts.DartsNetworkConfig;

import java.util.List;

/**
 * DARTS's search network (Liu et al. 2019, {@code model_search.py}): the evaluation network's macro structure
 * ({@link CellStack}) with {@link SupernetCell}s. Every normal cell shares one edge-weight matrix and every
 * reduction cell the other: the inputs are {@code (images, normalWeights, reduceWeights)}, the weights being
 * softmax(alpha) of shape {@code (edges, ops)}, so the architecture parameters live with the search, not in the
 * network's parameters.
 */
public final class DartsSupernet extends CellStack {
    public DartsSupernet(List<Operation> ops, int nodes, DartsNetworkConfig cfg) {
        this(ops, nodes, cfg, 3);
    }

    /**
     * With a {@code stemKernel} x {@code stemKernel} stem convolution (DARTS: 3). A 1x1 stem sees no spatial
     * pattern, so that only the cells' operations can: synthetic tests use it to check that alpha finds them.
     */
    public DartsSupernet(List<Operation> ops, int nodes, DartsNetworkConfig cfg, int stemKernel) {
        super(cfg, stemKernel, (i, c, reduction, reductionPrev) ->
                new SupernetCell(ops, nodes, c, reduction, reductionPrev));
    }

    /** Edges of a cell with {@code nodes} intermediate nodes: node i has i + 2 inputs. */
    public static int edges(int nodes) {
        return nodes * (nodes + 3) / 2;
    }

    @Override
    protected NDList cellInputs(NDArray s0, NDArray s1, boolean reduction, NDList inputs) {
        return new NDList(s0, s1, reduction ? inputs.get(2) : inputs.get(1));
    }
}
