package io.sparknas.strategies.darts;

import io.sparknas.space.Operation;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One DARTS search: the supernet (operations, nodes, channels, cells), the weight optimiser (SGD with momentum,
 * weight decay, gradient clipping, cosine schedule from {@code learningRate} to {@code learningRateMin}), the
 * architecture optimiser (Adam with {@code archBeta1/2}, L2 weight decay), first- or second-order bilevel steps,
 * and the collapse guard. Defaults follow DARTS's CIFAR-10 search.
 *
 * @param order    1 = first-order (alpha's gradient at the current weights); 2 = second-order (the unrolled step
 *                 w' = w - lr * (momentum buffer + dL_train/dw + wd * w), with the finite-difference
 *                 Hessian-vector product)
 * @param maxSkips skip connections allowed per derived cell (-1 = no guard)
 */
public record DartsSearchConfig(List<Operation> ops, int nodes, int channels, int layers, int stemMultiplier,
                                int epochs, int batchSize, double learningRate, double learningRateMin,
                                double momentum, double weightDecay, double gradClip,
                                double archLearningRate, double archBeta1, double archBeta2, double archWeightDecay,
                                int order, int maxSkips, long seed, int torchThreads) implements Serializable {
    public DartsSearchConfig {
        ops = List.copyOf(ops);
        for (Operation op : ops) {
            if (!Operation.DARTS.contains(op)) {
                throw new IllegalArgumentException("darts.ops: '" + op.text() + "' is not a DARTS operation; allowed: "
                        + Operation.DARTS.stream().map(Operation::text).collect(Collectors.joining(", ")));
            }
        }
        if (ops.stream().allMatch(op -> op == Operation.NONE)) {
            throw new IllegalArgumentException("darts.ops must offer an operation other than none");
        }
        if (nodes < 2 || nodes > 6) {
            throw new IllegalArgumentException("darts.nodes must be in [2, 6], got " + nodes);
        }
        positive("darts.channels", channels);
        positive("darts.layers", layers);
        positive("darts.stemMultiplier", stemMultiplier);
        positive("darts.epochs", epochs);
        positive("darts.batchSize", batchSize);
        positive("darts.torchThreads", torchThreads);
        if (!(learningRate > 0) || !(learningRateMin >= 0) || learningRateMin > learningRate) {
            throw new IllegalArgumentException("darts.learningRate must be > 0 and darts.learningRateMin in [0, "
                    + "learningRate], got " + learningRate + " and " + learningRateMin);
        }
        if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0) || !(gradClip >= 0)) {
            throw new IllegalArgumentException("darts.momentum must be in [0, 1), darts.weightDecay and darts.gradClip "
                    + ">= 0; got " + momentum + ", " + weightDecay + ", " + gradClip);
        }
        if (!(archLearningRate > 0) || !(archBeta1 >= 0 && archBeta1 < 1) || !(archBeta2 >= 0 && archBeta2 < 1)
                || !(archWeightDecay >= 0)) {
            throw new IllegalArgumentException("darts.archLearningRate must be > 0, darts.archBeta1/archBeta2 in [0, 1), "
                    + "darts.archWeightDecay >= 0");
        }
        if (order != 1 && order != 2) {
            throw new IllegalArgumentException("darts.order must be 1 (first-order) or 2 (second-order), got " + order);
        }
        if (maxSkips < -1) {
            throw new IllegalArgumentException("darts.maxSkips must be -1 (no guard) or >= 0, got " + maxSkips);
        }
        if (maxSkips >= 0 && ops.stream().noneMatch(op -> op != Operation.NONE && op != Operation.SKIP_CONNECT)) {
            throw new IllegalArgumentException("darts.maxSkips needs an operation other than none and skip_connect");
        }
    }

    /** DARTS's search hyper-parameters (lr 0.025 to 0.001, momentum 0.9, wd 3e-4, clip 5; Adam 3e-4, (0.5, 0.999), 1e-3). */
    public static DartsSearchConfig defaults(int channels, int layers, int epochs, int batchSize, int order,
                                             int maxSkips, long seed) {
        return new DartsSearchConfig(Operation.DARTS, 4, channels, layers, 3, epochs, batchSize, 0.025, 0.001, 0.9,
                3e-4, 5, 3e-4, 0.5, 0.999, 1e-3, order, maxSkips, seed, 1);
    }

    public DartsSearchConfig withSeed(long newSeed) {
        return new DartsSearchConfig(ops, nodes, channels, layers, stemMultiplier, epochs, batchSize, learningRate,
                learningRateMin, momentum, weightDecay, gradClip, archLearningRate, archBeta1, archBeta2,
                archWeightDecay, order, maxSkips, newSeed, torchThreads);
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + v);
        }
    }
}
