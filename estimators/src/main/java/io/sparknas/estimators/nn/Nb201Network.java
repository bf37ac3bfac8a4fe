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
import io.sparknas.space.Operation;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * NAS-Bench-201's TinyNetwork for one cell: stem, three stages of cells joined by residual reduction blocks,
 * BN-ReLU, global average pooling, linear classifier. Input NCHW, output logits {@code (N, classes)}; its
 * trainable parameter count equals {@link io.sparknas.space.nb201.Nb201CostModel}.
 */
public final class Nb201Network extends SequentialBlock {

    public Nb201Network(Nb201Cell cell, Nb201NetworkConfig cfg) {
        int c = cfg.channels();
        add(new SequentialBlock().add(Ops.conv(c, 3, 1, 1)).add(Ops.batchNorm()));
        for (int stage = 0; stage < 3; stage++) {
            if (stage > 0) {
                c *= 2;
                add(new ResidualReduction(c));
            }
            for (int i = 0; i < cfg.cellsPerStage(); i++) {
                add(new CellBlock(cell, c));
            }
        }
        add(Ops.batchNorm());
        add(ReluTap.block());
        add(Pool.globalAvgPool2dBlock());
        add(Blocks.batchFlattenBlock());
        add(Linear.builder().setUnits(cfg.classes()).build());
    }

    /** One NB201 cell: node j sums op(i, j)(node i) over i &lt; j; the output is node 3. Shape-preserving. */
    static final class CellBlock extends AbstractBlock {
        private final List<Block> ops = new ArrayList<>();
        private final int[] from = {0, 0, 1, 0, 1, 2};

        CellBlock(Nb201Cell cell, int c) {
            for (int k = 0; k < Nb201Cell.EDGES; k++) {
                Operation op = cell.ops().get(k);
                ops.add(addChildBlock("edge" + k + "_" + op.text(), Ops.nb201(op, c)));
            }
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray[] nodes = new NDArray[4];
            nodes[0] = inputs.singletonOrThrow();
            int k = 0;
            for (int to = 1; to < 4; to++) {
                NDArray sum = null;
                for (int i = 0; i < to; i++, k++) {
                    NDArray h = ops.get(k).forward(ps, new NDList(nodes[from[k]]), training).singletonOrThrow();
                    sum = sum == null ? h : sum.add(h);
                }
                nodes[to] = sum;
            }
            return new NDList(nodes[3]);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return in;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
            ops.forEach(op -> op.initialize(manager, dataType, in));
        }
    }

    /** ResNet basic block with stride 2: two ReLU-conv3x3-BN plus an avg-pool + conv1x1 shortcut. */
    static final class ResidualReduction extends AbstractBlock {
        private final Block main;
        private final Block shortcut;

        ResidualReduction(int cout) {
            main = addChildBlock("main", new SequentialBlock().add(Ops.reluConvBn(cout, 3, 2, 1))
                    .add(Ops.reluConvBn(cout, 3, 1, 1)));
            shortcut = addChildBlock("shortcut", new SequentialBlock()
                    .add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                    .add(Ops.conv(cout, 1, 1, 0)));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray a = main.forward(ps, inputs, training).singletonOrThrow();
            return new NDList(a.add(shortcut.forward(ps, inputs, training).singletonOrThrow()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return main.getOutputShapes(in);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
            main.initialize(manager, dataType, in);
            shortcut.initialize(manager, dataType, in);
        }
    }
}
