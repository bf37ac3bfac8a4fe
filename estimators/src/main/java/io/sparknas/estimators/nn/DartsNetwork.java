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
import io.sparknas.space.darts.DartsCell;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The DARTS evaluation network (DARTS's NetworkCIFAR without the auxiliary head) for a genotype and a macro
 * configuration: 3x3 conv + BN stem, {@code layers} cells (reductions at layers/3 and 2*layers/3), global
 * average pooling, linear classifier. Input NCHW {@code (N, inputChannels, inputSize, inputSize)}; output
 * logits {@code (N, classes)}. Its trainable parameter count equals
 * {@link io.sparknas.space.darts.DartsCostModel}.
 */
public final class DartsNetwork extends AbstractBlock {
    private final Block stem;
    private final List<Block> cells = new ArrayList<>();
    private final Block head;

    public DartsNetwork(DartsGenotype genotype, DartsNetworkConfig cfg) {
        int stemChannels = cfg.stemMultiplier() * cfg.channels();
        stem = addChildBlock("stem", new SequentialBlock().add(Ops.conv(stemChannels, 3, 1, 1)).add(Ops.batchNorm()));
        int c = cfg.channels();
        boolean reductionPrev = false;
        for (int i = 0; i < cfg.layers(); i++) {
            boolean reduction = DartsNetworkConfig.isReduction(i, cfg.layers());
            if (reduction) {
                c *= 2;
            }
            DartsCell cell = reduction ? genotype.reduce() : genotype.normal();
            cells.add(addChildBlock("cell" + i + (reduction ? "_reduce" : "_normal"),
                    new DartsCellBlock(cell, c, reduction, reductionPrev)));
            reductionPrev = reduction;
        }
        head = addChildBlock("head", new SequentialBlock()
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(cfg.classes()).build()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray s = stem.forward(ps, inputs, training).singletonOrThrow();
        NDArray s0 = s;
        NDArray s1 = s;
        for (Block cell : cells) {
            NDArray next = cell.forward(ps, new NDList(s0, s1), training).singletonOrThrow();
            s0 = s1;
            s1 = next;
        }
        return head.forward(ps, new NDList(s1), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return head.getOutputShapes(new Shape[] {cellShapes(in, null, null)});
    }

    /** Walks the cells' shapes; initialises each cell on the way when a manager is given. */
    private Shape cellShapes(Shape[] in, NDManager manager, DataType dataType) {
        Shape s0 = stem.getOutputShapes(in)[0];
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
        stem.initialize(manager, dataType, in);
        head.initialize(manager, dataType, cellShapes(in, manager, dataType));
    }
}
