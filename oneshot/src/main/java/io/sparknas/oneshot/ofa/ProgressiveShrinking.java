package io.sparknas.oneshot.ofa;

import io.sparknas.oneshot.Norm;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.sparknas.estimators.ThreadGradientCollector;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.nn.OfaNetwork;
import io.sparknas.estimators.training.BatchStats;
import io.sparknas.estimators.training.Divergence;
import io.sparknas.oneshot.WeightOptimizer;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Once-for-All's progressive shrinking (Cai et al. 2020, section 3.2): train the largest network; then let the
 * kernel size vary; then the depth (the two largest depths, then all); then the expand ratio (the two largest, then
 * all, each after sorting each block's hidden channels by importance). Each later phase has its own epochs, rate,
 * linear warm-up and subnets per step ({@link PhaseSchedule}); it samples that many subnets of its choices per step
 * (the largest and smallest among them under the sandwich rule), sums their gradients, and distils from the largest
 * network as it was after the first phase (soft labels, weight {@code distillation}). The phases come from the
 * space: a dimension with one choice adds none. Each phase is seeded on its own, so a training resumed at a phase
 * repeats what an unbroken one does.
 */
public final class ProgressiveShrinking {
    private static final Loss LOSS = Loss.softmaxCrossEntropyLoss();

    /**
     * One phase: the choices its subnets are sampled from, its epochs, rate and warm-up, its subnets per step, and
     * whether each block's hidden channels are re-sorted by importance before it (every expand phase, as OFA).
     */
    public record Phase(String name, List<Integer> depths, List<Integer> kernels, List<Integer> expands, int epochs,
                        double learningRate, double warmupEpochs, double warmupLearningRate, int subnetsPerStep,
                        boolean sortsChannels) {
        Phase with(PhaseSchedule s) {
            return new Phase(name, depths, kernels, expands, s.epochs(), s.learningRate(), s.warmupEpochs(),
                    s.warmupLearningRate(), s.subnetsPerStep(), sortsChannels);
        }

        /** A subnet of this phase's choices. */
        OfaSubnet sample(OfaSpace space, SeededRandom rng) {
            List<List<OfaSubnet.Block>> stages = new ArrayList<>();
            for (int s = 0; s < space.stages(); s++) {
                int d = depths.get(rng.nextInt(depths.size()));
                List<OfaSubnet.Block> blocks = new ArrayList<>();
                for (int b = 0; b < d; b++) {
                    blocks.add(new OfaSubnet.Block(kernels.get(rng.nextInt(kernels.size())),
                            expands.get(rng.nextInt(expands.size()))));
                }
                stages.add(blocks);
            }
            return new OfaSubnet(stages);
        }

        /** The smallest subnet of this phase's choices. */
        OfaSubnet smallest(OfaSpace space) {
            return space.uniform(depths.get(0), kernels.get(0), expands.get(0));
        }
    }

    /** Hears each epoch's metrics and each finished phase (to checkpoint it). */
    public interface Listener {
        void epoch(int phaseIndex, Phase phase, int epoch, Map<String, Double> metrics);

        void phaseDone(int phaseIndex, Phase phase, ElasticSupernet supernet);
    }

    private final OfaTrainingConfig cfg;
    private final Datasets.Split data;

    public ProgressiveShrinking(OfaTrainingConfig cfg, Datasets.Split data) {
        this.cfg = cfg;
        this.data = data;
    }

    /**
     * The phases for {@code space}: full, kernel, then depth and expand ratio one choice at a time, each as
     * {@code cfg.schedule} gives it (or the flat {@code phaseEpochs}, {@code shrinkLearningRate} and
     * {@code subnetsPerStep}). A schedule that does not name the space's later phases in order, or a sandwich rule
     * with a phase of one subnet per step, is refused.
     */
    public static List<Phase> phases(OfaSpace space, OfaTrainingConfig cfg) {
        List<Integer> maxD = List.of(space.maxDepth());
        List<Integer> maxE = List.of(space.maxExpand());
        List<Phase> later = new ArrayList<>();
        int n = cfg.phaseEpochs();
        double lr = cfg.shrinkLearningRate();
        int k = cfg.subnetsPerStep();
        if (space.kernels().size() > 1) {
            later.add(new Phase("kernel", maxD, space.kernels(), maxE, n, lr, 0, 0, k, false));
        }
        List<Integer> d = space.depths();
        for (int i = d.size() - 2; i >= 0; i--) {
            later.add(new Phase("depth-" + (d.size() - 1 - i), d.subList(i, d.size()), space.kernels(), maxE, n, lr,
                    0, 0, k, false));
        }
        List<Integer> e = space.expands();
        for (int i = e.size() - 2; i >= 0; i--) {
            later.add(new Phase("expand-" + (e.size() - 1 - i), d, space.kernels(), e.subList(i, e.size()), n, lr,
                    0, 0, k, true));
        }
        List<String> names = later.stream().map(Phase::name).toList();
        if (!cfg.schedule().isEmpty()) {
            List<String> given = cfg.schedule().stream().map(PhaseSchedule::phase).toList();
            if (!given.equals(names)) {
                throw new IllegalArgumentException("ofa.training.schedule lists phases " + given + " but this space's "
                        + "phases after 'full' are " + names + ": give one entry for each, in this order");
            }
            later.replaceAll(p -> p.with(cfg.schedule().get(names.indexOf(p.name()))));
        }
        if (cfg.sandwich()) {
            later.stream().filter(p -> p.subnetsPerStep() < 2).findFirst().ifPresent(p -> {
                throw new IllegalArgumentException("ofa.training.sandwich needs 2 or more subnets per step in every "
                        + "phase (the largest and the smallest), but phase '" + p.name() + "' has "
                        + p.subnetsPerStep() + ": raise its subnetsPerStep or set sandwich = false");
            });
        }
        List<Phase> out = new ArrayList<>();
        out.add(new Phase("full", maxD, List.of(space.maxKernel()), maxE, cfg.fullEpochs(), cfg.sgd().learningRate(),
                0, 0, 1, false));
        out.addAll(later);
        return out;
    }

    /**
     * Trains {@code supernet} from phase {@code fromPhase} on (0 = from the start). {@code teacher} is the supernet
     * as the first phase left it (for a resumed training: loaded from that phase's checkpoint); null when
     * starting from phase 0, which makes it.
     */
    public void train(ElasticSupernet supernet, int fromPhase, ElasticSupernet teacher, Listener listener) {
        if (cfg.torchThreads() > 0) {
            Torch.pinThreads(cfg.torchThreads());
        }
        List<Phase> phases = phases(supernet.space(), cfg);
        if (fromPhase < 0 || fromPhase > phases.size()) {
            throw new IllegalArgumentException("phase " + fromPhase + " of " + phases.size());
        }
        ImageSet train = data.train();
        int batch = Math.min(cfg.batchSize(), train.size());
        int steps = train.size() / batch;
        Teacher soft = fromPhase > 0 && cfg.distillation() > 0 ? new Teacher(teacher) : null;
        try {
            for (int p = fromPhase; p < phases.size(); p++) {
                Phase phase = phases.get(p);
                if (phase.sortsChannels()) {
                    supernet.sortChannels();
                }
                SeededRandom rng = new SeededRandom(cfg.seed() + p);
                WeightOptimizer sgd = new WeightOptimizer(new SgdConfig(phase.learningRate(), cfg.sgd().momentum(),
                        cfg.sgd().weightDecay(), cfg.sgd().gradClip()), supernet);
                long total = (long) phase.epochs() * steps;
                long warmup = Math.round(phase.warmupEpochs() * steps);
                long t = 0;
                for (int epoch = 1; epoch <= phase.epochs(); epoch++) {
                    long start = System.nanoTime();
                    int[] perm = rng.permutation(train.size());
                    BatchStats stats = BatchStats.EMPTY;
                    for (int s = 0; s < steps; s++, t++) {
                        int[] idx = Arrays.copyOfRange(perm, s * batch, (s + 1) * batch);
                        double lr = PhaseSchedule.rate(phase.learningRate(), phase.warmupLearningRate(), warmup, t,
                                total);
                        stats = stats.plus(step(supernet, sgd, phase, p == 0 ? null : soft, rng, train, idx, lr));
                    }
                    Map<String, Double> m = new LinkedHashMap<>();
                    m.put("train_loss", stats.lossSum() / stats.count());
                    m.put("train_accuracy", stats.accuracy());
                    m.put("val_accuracy_largest", accuracy(supernet, supernet.space().largest(), data.validation()));
                    m.put("val_accuracy_smallest", accuracy(supernet, phase.smallest(supernet.space()),
                            data.validation()));
                    m.put("seconds", (System.nanoTime() - start) / 1e9);
                    listener.epoch(p, phase, epoch, m);
                }
                listener.phaseDone(p, phase, supernet);
                if (p == 0 && cfg.distillation() > 0) {
                    soft = new Teacher(supernet);
                }
            }
        } finally {
            if (soft != null) {
                soft.close();
            }
        }
    }

    /** One step: the phase's subnets on one batch, gradients summed, then SGD. */
    private BatchStats step(ElasticSupernet supernet, WeightOptimizer sgd, Phase phase, Teacher teacher,
                            SeededRandom rng, ImageSet train, int[] idx, double lr) {
        try (NDManager step = supernet.manager().newSubManager()) {
            NDArray x = step.create(train.batch(idx, data.normalization()), new Shape(idx.length, train.channels(),
                    train.height(), train.width()));
            NDArray y = step.create(train.labelBatch(idx), new Shape(idx.length));
            NDArray soft = teacher == null ? null : teacher.probabilities(x);
            BatchStats stats = BatchStats.EMPTY;
            for (int i = 0; i < phase.subnetsPerStep(); i++) {
                OfaSubnet net = subnet(supernet.space(), phase, i, rng);
                try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
                    NDArray logits = supernet.forward(net, x, Norm.batch());
                    NDArray loss = LOSS.evaluate(new NDList(y), new NDList(logits));
                    if (soft != null) {
                        loss = loss.add(Torch.times(logits.logSoftmax(1).mul(soft).sum(new int[] {1}).neg().mean(),
                                cfg.distillation()));
                    }
                    float l = loss.getFloat();
                    Divergence.check(l, "the supernet loss in phase " + phase.name());
                    gc.backward(loss);
                    long correct = logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
                    stats = stats.plus(new BatchStats(l * idx.length, correct, idx.length));
                }
            }
            sgd.step(step, lr);
            return stats;
        }
    }

    /**
     * The {@code i}-th subnet of a step: the largest in the first phase; under the sandwich rule the phase's largest
     * and smallest first, then random ones; otherwise all random.
     */
    OfaSubnet subnet(OfaSpace space, Phase phase, int i, SeededRandom rng) {
        if (phase.name().equals("full") || (cfg.sandwich() && i == 0)) {
            return space.largest();
        }
        return cfg.sandwich() && i == 1 ? phase.smallest(space) : phase.sample(space, rng);
    }

    /** Validation accuracy of a subnet after recalibrating its batch normalisation. */
    public double accuracy(ElasticSupernet supernet, OfaSubnet net, ImageSet images) {
        try (NDManager scope = supernet.manager().newSubManager()) {
            Norm.Statistics stats = SubnetEvaluation.calibrate(supernet, net, data, cfg.calibrationImages(),
                    cfg.batchSize(), cfg.seed(), scope);
            return SubnetEvaluation.evaluate(supernet, net, stats, images, data.normalization(), scope).accuracy();
        }
    }

    /** The largest network as the first phase left it, as a plain network in inference mode: the soft labels. */
    private final class Teacher implements AutoCloseable {
        private final NDManager manager;
        private final OfaNetwork network;
        private final ParameterStore store;

        Teacher(ElasticSupernet source) {
            manager = NDManager.newBaseManager(source.manager().getDevice());
            OfaSubnet largest = source.space().largest();
            Norm.Statistics stats = SubnetEvaluation.calibrate(source, largest, data, cfg.calibrationImages(),
                    cfg.batchSize(), cfg.seed(), manager);
            network = Standalone.of(source, largest, stats, manager);
            store = new ParameterStore(manager, false);
        }

        NDArray probabilities(NDArray x) {
            try (Torch.NoGrad ng = Torch.noGrad()) {
                return network.forward(store, new NDList(x), false).singletonOrThrow().softmax(1);
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
