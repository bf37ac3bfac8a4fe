package io.sparknas.estimators.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.sparknas.space.Operation;

/**
 * DJL blocks for the DARTS and NAS-Bench-201 operations, layer for layer as in DARTS's {@code operations.py}
 * and NAS-Bench-201's {@code cell_operations.py}. All take and give NCHW; convolutions have no bias and are
 * followed by affine BatchNorm. The parameter counts equal {@code space}'s cost models.
 */
public final class Ops {
    private Ops() {
    }

    /** A DARTS operation on {@code c} channels; stride 2 on a reduction cell's input edges. */
    public static Block darts(Operation op, int c, int stride) {
        return darts(op, c, stride, true);
    }

    /**
     * A DARTS operation; {@code affine = false} gives the search variant (BatchNorm without scale and shift, as in
     * DARTS's supernet, so that the architecture weights alone scale each operation's output).
     */
    public static Block darts(Operation op, int c, int stride, boolean affine) {
        return switch (op) {
            case NONE -> FunctionBlock.zero(stride);
            case SKIP_CONNECT -> stride == 1 ? FunctionBlock.identity() : new FactorizedReduce(c, affine);
            case MAX_POOL_3X3 -> Pool.maxPool2dBlock(new Shape(3, 3), new Shape(stride, stride), new Shape(1, 1));
            case AVG_POOL_3X3 -> Pool.avgPool2dBlock(new Shape(3, 3), new Shape(stride, stride), new Shape(1, 1),
                    false, false);
            case SEP_CONV_3X3, SEP_CONV_5X5 -> new SequentialBlock()
                    .add(dwPwBn(c, op.kernel(), stride, 1, affine))
                    .add(dwPwBn(c, op.kernel(), 1, 1, affine));
            case DIL_CONV_3X3, DIL_CONV_5X5 -> dwPwBn(c, op.kernel(), stride, 2, affine);
            default -> throw new IllegalArgumentException("'" + op.text() + "' is not a DARTS operation");
        };
    }

    /** A NAS-Bench-201 cell operation on {@code c} channels (stride 1). */
    public static Block nb201(Operation op, int c) {
        return switch (op) {
            case NONE -> FunctionBlock.zero(1);
            case SKIP_CONNECT -> FunctionBlock.identity();
            case NOR_CONV_1X1 -> reluConvBn(c, 1, 1, 0);
            case NOR_CONV_3X3 -> reluConvBn(c, 3, 1, 1);
            case AVG_POOL_3X3 -> Pool.avgPool2dBlock(new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false, false);
            default -> throw new IllegalArgumentException("'" + op.text() + "' is not a NAS-Bench-201 operation");
        };
    }

    /** ReLU, depthwise k x k (dilation d), pointwise 1x1, BatchNorm. */
    static SequentialBlock dwPwBn(int c, int kernel, int stride, int dilation, boolean affine) {
        int pad = dilation * (kernel - 1) / 2;
        return new SequentialBlock()
                .add(ReluTap.block())
                .add(Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(c)
                        .optStride(new Shape(stride, stride)).optPadding(new Shape(pad, pad))
                        .optDilation(new Shape(dilation, dilation)).optGroups(c).optBias(false).build())
                .add(conv(c, 1, 1, 0))
                .add(batchNorm(affine));
    }

    /** ReLU, k x k convolution to {@code cout} channels, BatchNorm. */
    public static SequentialBlock reluConvBn(int cout, int kernel, int stride, int pad) {
        return reluConvBn(cout, kernel, stride, pad, true);
    }

    public static SequentialBlock reluConvBn(int cout, int kernel, int stride, int pad, boolean affine) {
        return new SequentialBlock().add(ReluTap.block()).add(conv(cout, kernel, stride, pad))
                .add(batchNorm(affine));
    }

    public static Conv2d conv(int cout, int kernel, int stride, int pad) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(cout)
                .optStride(new Shape(stride, stride)).optPadding(new Shape(pad, pad)).optBias(false).build();
    }

    public static BatchNorm batchNorm() {
        return batchNorm(true);
    }

    /** BatchNorm as PyTorch's defaults; {@code affine = false} drops the learned scale and shift. */
    public static BatchNorm batchNorm(boolean affine) {
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).optScale(affine).optCenter(affine).build();
    }
}
