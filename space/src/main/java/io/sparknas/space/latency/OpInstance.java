package io.sparknas.space.latency;

import java.io.Serializable;

/**
 * One operation as a network runs it: which operation, on how many channels in and out, at which input side and
 * stride. The unit a latency table times and a latency predictor sums (FBNet's and ProxylessNAS's lookup tables).
 */
public record OpInstance(String op, int channelsIn, int channelsOut, int size, int stride) implements Serializable {
    public OpInstance {
        if (op == null || op.isBlank() || channelsIn < 1 || channelsOut < 1 || size < 1 || stride < 1) {
            throw new IllegalArgumentException("invalid operation instance " + op + " " + channelsIn + "->"
                    + channelsOut + " @" + size + "/" + stride);
        }
    }

    /** {@code nor_conv_3x3 16->16 @32/1}. */
    public String text() {
        return op + " " + channelsIn + "->" + channelsOut + " @" + size + "/" + stride;
    }
}
