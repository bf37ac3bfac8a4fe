package io.sparknas.estimators.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.function.UnaryOperator;

/**
 * A parameter-free block from a function and its shape rule (identity, zero, strided zero). Unlike DJL's
 * LambdaBlock it states its output shape instead of computing it on a scratch array.
 */
public final class FunctionBlock extends AbstractBlock {
    private final UnaryOperator<NDArray> function;
    private final UnaryOperator<Shape> shape;

    public FunctionBlock(UnaryOperator<NDArray> function, UnaryOperator<Shape> shape) {
        this.function = function;
        this.shape = shape;
    }

    public static FunctionBlock identity() {
        return new FunctionBlock(x -> x, s -> s);
    }

    /**
     * DARTS's {@code none}: zeros of the (strided) input's shape, outside the autograd graph, which gives its input
     * the zero gradient a product with 0 would. (DJL's {@code x.mul(0f)} let the backward pass read a freed scalar:
     * see {@link io.sparknas.estimators.Torch#times}.)
     */
    public static FunctionBlock zero(int stride) {
        if (stride == 1) {
            return new FunctionBlock(NDArray::zerosLike, s -> s);
        }
        String index = ":, :, ::" + stride + ", ::" + stride;
        return new FunctionBlock(x -> x.get(index).zerosLike(),
                s -> new Shape(s.get(0), s.get(1), (s.get(2) + stride - 1) / stride, (s.get(3) + stride - 1) / stride));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(function.apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {shape.apply(inputShapes[0])};
    }

    @Override
    protected void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
    }
}
