package io.sparknas.estimators.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;

import java.util.List;

/**
 * One Once-for-All subnet as a plain network, without the supernet: 3x3 conv-BN-ReLU stem, the kept MBConv blocks
 * (1x1 expand conv-BN-ReLU, KxK depthwise conv-BN-ReLU, 1x1 project conv-BN, plus the input where stride and width
 * allow), global average pooling, linear classifier. What an OFA export loads and what the from-scratch baseline
 * trains; its parameter and FLOP counts equal {@link io.sparknas.space.ofa.OfaCostModel}. Parameters come in
 * layer order, each conv's {@code weight}, each BN's {@code gamma, beta, runningMean, runningVar}, the
 * classifier's {@code weight, bias} (the order the supernet cuts them in).
 */
public final class OfaNetwork extends SequentialBlock {

    public OfaNetwork(OfaSpace space, OfaSubnet net, int classes) {
        space.check(net);
        add(Ops.conv(space.stemChannels(), 3, 1, 1)).add(Ops.batchNorm()).add(ReluTap.block());
        for (int s = 0; s < space.stages(); s++) {
            List<OfaSubnet.Block> blocks = net.stages().get(s);
            for (int b = 0; b < blocks.size(); b++) {
                int in = space.blockInput(s, b);
                int out = space.widths().get(s);
                add(new MbConv(in, out, in * blocks.get(b).expand(), blocks.get(b).kernel(),
                        b == 0 ? space.strides().get(s) : 1));
            }
        }
        add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(classes).build());
    }

    /** MobileNetV2's inverted residual block (OFA's MBConvLayer without squeeze-excite). */
    static final class MbConv extends AbstractBlock {
        private final SequentialBlock body;
        private final boolean residual;

        MbConv(int in, int out, int hidden, int kernel, int stride) {
            body = addChildBlock("body", new SequentialBlock()
                    .add(Ops.conv(hidden, 1, 1, 0)).add(Ops.batchNorm()).add(ReluTap.block())
                    .add(Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(hidden)
                            .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2))
                            .optGroups(hidden).optBias(false).build())
                    .add(Ops.batchNorm()).add(ReluTap.block())
                    .add(Ops.conv(out, 1, 1, 0)).add(Ops.batchNorm()));
            residual = stride == 1 && in == out;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray y = body.forward(ps, inputs, training).singletonOrThrow();
            return new NDList(residual ? y.add(inputs.singletonOrThrow()) : y);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return body.getOutputShapes(in);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
            body.initialize(manager, dataType, in);
        }
    }
}
