package io.sparknas.estimators.nn;

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
import io.sparknas.space.darts.DartsNetworkConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * DARTS's macro network, shared by the evaluation network ({@link DartsNetwork}) and the search supernet: a conv +
 * BN stem, {@code layers} cells (channels doubled at the reductions, at 1/3 and 2/3 of the depth), each fed the
 * outputs of the two cells before it, global average pooling and a linear classifier. Subclasses say what a cell
 * is and what else it is fed.
 */
public abstract class CellStack extends AbstractBlock {
    /** Makes cell {@code i} with {@code c} channels per node. */
    @FunctionalInterface
    protected interface CellFactory {
        Block cell(int i, int c, boolean reduction, boolean reductionPrev);
    }

    private final Block stem;
    private final List<Block> cells = new ArrayList<>();
    private final List<Boolean> reductions = new ArrayList<>();
    private final Block head;

    protected CellStack(DartsNetworkConfig cfg, int stemKernel, CellFactory factory) {
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
                    factory.cell(i, c, reduction, reductionPrev)));
            reductions.add(reduction);
            reductionPrev = reduction;
        }
        head = addChildBlock("head", new SequentialBlock()
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(cfg.classes()).build()));
    }

    /** The inputs of cell {@code i}: the two previous outputs, and what else the cell takes from {@code inputs}. */
    protected NDList cellInputs(NDArray s0, NDArray s1, boolean reduction, NDList inputs) {
        return new NDList(s0, s1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray s = stem.forward(ps, new NDList(inputs.get(0)), training).singletonOrThrow();
        NDArray s0 = s;
        NDArray s1 = s;
        for (int i = 0; i < cells.size(); i++) {
            NDArray next = cells.get(i).forward(ps, cellInputs(s0, s1, reductions.get(i), inputs), training)
                    .singletonOrThrow();
            s0 = s1;
            s1 = next;
        }
        return head.forward(ps, new NDList(s1), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return head.getOutputShapes(new Shape[] {cellShapes(in[0], null, null)});
    }

    /** Walks the cells' shapes; initialises each cell on the way when a manager is given. */
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
