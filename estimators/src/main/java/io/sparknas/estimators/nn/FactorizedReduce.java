package io.sparknas.estimators.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * DARTS's FactorizedReduce: halves the spatial size with two stride-2 1x1 convolutions, the second on the
 * input shifted by one pixel, concatenated to {@code cout} channels, then BatchNorm. Needs an even input size.
 */
public final class FactorizedReduce extends AbstractBlock {
    private final Block conv1;
    private final Block conv2;
    private final Block bn;

    public FactorizedReduce(int cout) {
        this(cout, true);
    }

    public FactorizedReduce(int cout, boolean affine) {
        if (cout % 2 != 0) {
            throw new IllegalArgumentException("FactorizedReduce needs an even channel count, got " + cout);
        }
        conv1 = addChildBlock("conv1", Ops.conv(cout / 2, 1, 2, 0));
        conv2 = addChildBlock("conv2", Ops.conv(cout / 2, 1, 2, 0));
        bn = addChildBlock("bn", Ops.batchNorm(affine));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = Activation.relu(inputs.singletonOrThrow());
        NDArray a = conv1.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray b = conv2.forward(ps, new NDList(x.get(":, :, 1:, 1:")), training).singletonOrThrow();
        return bn.forward(ps, new NDList(NDArrays.concat(new NDList(a, b), 1)), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape s = in[0];
        Shape half = conv1.getOutputShapes(new Shape[] {s})[0];
        return new Shape[] {new Shape(s.get(0), 2 * half.get(1), half.get(2), half.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        Shape s = in[0];
        conv1.initialize(manager, dataType, s);
        conv2.initialize(manager, dataType, new Shape(s.get(0), s.get(1), s.get(2) - 1, s.get(3) - 1));
        bn.initialize(manager, dataType, getOutputShapes(in));
    }
}
