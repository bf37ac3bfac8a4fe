package io.sparknas.estimators.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.sparknas.estimators.nn.Ops;
import io.sparknas.space.Operation;
import io.sparknas.space.darts.DartsNetworkConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * DARTS's search network (Liu et al. 2019, {@code model_search.py}): the evaluation network's macro structure
 * (stem, {@code layers} cells with reductions at 1/3 and 2/3, global pooling, linear classifier) with
 * {@link SupernetCell}s. Every normal cell shares one edge-weight matrix and every reduction cell the other:
 * the inputs are {@code (images, normalWeights, reduceWeights)}, the weights being softmax(alpha) of shape
 * {@code (edges, ops)}, so the architecture parameters live with the search, not in the network's parameters.
 */
public final class DartsSupernet extends AbstractBlock {
    private final Block stem;
    private final List<Block> cells = new ArrayList<>();
    private final List<Boolean> reductions = new ArrayList<>();
    private final Block head;

    public DartsSupernet(List<Operation> ops, int nodes, DartsNetworkConfig cfg) {
        this(ops, nodes, cfg, 3);
    }

    /**
     * With a {@code stemKernel} x {@code stemKernel} stem convolution (DARTS: 3). A 1x1 stem sees no spatial
     * pattern, so that only the cells' operations can: synthetic tests use it to check that alpha finds them.
     */
    public DartsSupernet(List<Operation> ops, int nodes, DartsNetworkConfig cfg, int stemKernel) {
        int stemChannels = cfg.stemMultiplier() * cfg.channels();
        stem = addChildBlock("stem", new SequentialBlock()
                .add(Ops.conv(stemChannels, stemKernel, 1, stemKernel / 2)).add(Ops.batchNorm()));
        int c = cfg.channels();
        boolean reductionPrev = false;
        for (int i = 0; i < cfg.layers(); i++) {
            boolean reduction = DartsNetworkConfig.isReduction(i, cfg.layers());
            if (reduction) {
                c *= 2;
            }
            cells.add(addChildBlock("cell" + i + (reduction ? "_reduce" : "_normal"),
                    new SupernetCell(ops, nodes, c, reduction, reductionPrev)));
            reductions.add(reduction);
            reductionPrev = reduction;
        }
        head = addChildBlock("head", new SequentialBlock()
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(cfg.classes()).build()));
    }

    /** Edges of a cell with {@code nodes} intermediate nodes: node i has i + 2 inputs. */
    public static int edges(int nodes) {
        return nodes * (nodes + 3) / 2;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray s = stem.forward(ps, new NDList(inputs.get(0)), training).singletonOrThrow();
        NDArray s0 = s;
        NDArray s1 = s;
        for (int i = 0; i < cells.size(); i++) {
            NDArray w = reductions.get(i) ? inputs.get(2) : inputs.get(1);
            NDArray next = cells.get(i).forward(ps, new NDList(s0, s1, w), training).singletonOrThrow();
            s0 = s1;
            s1 = next;
        }
        return head.forward(ps, new NDList(s1), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return head.getOutputShapes(new Shape[] {cellShapes(in[0], null, null)});
    }

    private Shape cellShapes(Shape in, NDManager manager, DataType dataType) {
        Shape s0 = stem.getOutputShapes(new Shape[] {in})[0];
        Shape s1 = s0;
        for (Block cell : cells) {
            Shape[] cellIn = {s0, s1};
            if (manager != null) {
                cell.initialize(manager, dataType, cellIn);
            }
            s0 = s1;
            s1 = cell.getOutputShapes(cellIn)[0];
        }
        return s1;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        stem.initialize(manager, dataType, in[0]);
        head.initialize(manager, dataType, cellShapes(in[0], manager, dataType));
    }
}
