package io.sparknas.oneshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;

/** What {@link WeightOptimizer} updates: a model's weights, the manager that owns them, and zeroing its gradients. */
public interface Trainable {
    /** The manager owning the weights (and the optimiser's buffers). */
    NDManager manager();

    /** The weights SGD updates, in a fixed order. */
    List<NDArray> weights();

    /** Whether weight decay applies to weight {@code i} of {@link #weights()} (all, unless a model spares some). */
    default boolean decays(int i) {
        return true;
    }

    /** Zeroes the gradients of every array the model's backward pass fills. */
    void zeroGradients();
}
