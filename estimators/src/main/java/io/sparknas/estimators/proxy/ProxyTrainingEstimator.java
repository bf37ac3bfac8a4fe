package io.sparknas.estimators.proxy;

import io.sparknas.space.Metrics;
import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.TrainingSpan;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.training.BatchStats;
import io.sparknas.estimators.training.Divergence;
import io.sparknas.estimators.nn.DartsNetwork;
import io.sparknas.estimators.nn.Nb201Network;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.scaling.ScaledDarts;
import io.sparknas.space.scaling.ScaledNb201;
import io.sparknas.space.ofa.OfaCostModel;
import io.sparknas.space.ofa.OfaNet;
import io.sparknas.estimators.nn.OfaNetwork;
import io.sparknas.space.darts.DartsCostModel;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsJson;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.nb201.Nb201Space;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Proxy training (the estimator of most NAS papers): builds the candidate's DJL network at the proxy size,
 * trains it on the training subset for {@code epochs} with SGD + cosine schedule, and reports validation
 * accuracy as the signal, per-epoch loss and accuracy, parameters, FLOPs, training seconds and inference
 * latency. Thread-safe: several task threads may train candidates at once (see {@link io.sparknas.estimators.ThreadGradientCollector}).
 *
 * <p>Determinism: weights are initialised under a JVM-wide lock right after seeding libtorch's generator with
 * the candidate's seed, and the data order comes from the same seed, so the same seed on CPU gives the same
 * accuracy (same thread count).
 */
public final class ProxyTrainingEstimator implements Estimator {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProxyTrainingEstimator.class);
    private static final int EVAL_BATCH = 256;

    private final ProxyConfig cfg;
    private final Datasets.Split data;
    private final IntFunction<Datasets.Split> atResolution;

    /** On one split of images; candidates that need another resolution (compound scaling's) fail. */
    public ProxyTrainingEstimator(ProxyConfig cfg, Datasets.Split data) {
        this(cfg, data, side -> {
            throw new IllegalArgumentException("this estimator has images of " + data.train().height() + " pixels "
                    + "only, not " + side);
        });
    }

    /**
     * On {@code data}, and on {@code atResolution.apply(side)} for a candidate built at another input resolution
     * (compound scaling; images are resized, upsampled above the dataset's own size as EfficientNet does).
     */
    public ProxyTrainingEstimator(ProxyConfig cfg, Datasets.Split data, IntFunction<Datasets.Split> atResolution) {
        this.cfg = cfg;
        this.data = data;
        this.atResolution = side -> side == data.train().height() ? data : atResolution.apply(side);
    }

    /**
     * Trains and evaluates on the context's device, telling its listener the metrics after every epoch and saving
     * the trained parameters where it asks (DJL's .params format).
     */
    @Override
    public Evaluation evaluate(Candidate candidate, EvaluationContext context) {
        long start = System.currentTimeMillis();
        Map<String, Double> metrics = new TreeMap<>();
        Device device = context.device();
        String dev = Devices.describe(device);
        Built built;
        try {
            built = build(candidate);
        } catch (RuntimeException e) {
            return Evaluation.failed(candidate, "invalid candidate: " + e.getMessage(), metrics, dev, start,
                    System.currentTimeMillis());
        }
        metrics.put(Metrics.FLOPS, (double) built.flops);
        try {
            double accuracy;
            try {
                accuracy = train(candidate, built, device, context, metrics);
            } catch (Divergence | StuckAtChance first) {
                // A genuine divergence (or a network that cannot learn) repeats with the same seed; a transient fault
                // (non-finite losses and a run stuck at chance were seen with libtorch 2.7.1 on CPU here, see
                // docs/benchmarks.md) does not. One retry from scratch tells them apart.
                metrics.put("retries", 1.0);
                accuracy = train(candidate, build(candidate), device, context, metrics);
            }
            metrics.put("rss_peak_bytes", (double) ProcessMemory.peakResidentBytes());
            return Evaluation.ok(candidate, accuracy, metrics, dev, start, System.currentTimeMillis());
        } catch (Divergence | StuckAtChance | Cancelled e) {
            return Evaluation.failed(candidate, e.getMessage(), metrics, dev, start, System.currentTimeMillis());
        } catch (RuntimeException | OutOfMemoryError e) {
            return Evaluation.failed(candidate, e.getClass().getSimpleName() + ": " + e.getMessage(), metrics, dev,
                    start, System.currentTimeMillis());
        }
    }

    /**
     * Measures a model saved by an earlier evaluation ({@link EvaluationContext#savingModelTo}, e.g. a sweep's
     * exported winner) without training: the candidate's network at this estimator's size gets the saved parameters
     * and is evaluated on the validation split (the signal) and, where configured, the test split.
     */
    public Evaluation evaluateSaved(Candidate candidate, Path modelDir, EvaluationContext context) {
        long start = System.currentTimeMillis();
        Device device = context.device();
        Built built = build(candidate);
        Datasets.Split data = built.data;
        ImageSet train = data.train();
        Shape inputShape = new Shape(Math.min(cfg.batchSize(), train.size()), train.channels(), train.height(),
                train.width());
        Map<String, Double> metrics = new TreeMap<>();
        try (ProxyTrainer trainer = new ProxyTrainer(candidate.id(), built.block, cfg.sgd(),
                cfg.torchThreads(), device, inputShape, 1, candidate.seed())) {
            trainer.load(modelDir);
            metrics.put(Metrics.PARAMS, (double) trainer.trainableParameters());
            BatchStats val = evaluateSet(trainer, data, data.validation());
            metrics.put(Metrics.VAL_LOSS, val.meanLoss());
            if (data.test().size() > 0) {
                metrics.put(Metrics.TEST_ACCURACY, evaluateSet(trainer, data, data.test()).accuracy());
            }
            return Evaluation.ok(candidate, val.accuracy(), metrics, Devices.describe(device), start,
                    System.currentTimeMillis());
        } catch (IOException e) {
            return Evaluation.failed(candidate, e.getMessage(), metrics, Devices.describe(device), start,
                    System.currentTimeMillis());
        }
    }

    /** A candidate's network, its FLOPs, and the images it trains on (at its input resolution). */
    private record Built(Block block, long flops, Datasets.Split data) {
    }

    private Built build(Candidate candidate) {
        ImageSet train = data.train();
        switch (candidate.space()) {
            case DartsSpace.NAME -> {
                String text = candidate.genotype().strip();
                DartsGenotype g = text.startsWith("{") ? DartsJson.parse(text) : DartsText.parse(text);
                DartsNetworkConfig net = new DartsNetworkConfig(train.channels(), train.height(), train.classes(),
                        cfg.network().channels(), cfg.network().layers(), cfg.network().stemMultiplier());
                return new Built(new DartsNetwork(g, net), DartsCostModel.of(g, net).flops(), data);
            }
            case ScaledDarts.NAME -> {
                ScaledDarts s = ScaledDarts.parse(candidate.genotype());
                NetworkSize size = s.network().size();
                DartsNetworkConfig net = new DartsNetworkConfig(train.channels(), s.network().resolution(),
                        train.classes(), size.channels(), size.layers(), size.stemMultiplier());
                return new Built(new DartsNetwork(s.genotype(), net), DartsCostModel.of(s.genotype(), net).flops(),
                        atResolution.apply(s.network().resolution()));
            }
            case ScaledNb201.NAME -> {
                ScaledNb201 s = ScaledNb201.parse(candidate.genotype());
                Nb201NetworkConfig net = s.config(train.channels(), train.classes());
                return new Built(new Nb201Network(s.cell(), net), Nb201CostModel.of(s.cell(), net).flops(),
                        atResolution.apply(s.network().resolution()));
            }
            case OfaNet.NAME -> {
                OfaNet n = OfaNet.parse(candidate.genotype());
                return new Built(new OfaNetwork(n.space(), n.subnet(), train.classes()), OfaCostModel.of(n.space(),
                        n.subnet(), train.channels(), train.height(), train.classes()).flops(), data);
            }
            case Nb201Space.NAME -> {
                Nb201Cell cell = Nb201Cell.parse(candidate.genotype());
                Nb201NetworkConfig net = new Nb201NetworkConfig(train.channels(), train.height(), train.classes(),
                        cfg.network().channels(), cfg.nb201CellsPerStage());
                return new Built(new Nb201Network(cell, net), Nb201CostModel.of(cell, net).flops(), data);
            }
            default -> throw new IllegalArgumentException("space '" + candidate.space() + "' has no network builder; "
                    + "expected " + DartsSpace.NAME + ", " + ScaledDarts.NAME + ", " + Nb201Space.NAME + ", "
                    + ScaledNb201.NAME + " or " + OfaNet.NAME);
        }
    }

    private double train(Candidate candidate, Built built, Device device, EvaluationContext context,
                         Map<String, Double> metrics) {
        Block block = built.block;
        Datasets.Split data = built.data;
        ImageSet train = data.train();
        int batch = Math.min(cfg.batchSize(), train.size());
        int steps = train.size() / batch;
        Shape inputShape = new Shape(batch, train.channels(), train.height(), train.width());
        Optional<TrainingSpan> span = context.span();
        int maxEpochs = span.map(TrainingSpan::maxEpochs).orElse(cfg.epochsFor(candidate.seed()));
        int epochs = span.map(TrainingSpan::toEpoch).orElse(maxEpochs);
        if (cfg.epochsUpTo() > 0 || span.isPresent()) {
            metrics.put(Metrics.EPOCHS, (double) epochs);
        }
        Resumed from = resume(candidate, block, device, inputShape, maxEpochs * steps, steps, span, metrics);
        try (ProxyTrainer trainer = from.trainer) {
            metrics.put(Metrics.PARAMS, (double) trainer.trainableParameters());
            SeededRandom order = new SeededRandom(candidate.seed());
            for (int done = 0; done < from.state.epoch(); done++) {
                order.permutation(train.size()); // the data order continues where the paused training left it
            }
            long trainStart = System.nanoTime();
            double accuracy = metrics.getOrDefault(Metrics.epoch(from.state.epoch(), Metrics.VAL_ACCURACY),
                    Double.NaN);
            double bestTrainAccuracy = from.state.bestTrainAccuracy();
            List<float[]> recalibration = recalibrationBatches(train, data, batch);
            for (int epoch = from.state.epoch() + 1; epoch <= epochs; epoch++) {
                if (context.cancelled().getAsBoolean()) {
                    throw new Cancelled("cancelled before epoch " + epoch);
                }
                int[] perm = order.permutation(train.size());
                BatchStats trained = BatchStats.EMPTY;
                for (int s = 0; s < steps; s++) {
                    int[] idx = Arrays.copyOfRange(perm, s * batch, (s + 1) * batch);
                    try {
                        trained = trained.plus(trainer.step(train.batch(idx, data.normalization()),
                                train.labelBatch(idx)));
                    } catch (Divergence e) {
                        throw new Divergence(e.getMessage() + " at epoch " + epoch + ", step " + (s + 1)
                                + " (diverged twice from the same seed: lower proxy.learningRate)");
                    }
                }
                if (!recalibration.isEmpty()) {
                    trainer.recalibrateBatchNorm(recalibration);
                }
                BatchStats val = evaluateSet(trainer, data, data.validation());
                accuracy = val.accuracy();
                double trainLoss = trained.lossSum() / steps; // the mean of the batches' mean losses
                bestTrainAccuracy = Math.max(bestTrainAccuracy, trained.accuracy());
                String e = Metrics.epochPrefix(epoch);
                metrics.put(e + Metrics.TRAIN_LOSS, trainLoss);
                metrics.put(e + "train_accuracy", trained.accuracy());
                metrics.put(e + Metrics.VAL_ACCURACY, val.accuracy());
                metrics.put(e + Metrics.VAL_LOSS, val.meanLoss());
                metrics.put(Metrics.TRAIN_LOSS, trainLoss);
                metrics.put("train_accuracy", trained.accuracy());
                metrics.put(Metrics.VAL_LOSS, val.meanLoss());
                context.epochs().onEpoch(candidate.id(), epoch, Collections.unmodifiableMap(metrics));
            }
            double spanSeconds = (System.nanoTime() - trainStart) / 1e9;
            metrics.put(Metrics.TRAIN_SECONDS, from.state.trainSeconds() + spanSeconds);
            if (epochs == maxEpochs) { // a training paused early may not have left chance yet: that is its result
                StuckAtChance.check(bestTrainAccuracy, train.classes(), (long) steps * batch);
            }
            if (span.isPresent()) {
                metrics.put(Metrics.SPAN_SECONDS, spanSeconds);
                TrainingState reached = new TrainingState(candidate.id(), candidate.seed(), epochs, maxEpochs, steps,
                        metrics, from.state.trainSeconds() + spanSeconds, bestTrainAccuracy);
                try {
                    long saving = System.nanoTime();
                    metrics.put(Metrics.STATE_BYTES, (double) reached.write(span.get().saveTo(), trainer));
                    metrics.merge(Metrics.STATE_SECONDS, (System.nanoTime() - saving) / 1e9, Double::sum);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot save the training state to " + span.get().saveTo() + ": "
                            + e.getMessage(), e);
                }
            }
            if (data.test().size() > 0) {
                metrics.put(Metrics.TEST_ACCURACY, evaluateSet(trainer, data, data.test()).accuracy());
            }
            if (cfg.latencyRepeats() > 0) {
                metrics.put(Metrics.LATENCY_MS_B1, latency(trainer, data, 1));
                metrics.put(Metrics.LATENCY_MS_BATCH, latency(trainer, data, batch));
            }
            if (context.modelOutput().isPresent()) {
                save(trainer, context.modelOutput().get());
            }
            return accuracy;
        }
    }

    /** {@link ProxyConfig#recalibrationBatches} training batches in file order (the same for every run), made once. */
    private List<float[]> recalibrationBatches(ImageSet train, Datasets.Split data, int batch) {
        int n = Math.min(cfg.recalibrationBatches(), train.size() / batch);
        List<float[]> batches = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            batches.add(train.batch(java.util.stream.IntStream.range(b * batch, (b + 1) * batch).toArray(),
                    data.normalization()));
        }
        return batches;
    }

    /** A trainer and the state it starts from: a saved one of the span's, or the beginning. */
    private record Resumed(ProxyTrainer trainer, TrainingState state) {
    }

    /**
     * The trainer for {@code candidate}: continuing the first readable state of the span's (latest first), its
     * metrics put into {@code metrics}; from scratch when there is none or none can be read (each one passed over is
     * counted in {@link Metrics#RESUME_SKIPPED} and logged).
     */
    private Resumed resume(Candidate candidate, Block block, Device device, Shape inputShape, int totalSteps,
                           int steps, Optional<TrainingSpan> span, Map<String, Double> metrics) {
        int skipped = 0;
        for (Path dir : span.map(TrainingSpan::resumeFrom).orElse(List.of())) {
            ProxyTrainer trainer = null;
            try {
                TrainingState state = TrainingState.read(dir);
                if (!state.candidateId().equals(candidate.id()) || state.seed() != candidate.seed()
                        || state.stepsPerEpoch() != steps || state.epoch() > span.get().toEpoch()) {
                    throw new IOException(dir + " is the state of " + state.candidateId() + " at epoch "
                            + state.epoch() + " with " + state.stepsPerEpoch() + " steps an epoch, not of this span");
                }
                long loading = System.nanoTime();
                trainer = new ProxyTrainer(candidate.id(), block, cfg.sgd(), cfg.torchThreads(), device, inputShape,
                        totalSteps, state.epoch() * steps, candidate.seed());
                trainer.loadState(dir);
                metrics.putAll(state.resumedMetrics());
                metrics.put(Metrics.STATE_SECONDS, (System.nanoTime() - loading) / 1e9);
                metrics.put(Metrics.RESUME_SKIPPED, (double) skipped);
                return new Resumed(trainer, state);
            } catch (IOException | RuntimeException e) {
                if (trainer != null) {
                    trainer.close();
                }
                LOG.warn("candidate {}: cannot continue from {} ({}); trying an earlier state or starting over",
                        candidate.id(), dir, e.getMessage());
                skipped++;
            }
        }
        if (span.isPresent()) {
            metrics.put(Metrics.RESUMED_FROM_EPOCH, 0.0);
            metrics.put(Metrics.RESUME_SKIPPED, (double) skipped);
        }
        ProxyTrainer fresh = new ProxyTrainer(candidate.id(), block, cfg.sgd(), cfg.torchThreads(), device,
                inputShape, totalSteps, candidate.seed());
        return new Resumed(fresh, new TrainingState(candidate.id(), candidate.seed(), 0, 0, steps, Map.of(), 0, 0));
    }

    private static void save(ProxyTrainer trainer, Path dir) {
        try {
            trainer.save(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot save the trained parameters to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Training accuracy that never rose above chance: in no epoch did the network classify its training batches
     * (as it trained on them) better than 1/classes plus three binomial standard deviations of that many images. A
     * network that learns nothing is no candidate; this is also the signature of a transient fault seen on this CPU
     * (an evaluation stuck at chance that the same seed did not repeat), so it is retried once like a divergence.
     */
    static final class StuckAtChance extends RuntimeException {
        StuckAtChance(String message) {
            super(message);
        }

        static void check(double bestTrainAccuracy, int classes, long imagesPerEpoch) {
            double chance = 1.0 / classes;
            double margin = 3 * Math.sqrt(chance * (1 - chance) / imagesPerEpoch);
            if (!(bestTrainAccuracy > chance + margin)) {
                throw new StuckAtChance(String.format(java.util.Locale.ROOT, "training accuracy never left chance: "
                        + "best epoch %.4f, chance %.4f + %.4f (3 sd over %d images)", bestTrainAccuracy, chance,
                        margin, imagesPerEpoch));
            }
        }
    }

    /** The context asked to stop: the evaluation ends FAILED with this reason. */
    private static final class Cancelled extends RuntimeException {
        Cancelled(String message) {
            super(message);
        }
    }

    /** Loss and accuracy over a whole set, in inference mode. */
    private BatchStats evaluateSet(ProxyTrainer trainer, Datasets.Split data, ImageSet set) {
        BatchStats total = BatchStats.EMPTY;
        for (int from = 0; from < set.size(); from += EVAL_BATCH) {
            int n = Math.min(EVAL_BATCH, set.size() - from);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = from + i;
            }
            total = total.plus(trainer.evaluate(set.batch(idx, data.normalization()), set.labelBatch(idx),
                    new Shape(n, set.channels(), set.height(), set.width())));
        }
        return total;
    }

    /** Median inference milliseconds for {@code n} validation images. */
    private double latency(ProxyTrainer trainer, Datasets.Split data, int n) {
        ImageSet set = data.validation();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i % set.size();
        }
        return trainer.latencyMs(set.batch(idx, data.normalization()),
                new Shape(n, set.channels(), set.height(), set.width()), cfg.latencyRepeats());
    }
}
