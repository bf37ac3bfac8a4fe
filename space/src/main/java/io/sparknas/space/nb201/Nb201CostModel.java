package io.sparknas.space.nb201;

import io.sparknas.space.Operation;
import io.sparknas.space.cost.Cost;

/**
 * Parameters and multiply-adds of the NAS-Bench-201 network, layer for layer as the benchmark's TinyNetwork:
 * ReLU-conv-BN operations without bias, residual reduction blocks (two ReLU-conv3x3-BN and an avg-pool +
 * conv1x1 shortcut), final BN, linear classifier.
 */
public final class Nb201CostModel {
    private Nb201CostModel() {
    }

    public static Cost of(Nb201Cell cell, Nb201NetworkConfig cfg) {
        int c = cfg.channels();
        int size = cfg.inputSize();
        Cost total = Cost.conv(cfg.inputChannels(), c, 3, 1, size).plus(Cost.batchNorm(c));
        for (int stage = 0; stage < 3; stage++) {
            if (stage > 0) {
                int out = 2 * c;
                size /= 2;
                total = total.plus(Cost.conv(c, out, 3, 1, size)).plus(Cost.batchNorm(out))
                        .plus(Cost.conv(out, out, 3, 1, size)).plus(Cost.batchNorm(out))
                        .plus(Cost.conv(c, out, 1, 1, size));
                c = out;
            }
            for (int i = 0; i < cfg.cellsPerStage(); i++) {
                for (Operation op : cell.ops()) {
                    total = total.plus(op(op, c, size));
                }
            }
        }
        return total.plus(Cost.batchNorm(c)).plus(Cost.linear(c, cfg.classes()));
    }

    public static Cost op(Operation op, int c, int size) {
        return switch (op) {
            case NOR_CONV_1X1, NOR_CONV_3X3 -> Cost.conv(c, c, op.kernel(), 1, size).plus(Cost.batchNorm(c));
            case NONE, SKIP_CONNECT, AVG_POOL_3X3 -> Cost.ZERO;
            default -> throw new IllegalArgumentException("'" + op.text() + "' is not a NAS-Bench-201 operation");
        };
    }
}
