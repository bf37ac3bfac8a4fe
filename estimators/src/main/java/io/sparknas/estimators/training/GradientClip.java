package io.sparknas.estimators.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.util.List;

/**
 * Clipping of all of a step's gradients together to one global L2 norm, as PyTorch's {@code clip_grad_norm_}:
 * the direction is kept, only the length shrinks. DJL's own {@code optClipGrad} is not this: libtorch's
 * {@code sgdUpdate} applies it per element and one-sided ({@code clamp_max}), which bends the direction and leaves
 * negative components unclipped.
 */
public final class GradientClip {
    private GradientClip() {
    }

    /**
     * Scales {@code gradients} in place so that their global norm is at most {@code maxNorm} (0 = off), with
     * PyTorch's coefficient {@code maxNorm / (norm + 1e-6)}, applied only when it is below 1.
     *
     * @return the global norm before clipping (NaN when {@code maxNorm} is 0 and nothing was computed)
     */
    public static double toNorm(List<NDArray> gradients, double maxNorm) {
        if (maxNorm <= 0) {
            return Double.NaN;
        }
        double norm = Math.sqrt(squaredNorm(gradients));
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) {
            for (NDArray g : gradients) {
                g.muli(coefficient);
            }
        }
        return norm;
    }

    /** The sum of squares of every element of {@code arrays}. */
    public static double squaredNorm(List<NDArray> arrays) {
        double s = 0;
        for (NDArray a : arrays) {
            try (NDArray sq = a.square(); NDArray sum = sq.sum()) {
                s += sum.getDataType() == DataType.FLOAT32 ? sum.getFloat()
                        : sum.toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return s;
    }
}
