package io.sparknas.estimators;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * A gradient collector for the PyTorch engine that several threads may hold at once. DJL's own
 * {@code PtGradientCollector} keeps a JVM-wide flag and refuses a second collector ("A PtGradientCollector is
 * already collecting"), which would serialise two Spark tasks in one executor. libtorch's grad mode is
 * thread-local and each candidate has its own parameters, so one collector per thread is safe. Uses the
 * engine's public JNI utilities (the same calls PtGradientCollector makes).
 */
public final class ThreadGradientCollector implements GradientCollector {
    private final boolean previous;

    public ThreadGradientCollector() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    @Override
    public void backward(NDArray target) {
        try (NDArray ones = target.onesLike()) {
            JniUtils.backward((PtNDArray) target, (PtNDArray) ones, false, false);
        }
    }

    /** Unsupported: DJL's version zeroes every gradient in the JVM, including other threads' candidates. */
    @Override
    public void zeroGradients() {
        throw new UnsupportedOperationException("zero the gradients of one model's parameters instead");
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
