package io.sparknas.oneshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparknas.space.SeededRandom;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named weight arrays of a supernet written on DJL arrays (Once-for-All's elastic one, the single-path ones),
 * made in order from one seed: convolutions He normal with fan-out (as OFA's {@code init_models}), batch
 * normalisation scale 1 and shift 0, a classifier uniform in ±1/sqrt(inputs) (PyTorch's {@code Linear}).
 */
public final class SupernetWeights {
    private final NDManager manager;
    private final SeededRandom rng;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();

    public SupernetWeights(NDManager manager, long seed) {
        this.manager = manager;
        this.rng = new SeededRandom(seed);
    }

    public void put(String name, NDArray a) {
        a.setName(name);
        arrays.put(name, a);
    }

    /** A convolution's weight {@code (out, inPerGroup, k, k)}. */
    public void conv(String name, int out, int inPerGroup, int k) {
        double std = Math.sqrt(2.0 / (out * k * k));
        float[] w = new float[out * inPerGroup * k * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (std * rng.nextGaussian());
        }
        put(name, manager.create(w, new Shape(out, inPerGroup, k, k)));
    }

    /** A batch normalisation's {@code name.gamma} and {@code name.beta}. */
    public void bn(String name, int c) {
        put(name + ".gamma", manager.ones(new Shape(c)));
        put(name + ".beta", manager.zeros(new Shape(c)));
    }

    /** A linear layer's {@code name.weight (out, in)} and {@code name.bias (out)}. */
    public void linear(String name, int out, int in) {
        double bound = 1 / Math.sqrt(in);
        put(name + ".weight", uniform(new Shape(out, in), bound));
        put(name + ".bias", uniform(new Shape(out), bound));
    }

    private NDArray uniform(Shape shape, double bound) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
        return manager.create(v, shape);
    }

    /** The arrays made, in order, each now requiring a gradient. */
    public Map<String, NDArray> trainable() {
        arrays.values().forEach(a -> a.setRequiresGradient(true));
        return arrays;
    }

    /** Zeroes the gradients of {@code arrays} (those a backward pass did not reach stay zero). */
    public static void zeroGradients(Collection<NDArray> arrays) {
        for (NDArray a : arrays) {
            JniUtils.zeroGrad((PtNDArray) a);
        }
    }
}
