package io.sparknas.oneshot.darts;

import io.sparknas.oneshot.WeightOptimizer;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.training.BatchStats;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.Derivation;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * DARTS's bilevel search (its {@code train_search.py}): every step first moves the architecture weights alpha on a
 * validation batch ({@link Architect}), then the network weights w on a training batch ({@link WeightOptimizer}),
 * with the cosine schedule of {@link DartsSearchConfig#learningRate(int)}; after every epoch the supernet is
 * evaluated on the validation split and a genotype derived, with and without the collapse guard.
 *
 * <p>Deterministic from {@code cfg.seed()}: weights, alpha's initial values (1e-3 * N(0, 1) as DARTS) and the
 * batch order all come from it. Not thread-safe; several searches may run at once in different threads.
 */
public final class DartsSearch implements AutoCloseable {
    private static final int EVAL_BATCH = 256;

    /**
     * What one epoch of search produced; {@code alpha*} are the raw architecture parameters (edges x ops);
     * {@code expectedLatencyMs} the supernet's expected latency under the search's latency objective (NaN without).
     */
    public record Epoch(int epoch, double learningRate, double trainLoss, double trainAccuracy,
                        double validationLoss, double validationAccuracy, double seconds,
                        double[][] alphaNormal, double[][] alphaReduce, DartsGenotype genotype,
                        DartsGenotype unguarded, double expectedLatencyMs) implements Serializable {
    }

    private final DartsSearchConfig cfg;
    private final Datasets.Split data;
    private final SeededRandom rng;
    private final SupernetModel model;
    private final WeightOptimizer weights;
    private final Architect architect;
    private final Optional<LatencyObjective> latency;

    public DartsSearch(DartsSearchConfig cfg, Datasets.Split data, Device device) {
        this(cfg, data, device, Optional.empty());
    }

    /** Latency-aware where {@code latency} is present: cross-entropy + weight * E[latency] / E0 on alpha. */
    public DartsSearch(DartsSearchConfig cfg, Datasets.Split data, Device device,
                       Optional<LatencyObjective> latency) {
        this(cfg, data, device, 3, DataType.FLOAT32, latency);
    }

    /** With a {@code stemKernel} stem (see {@link DartsSupernet}); tests use 1. */
    DartsSearch(DartsSearchConfig cfg, Datasets.Split data, Device device, int stemKernel) {
        this(cfg, data, device, stemKernel, DataType.FLOAT32, Optional.empty());
    }

    /** In {@code dtype} (tests check gradients in FLOAT64). */
    DartsSearch(DartsSearchConfig cfg, Datasets.Split data, Device device, int stemKernel, DataType dtype) {
        this(cfg, data, device, stemKernel, dtype, Optional.empty());
    }

    DartsSearch(DartsSearchConfig cfg, Datasets.Split data, Device device, int stemKernel, DataType dtype,
                Optional<LatencyObjective> latency) {
        this.cfg = cfg;
        this.latency = latency;
        this.data = data;
        Torch.pinThreads(cfg.torchThreads());
        ImageSet train = data.train();
        int batch = Math.min(cfg.batchSize(), Math.min(train.size(), data.validation().size()));
        Shape batchShape = new Shape(batch, train.channels(), train.height(), train.width());
        DartsNetworkConfig netCfg = new DartsNetworkConfig(train.channels(), train.height(), train.classes(),
                cfg.network().channels(), cfg.network().layers(), cfg.network().stemMultiplier());
        rng = new SeededRandom(cfg.seed());
        model = new SupernetModel(cfg, netCfg, stemKernel, batchShape, device, cfg.seed(), rng, dtype);
        weights = new WeightOptimizer(cfg.sgd(), model);
        architect = new Architect(cfg.architect(), model, weights, latency);
    }

    /** Runs all epochs; {@code perEpoch} sees each epoch's record as it completes. */
    public List<Epoch> run(Consumer<Epoch> perEpoch) {
        List<Epoch> epochs = new ArrayList<>();
        ImageSet train = data.train();
        ImageSet val = data.validation();
        int batch = (int) model.batchShape().get(0);
        int steps = train.size() / batch;
        int[] valOrder = rng.permutation(val.size());
        int valPos = 0;
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double lr = cfg.learningRate(epoch);
            int[] order = rng.permutation(train.size());
            BatchStats trained = BatchStats.EMPTY;
            for (int s = 0; s < steps; s++) {
                if (valPos + batch > val.size()) {
                    valOrder = rng.permutation(val.size());
                    valPos = 0;
                }
                int[] vi = Arrays.copyOfRange(valOrder, valPos, valPos + batch);
                valPos += batch;
                int[] ti = Arrays.copyOfRange(order, s * batch, (s + 1) * batch);
                float[][] trainBatch = batch(train, ti);
                float[][] valBatch = batch(val, vi);
                try (NDManager step = model.manager().newSubManager()) {
                    architect.step(step, valBatch, trainBatch, lr);
                    trained = trained.plus(model.forwardBackward(step, trainBatch));
                    weights.step(step, lr);
                }
            }
            BatchStats v = evaluate(val);
            double[][] an = model.alpha(0);
            double[][] ar = model.alpha(1);
            double[][] wn = softmax(an);
            double[][] wr = softmax(ar);
            Epoch e = new Epoch(epoch, lr, trained.lossSum() / steps, trained.accuracy(), v.meanLoss(),
                    v.accuracy(), (System.nanoTime() - t0) / 1e9, an, ar,
                    Derivation.genotype(wn, wr, cfg.ops(), cfg.nodes(), cfg.maxSkips()),
                    Derivation.genotype(wn, wr, cfg.ops(), cfg.nodes(), -1),
                    latency.map(l -> l.expectedMs(an, ar)).orElse(Double.NaN));
            epochs.add(e);
            perEpoch.accept(e);
        }
        return epochs;
    }

    /** Loss and accuracy of the supernet on a whole set, in inference mode. */
    private BatchStats evaluate(ImageSet set) {
        BatchStats total = BatchStats.EMPTY;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            for (int from = 0; from < set.size(); from += EVAL_BATCH) {
                int n = Math.min(EVAL_BATCH, set.size() - from);
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = from + i;
                }
                try (NDManager step = model.manager().newSubManager()) {
                    total = total.plus(model.evaluate(step, set.batch(idx, data.normalization()), set.labelBatch(idx),
                            new Shape(n, set.channels(), set.height(), set.width())));
                }
            }
        }
        return total;
    }

    /** A batch (images, labels) of {@code set}'s images {@code idx}, normalised as the training split. */
    float[][] batch(ImageSet set, int[] idx) {
        return new float[][] {set.batch(idx, data.normalization()), set.labelBatch(idx)};
    }

    /** The current alpha of normal (0) or reduction (1) cells. */
    double[][] alpha(int cellType) {
        return model.alpha(cellType);
    }

    SupernetModel model() {
        return model;
    }

    Architect architect() {
        return architect;
    }

    /** Row-wise softmax. */
    public static double[][] softmax(double[][] alpha) {
        double[][] w = new double[alpha.length][];
        for (int i = 0; i < alpha.length; i++) {
            double max = Arrays.stream(alpha[i]).max().orElse(0);
            double[] e = Arrays.stream(alpha[i]).map(v -> Math.exp(v - max)).toArray();
            double sum = Arrays.stream(e).sum();
            w[i] = Arrays.stream(e).map(v -> v / sum).toArray();
        }
        return w;
    }

    @Override
    public void close() {
        model.close();
    }
}
