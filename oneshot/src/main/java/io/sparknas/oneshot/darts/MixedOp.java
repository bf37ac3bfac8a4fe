package io.sparknas.oneshot.darts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.sparknas.estimators.nn.Ops;
import io.sparknas.space.Operation;

import java.util.ArrayList;
import java.util.List;

/**
 * DARTS's mixed operation on one edge: {@code sum_i w_i * op_i(x)} over every candidate operation, where
 * {@code w} (softmax of the edge's architecture weights) is the block's second input, shape {@code (ops)}.
 * Operations use non-affine BatchNorm and pools are followed by one, as in DARTS's search code. {@code none}
 * contributes zeros, so it is not computed; its weight still takes part in the softmax.
 */
public final class MixedOp extends AbstractBlock {
    private final List<Block> blocks = new ArrayList<>(); // null for none

    public MixedOp(List<Operation> ops, int c, int stride) {
        for (Operation op : ops) {
            if (op == Operation.NONE) {
                blocks.add(null);
                continue;
            }
            Block b = Ops.darts(op, c, stride, false);
            if (op == Operation.MAX_POOL_3X3 || op == Operation.AVG_POOL_3X3) {
                b = new SequentialBlock().add(b).add(Ops.batchNorm(false));
            }
            blocks.add(addChildBlock(op.text(), b));
        }
        if (blocks.stream().allMatch(b -> b == null)) {
            throw new IllegalArgumentException("a mixed operation needs at least one operation besides none");
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray w = inputs.get(1);
        NDArray sum = null;
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (b == null) {
                continue;
            }
            NDArray term = b.forward(ps, new NDList(x), training).singletonOrThrow().mul(w.get(i));
            sum = sum == null ? term : sum.add(term);
        }
        return new NDList(sum);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return first().getOutputShapes(new Shape[] {in[0]});
    }

    private Block first() {
        return blocks.stream().filter(b -> b != null).findFirst().orElseThrow();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        for (Block b : blocks) {
            if (b != null) {
                b.initialize(manager, dataType, in[0]);
            }
        }
    }
}
