package io.sparknas.oneshot.ofa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the elastic supernet's batch normalisations normalise: with the batch's statistics (training), with the
 * batch's statistics while averaging them per layer (recalibration, OFA's {@code set_running_statistics}: the
 * mean of the batch means and of the batch variances, weighted by batch size), or with recalibrated statistics
 * (evaluation; as a plain network's BatchNorm in inference with those running statistics).
 */
public abstract class Norm {

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
                NDArray mean = channelMean(h);
                NDArray centred = h.sub(mean);
                NDArray var = channelMean(centred.square());
                return affine(centred.div(var.add(ElasticSupernet.BN_EPSILON).sqrt()), gamma, beta);
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
                Shape c = new Shape(1, h.getShape().get(1), 1, 1);
                NDArray mean = local(h, ms[0].reshape(c));
                NDArray std = local(h, ms[1].reshape(c).add(ElasticSupernet.BN_EPSILON).sqrt());
                return affine(h.sub(mean).div(std), gamma, beta);
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
            if (sum == null) {
                m.attach(owner);
                v.attach(owner);
                sums.put(name, new NDArray[] {m, v});
            } else {
                sum[0].addi(m);
                sum[1].addi(v);
            }
            counts.merge(name, n, Long::sum);
            return affine(centred.div(var.add(ElasticSupernet.BN_EPSILON).sqrt()), gamma, beta);
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

    static NDArray affine(NDArray normalised, NDArray gamma, NDArray beta) {
        Shape c = new Shape(1, normalised.getShape().get(1), 1, 1);
        return normalised.mul(local(normalised, gamma.reshape(c))).add(local(normalised, beta.reshape(c)));
    }

    /** {@code a}, owned by the manager of {@code like} (a step's), so that parameters' managers collect nothing. */
    static NDArray local(NDArray like, NDArray a) {
        a.attach(like.getManager());
        return a;
    }
}
