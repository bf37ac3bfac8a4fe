package io.sparknas.space.cost;

/**
 * Analytic size of a network: trainable parameters (BatchNorm's running statistics excluded, as in PyTorch's
 * {@code parameters()}) and FLOPs counted as multiply-adds of convolutions and linear layers (normalisation,
 * activations, pooling and additions are not counted; the common convention of NAS papers).
 */
public record Cost(long params, long flops) {
    public static final Cost ZERO = new Cost(0, 0);

    public Cost plus(Cost o) {
        return new Cost(params + o.params, flops + o.flops);
    }

    /** A convolution without bias: {@code cin/groups * cout * k*k} weights, applied at {@code outSize^2} positions. */
    public static Cost conv(int cin, int cout, int kernel, int groups, int outSize) {
        long weights = (long) cin / groups * cout * kernel * kernel;
        return new Cost(weights, weights * outSize * outSize);
    }

    /** Affine BatchNorm: gamma and beta. */
    public static Cost batchNorm(int channels) {
        return new Cost(2L * channels, 0);
    }

    /** A linear layer with bias. */
    public static Cost linear(int in, int out) {
        return new Cost((long) in * out + out, (long) in * out);
    }

    /** Output size of a 3x3-style window with padding k/2 (or a dilated one with the same "same" padding). */
    public static int strided(int size, int stride) {
        return (size + stride - 1) / stride;
    }
}
