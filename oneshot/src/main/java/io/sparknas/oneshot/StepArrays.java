package io.sparknas.oneshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;

/**
 * Arrays of one optimisation step: every array a step makes is attached to the step's manager, closed by the
 * caller after the step, so that nothing a step computes outlives it.
 */
public final class StepArrays {
    private StepArrays() {
    }

    /** {@code a}, now owned by {@code step}. */
    public static NDArray scoped(NDManager step, NDArray a) {
        a.attach(step);
        return a;
    }

    /** The gradients of {@code arrays}, as arrays of the step. */
    public static List<NDArray> gradients(NDManager step, List<NDArray> arrays) {
        List<NDArray> g = new ArrayList<>(arrays.size());
        for (NDArray a : arrays) {
            g.add(scoped(step, a.getGradient()));
        }
        return g;
    }

    /** Copies of {@code arrays}, as arrays of the step. */
    public static List<NDArray> copies(NDManager step, List<NDArray> arrays) {
        List<NDArray> c = new ArrayList<>(arrays.size());
        for (NDArray a : arrays) {
            c.add(scoped(step, a.duplicate()));
        }
        return c;
    }
}
