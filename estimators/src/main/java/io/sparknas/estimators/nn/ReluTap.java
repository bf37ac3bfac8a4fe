package io.sparknas.estimators.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;

import java.util.function.UnaryOperator;

/**
 * The ReLU of every sparknas network, with a per-thread tap on its input: what the zero-cost proxies read (NASWOT's
 * binary activation codes, Fisher's activation gradients) without hooks, which DJL has not. With no tap set (every
 * training) it is DJL's own ReLU block, same class and name, so parameter names and saved models do not change. A
 * tap may replace the input (Fisher multiplies it by a ones mask whose gradient is activation times gradient).
 */
public final class ReluTap {
    private static final ThreadLocal<UnaryOperator<NDArray>> TAP = new ThreadLocal<>();

    private ReluTap() {
    }

    /** A ReLU block that passes its input through this thread's tap first, when one is set. */
    public static Block block() {
        return new LambdaBlock(ReluTap::forward, "ReLU");
    }

    private static NDList forward(NDList in) {
        UnaryOperator<NDArray> tap = TAP.get();
        NDArray x = in.singletonOrThrow();
        return new NDList(Activation.relu(tap == null ? x : tap.apply(x)));
    }

    /** Sets this thread's tap until closed (taps do not nest). */
    public static AutoCloseable on(UnaryOperator<NDArray> tap) {
        if (TAP.get() != null) {
            throw new IllegalStateException("a ReLU tap is already set on this thread");
        }
        TAP.set(tap);
        return TAP::remove;
    }
}
