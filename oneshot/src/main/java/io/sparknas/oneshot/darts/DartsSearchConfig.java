package io.sparknas.oneshot.darts;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.Operation;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One DARTS search: the supernet (operations, nodes, {@link NetworkSize}), the weight optimiser ({@link SgdConfig},
 * cosine from {@code learningRate} to {@code learningRateMin}), the architecture step ({@link ArchitectConfig}), and
 * the collapse guard. Bound by name from the flat keys of the configuration's {@code darts} section; defaults
 * follow DARTS's CIFAR-10 search.
 *
 * @param ops      the supernet's operations; empty = the 8 DARTS primitives including none
 * @param maxSkips skip connections allowed per derived cell (-1 = no guard)
 */
@com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = io.sparknas.space.UnwrappedRecords.class)
public record DartsSearchConfig(List<Operation> ops, int nodes, @JsonUnwrapped NetworkSize network, int epochs,
                                int batchSize, @JsonUnwrapped SgdConfig sgd, double learningRateMin,
                                @JsonUnwrapped ArchitectConfig architect, int maxSkips, long seed, int torchThreads)
        implements Serializable {
    public DartsSearchConfig {
        ops = ops == null || ops.isEmpty() ? Operation.DARTS : List.copyOf(ops);
        for (Operation op : ops) {
            if (!Operation.DARTS.contains(op)) {
                throw new IllegalArgumentException("ops: '" + op.text() + "' is not a DARTS operation; allowed: "
                        + Operation.DARTS.stream().map(Operation::text).collect(Collectors.joining(", ")));
            }
        }
        if (ops.stream().allMatch(op -> op == Operation.NONE)) {
            throw new IllegalArgumentException("ops must offer an operation other than none");
        }
        if (nodes < 2 || nodes > 6) {
            throw new IllegalArgumentException("nodes must be in [2, 6], got " + nodes);
        }
        if (network == null || sgd == null || architect == null) {
            throw new IllegalArgumentException("a DARTS search needs its network size, SGD and architecture settings");
        }
        positive("epochs", epochs);
        positive("batchSize", batchSize);
        positive("torchThreads", torchThreads);
        if (!(learningRateMin >= 0) || learningRateMin > sgd.learningRate()) {
            throw new IllegalArgumentException("learningRateMin must be in [0, learningRate=" + sgd.learningRate()
                    + "], got " + learningRateMin);
        }
        if (maxSkips < -1) {
            throw new IllegalArgumentException("maxSkips must be -1 (no guard) or >= 0, got " + maxSkips);
        }
        if (maxSkips >= 0 && ops.stream().noneMatch(op -> op != Operation.NONE && op != Operation.SKIP_CONNECT)) {
            throw new IllegalArgumentException("maxSkips needs an operation other than none and skip_connect");
        }
    }

    /**
     * The defaults of the {@code darts} section in sparknas-defaults.conf (a test keeps them equal): DARTS's search
     * hyper-parameters (lr 0.025 to 0.001, momentum 0.9, wd 3e-4, clip 5; Adam 3e-4, (0.5, 0.999), 1e-3) on a
     * 5-cell C=8 supernet for 3 epochs.
     */
    public static DartsSearchConfig defaults() {
        return new DartsSearchConfig(Operation.DARTS, 4, new NetworkSize(8, 5, 3), 3, 32,
                new SgdConfig(0.025, 0.9, 3e-4, 5), 0.001, ArchitectConfig.darts(1), 2, 0, 1);
    }

    public DartsSearchConfig withSeed(long newSeed) {
        return new DartsSearchConfig(ops, nodes, network, epochs, batchSize, sgd, learningRateMin, architect, maxSkips,
                newSeed, torchThreads);
    }

    /** The learning rate of the weights in {@code epoch} (1-based): cosine from learningRate to learningRateMin. */
    public double learningRate(int epoch) {
        return learningRateMin + (sgd.learningRate() - learningRateMin)
                * (1 + Math.cos(Math.PI * (epoch - 1) / epochs)) / 2;
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + v);
        }
    }
}
