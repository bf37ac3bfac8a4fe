package io.sparknas.oneshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the elastic supernet's batch normalisations normalise: with the batch's statistics (training), with the
 * batch's statistics while averaging them per layer (recalibration, OFA's {@code set_running_statistics}: the
 * mean of the batch means and of the batch variances, weighted by batch size), or with recalibrated statistics
 * (evaluation; as a plain network's BatchNorm in inference with those running statistics).
 */
public abstract class Norm {
    /** PyTorch's BatchNorm epsilon. */
    public static final float BN_EPSILON = 1e-5f;

    /** Normalises {@code h} (NCHW) of layer {@code name}, then scales by {@code gamma} and shifts by {@code beta}. */
    public abstract NDArray apply(String name, NDArray h, NDArray gamma, NDArray beta);

    /** Per BN layer its mean and variance, over the channels a subnet keeps. */
    public record Statistics(Map<String, NDArray[]> layers) {
        public NDArray[] of(String name) {
            return layers.get(name);
        }
    }

    /** Training: the batch's own statistics. */
    public static Norm batch() {
        return new Norm() {
            @Override
            public NDArray apply(String name, NDArray h, NDArray gamma, NDArray beta) {
                return fused(h, null, null, gamma, beta, true);
            }
        };
    }

    /** Evaluation with recalibrated statistics. */
    public static Norm using(Statistics stats) {
        return new Norm() {
            @Override
            public NDArray apply(String name, NDArray h, NDArray gamma, NDArray beta) {
                NDArray[] ms = stats.of(name);
                if (ms == null || ms[0].getShape().get(0) != h.getShape().get(1)) {
                    throw new IllegalStateException("no statistics of " + h.getShape().get(1) + " channels for " + name
                            + ": recalibrate for this subnet first");
                }
                return fused(h, ms[0], ms[1], gamma, beta, false);
            }
        };
    }

    /** Recalibration: normalises with the batch's statistics and averages them per layer into {@link #statistics()}. */
    public static Calibrating calibrating(NDManager owner) {
        return new Calibrating(owner);
    }

    /** Batch statistics, averaged over the batches seen; run it without gradients. */
    public static final class Calibrating extends Norm {
        private final NDManager owner;
        private final Map<String, NDArray[]> sums = new LinkedHashMap<>();
        private final Map<String, Long> counts = new LinkedHashMap<>();

        private Calibrating(NDManager owner) {
            this.owner = owner;
        }

        @Override
        public NDArray apply(String name, NDArray h, NDArray gamma, NDArray beta) {
            NDArray mean = channelMean(h);
            NDArray centred = h.sub(mean);
            NDArray var = channelMean(centred.square());
            long n = h.getShape().get(0);
            long c = h.getShape().get(1);
            NDArray m = mean.reshape(c).mul(n);
            NDArray v = var.reshape(c).mul(n);
            NDArray[] sum = sums.get(name);
            // the output as in training (the batch's statistics), through the same fused op
            if (sum == null) {
                m.attach(owner);
                v.attach(owner);
                sums.put(name, new NDArray[] {m, v});
            } else {
                sum[0].addi(m);
                sum[1].addi(v);
            }
            counts.merge(name, n, Long::sum);
            return fused(h, null, null, gamma, beta, true);
        }

        /** The averages so far, as arrays of the owner. */
        public Statistics statistics() {
            Map<String, NDArray[]> out = new LinkedHashMap<>();
            for (var e : sums.entrySet()) {
                long n = counts.get(e.getKey());
                out.put(e.getKey(), new NDArray[] {e.getValue()[0].div(n), e.getValue()[1].div(n)});
            }
            return new Statistics(out);
        }
    }

    /** The mean over batch, height and width per channel, as (1, C, 1, 1) (libtorch's mean takes one axis here). */
    static NDArray channelMean(NDArray h) {
        return h.mean(new int[] {3}, true).mean(new int[] {2}, true).mean(new int[] {0}, true);
    }

    /**
     * libtorch's batch_norm in one op: with the batch's statistics ({@code training}; the running arrays it would
     * update are scratch) or with the given mean and variance.
     */
    static NDArray fused(NDArray h, NDArray mean, NDArray var, NDArray gamma, NDArray beta, boolean training) {
        long c = h.getShape().get(1);
        NDManager m = h.getManager();
        NDArray runningMean = mean != null ? mean : m.zeros(new Shape(c), h.getDataType());
        NDArray runningVar = var != null ? var : m.ones(new Shape(c), h.getDataType());
        return BatchNorm.batchNorm(h, runningMean, runningVar, gamma, beta, 1, 0.1f, BN_EPSILON,
                training).singletonOrThrow();
    }
}
