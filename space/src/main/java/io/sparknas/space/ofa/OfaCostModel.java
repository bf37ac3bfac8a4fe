package io.sparknas.space.ofa;

import io.sparknas.space.cost.Cost;

import java.util.List;

/**
 * Parameters and multiply-adds of an OFA subnet built as a plain network, layer for layer: stem conv 3x3 + BN;
 * per kept block a 1x1 expand conv + BN, a KxK depthwise conv (stride of the stage's first block) + BN and a 1x1
 * project conv + BN (convs without bias); global average pooling and a linear classifier.
 */
public final class OfaCostModel {
    private OfaCostModel() {
    }

    public static Cost of(OfaSpace space, OfaSubnet net, int inputChannels, int inputSize, int classes) {
        space.check(net);
        int size = inputSize;
        Cost total = Cost.conv(inputChannels, space.stemChannels(), 3, 1, size).plus(Cost.batchNorm(space.stemChannels()));
        for (int s = 0; s < space.stages(); s++) {
            List<OfaSubnet.Block> blocks = net.stages().get(s);
            for (int b = 0; b < blocks.size(); b++) {
                int in = space.blockInput(s, b);
                int out = space.widths().get(s);
                int hidden = in * blocks.get(b).expand();
                total = total.plus(Cost.conv(in, hidden, 1, 1, size)).plus(Cost.batchNorm(hidden));
                if (b == 0) {
                    size = Cost.strided(size, space.strides().get(s));
                }
                total = total.plus(Cost.conv(hidden, hidden, blocks.get(b).kernel(), hidden, size))
                        .plus(Cost.batchNorm(hidden))
                        .plus(Cost.conv(hidden, out, 1, 1, size)).plus(Cost.batchNorm(out));
            }
        }
        return total.plus(Cost.linear(space.widths().get(space.stages() - 1), classes));
    }
}
