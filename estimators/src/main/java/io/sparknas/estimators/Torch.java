package io.sparknas.estimators;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.initializer.XavierInitializer;

/**
 * What every DJL training loop in sparknas shares about libtorch on a multi-threaded executor: per-thread
 * OpenMP thread counts, seeded weight initialisation, serialised parameter updates, PyTorch's default
 * initialiser, and a scalar product the autograd graph can keep.
 */
public final class Torch {
    private static final Object INIT_LOCK = new Object();
    /**
     * Serialises parameter updates across the JVM. DJL 0.36's PyTorch SGD update (native sgdUpdate + zeroGrad) run
     * from two threads at once gave intermittent NaN losses here although each thread updates its own model's
     * parameters; under this lock it never did (docs/benchmarks.md). The update is an element-wise pass over the
     * parameters, so forward and backward passes, the bulk, still run concurrently.
     */
    public static final Object UPDATE_LOCK = new Object();
    /**
     * PyTorch's default for conv and linear weights (kaiming_uniform with a=sqrt(5): U(-1/sqrt(fan_in),
     * 1/sqrt(fan_in)), variance 1/(3 fan_in)). DJL's uniform Xavier draws from U(-sqrt(m/fan_in), sqrt(m/fan_in)),
     * so magnitude m = 1 is PyTorch's bound. DJL's default Xavier (Gaussian, magnitude 2) gives several times the
     * variance, which makes DARTS networks (many unnormalised branches summed) start with huge logits. Biases stay
     * DJL's zeros (PyTorch draws them from the same bound; the DARTS and NB201 convolutions have none).
     */
    public static final XavierInitializer PYTORCH_DEFAULT_INIT = new XavierInitializer(
            XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1f);

    private Torch() {
    }

    /**
     * Sets libtorch's intra-op thread count for the calling thread. libtorch's CPU build parallelises with OpenMP,
     * whose thread count is per calling thread: the engine's start-up setting reaches only the thread that started
     * it, and every Spark task thread would otherwise run 2-thread OpenMP teams (oversubscribing the cores and,
     * with libtorch 2.7.1 here, giving intermittent NaN gradients; see docs/benchmarks.md).
     */
    public static void pinThreads(int threads) {
        Engine.getInstance(); // loads the native library
        if (JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }

    /**
     * {@code x} times {@code factor}, differentiably, with the factor in a tensor libtorch owns. DJL 0.36's
     * {@code mul(Number)} wraps the number in a tensor over a Java direct buffer and closes it at once; the autograd
     * graph keeps that tensor for the backward pass, and once the JVM frees and reuses the buffer, the gradient is
     * multiplied by whatever the memory then holds (in a test here, 43 of 200 backward passes after some allocations;
     * docs/benchmarks.md, "Numerical reproducibility"). A product in a forward pass uses this instead.
     */
    public static NDArray times(NDArray x, double factor) {
        return x.mul(x.getManager().full(new Shape(), (float) factor, x.getDataType()));
    }

    /** Runs {@code initialize} right after seeding libtorch's global generator, under a JVM-wide lock. */
    public static void seeded(long seed, Runnable initialize) {
        synchronized (INIT_LOCK) {
            Engine.getInstance().setRandomSeed((int) seed);
            initialize.run();
        }
    }

    /** Turns libtorch's (thread-local) autograd off until closed: optimiser updates and inference. */
    public static NoGrad noGrad() {
        return new NoGrad();
    }

    public static final class NoGrad implements AutoCloseable {
        private final boolean previous = JniUtils.isGradMode();

        private NoGrad() {
            JniUtils.setGradMode(false);
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }
}
