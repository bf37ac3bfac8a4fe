package io.sparknas.space.darts;

import io.sparknas.space.Operation;
import io.sparknas.space.cost.Cost;

/**
 * Parameters and multiply-adds of the DARTS network that {@link DartsNetworkConfig} describes, layer for layer
 * as DARTS's {@code model.py} (and sparknas's DJL builder) builds it: ReLU-conv1x1-BN preprocessing (factorized
 * reduce after a reduction cell), separable convolutions as two ReLU-depthwise-pointwise-BN stacks, dilated
 * convolutions as one, skip connections as identity or factorized reduce at stride 2, affine BatchNorm.
 */
public final class DartsCostModel {
    private DartsCostModel() {
    }

    public static Cost of(DartsGenotype g, DartsNetworkConfig cfg) {
        int size = cfg.inputSize();
        int stem = cfg.stemMultiplier() * cfg.channels();
        Cost total = Cost.conv(cfg.inputChannels(), stem, 3, 1, size).plus(Cost.batchNorm(stem));
        int cPrevPrev = stem;
        int cPrev = stem;
        int c = cfg.channels();
        boolean reductionPrev = false;
        int sizePrevPrev = size;
        int sizePrev = size;
        for (int i = 0; i < cfg.layers(); i++) {
            boolean reduction = DartsNetworkConfig.isReduction(i, cfg.layers());
            if (reduction) {
                c *= 2;
            }
            DartsCell cell = reduction ? g.reduce() : g.normal();
            int inSize = sizePrev;
            // preprocess0 reads the cell before the previous one, which is twice as large after a reduction
            total = total.plus(reductionPrev ? factorizedReduce(cPrevPrev, c, sizePrevPrev / 2)
                    : reluConvBn(cPrevPrev, c, 1, inSize));
            total = total.plus(reluConvBn(cPrev, c, 1, inSize));
            int outSize = reduction ? inSize / 2 : inSize;
            for (int k = 0; k < cell.edges().size(); k++) {
                DartsEdge e = cell.edges().get(k);
                int stride = reduction && e.input() < 2 ? 2 : 1;
                total = total.plus(op(e.op(), c, stride, outSize));
            }
            reductionPrev = reduction;
            sizePrevPrev = sizePrev;
            sizePrev = outSize;
            cPrevPrev = cPrev;
            cPrev = cell.concat().size() * c;
        }
        return total.plus(Cost.linear(cPrev, cfg.classes()));
    }

    /** Cost of one DARTS operation on {@code c} channels producing an {@code outSize} map. */
    public static Cost op(Operation op, int c, int stride, int outSize) {
        return switch (op) {
            case NONE, MAX_POOL_3X3, AVG_POOL_3X3 -> Cost.ZERO;
            case SKIP_CONNECT -> stride == 1 ? Cost.ZERO : factorizedReduce(c, c, outSize);
            case SEP_CONV_3X3, SEP_CONV_5X5 -> dwPwBn(c, op.kernel(), outSize).plus(dwPwBn(c, op.kernel(), outSize));
            case DIL_CONV_3X3, DIL_CONV_5X5 -> dwPwBn(c, op.kernel(), outSize);
            default -> throw new IllegalArgumentException("'" + op.text() + "' is not a DARTS operation");
        };
    }

    private static Cost dwPwBn(int c, int kernel, int outSize) {
        return Cost.conv(c, c, kernel, c, outSize).plus(Cost.conv(c, c, 1, 1, outSize)).plus(Cost.batchNorm(c));
    }

    static Cost reluConvBn(int cin, int cout, int kernel, int outSize) {
        return Cost.conv(cin, cout, kernel, 1, outSize).plus(Cost.batchNorm(cout));
    }

    static Cost factorizedReduce(int cin, int cout, int outSize) {
        return Cost.conv(cin, cout / 2, 1, 1, outSize).plus(Cost.conv(cin, cout / 2, 1, 1, outSize))
                .plus(Cost.batchNorm(cout));
    }
}
