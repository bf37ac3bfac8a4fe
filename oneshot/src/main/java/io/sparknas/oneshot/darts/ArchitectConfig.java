package io.sparknas.oneshot.darts;

import java.io.Serializable;

/**
 * The architecture step of DARTS: Adam on alpha ({@code archLearningRate}, betas {@code archBeta1/2}, L2 weight
 * decay {@code archWeightDecay}) with a first-order ({@code order} 1: dL_val/dalpha at the current weights) or
 * second-order gradient ({@code order} 2: through the unrolled weights, with the finite-difference Hessian-vector
 * product). Bound by name from the flat keys of the {@code darts} section.
 */
public record ArchitectConfig(int order, double archLearningRate, double archBeta1, double archBeta2,
                              double archWeightDecay) implements Serializable {
    public ArchitectConfig {
        if (order != 1 && order != 2) {
            throw new IllegalArgumentException("order must be 1 (first-order) or 2 (second-order), got " + order);
        }
        if (!(archLearningRate > 0)) {
            throw new IllegalArgumentException("archLearningRate must be > 0, got " + archLearningRate);
        }
        if (!(archBeta1 >= 0 && archBeta1 < 1) || !(archBeta2 >= 0 && archBeta2 < 1)) {
            throw new IllegalArgumentException("archBeta1 and archBeta2 must be in [0, 1), got " + archBeta1 + " and "
                    + archBeta2);
        }
        if (!(archWeightDecay >= 0)) {
            throw new IllegalArgumentException("archWeightDecay must be >= 0, got " + archWeightDecay);
        }
    }

    /** DARTS's: Adam 3e-4, betas (0.5, 0.999), weight decay 1e-3. */
    public static ArchitectConfig darts(int order) {
        return new ArchitectConfig(order, 3e-4, 0.5, 0.999, 1e-3);
    }
}
