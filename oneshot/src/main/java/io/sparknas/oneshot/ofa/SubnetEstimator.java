package io.sparknas.oneshot.ofa;

import io.sparknas.oneshot.Norm;
import io.sparknas.space.Metrics;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.nn.OfaNetwork;
import io.sparknas.estimators.spec.SupernetSpec;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.cost.Cost;
import io.sparknas.space.ofa.OfaCostModel;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates Once-for-All subnets by weight inheritance (the {@code supernet} estimator): the supernet is read once
 * per JVM and device from the checkpoint; each subnet's BN statistics are recalibrated on the same training images,
 * then it is scored on the validation split (the signal) and, where configured, the test split, with its FLOPs and
 * parameters from the cost model and its latency measured on the subnet cut out as a plain network. Evaluation only
 * reads the supernet, so task threads share it; where the context asks, the plain subnet is saved (an export).
 */
public final class SubnetEstimator implements Estimator {
    private final SupernetSpec spec;
    private final Datasets.Split data;
    private final byte[] checkpoint;
    private final Checkpoint.Header header;
    private final Map<Device, ElasticSupernet> supernets = new ConcurrentHashMap<>();

    public SubnetEstimator(SupernetSpec spec) {
        this.spec = spec;
        Path file = Path.of(spec.checkpoint());
        try {
            checkpoint = Files.readAllBytes(file);
            header = Checkpoint.header(new ByteArrayInputStream(checkpoint), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the supernet checkpoint " + file + ": " + e.getMessage(), e);
        }
        Devices.configureThreads(spec.torchThreads());
        data = Datasets.shared(spec.data());
        if (data.train().channels() != header.inputChannels() || data.train().classes() != header.classes()) {
            throw new IllegalArgumentException("the supernet " + file + " was trained on images of "
                    + header.inputChannels() + " channels and " + header.classes() + " classes; "
                    + spec.data().dataset() + " has " + data.train().channels() + " and " + data.train().classes());
        }
    }

    /** The service {@link SupernetSpec} finds this estimator through. */
    public static final class Factory implements SupernetSpec.SupernetEstimators {
        @Override
        public Estimator create(SupernetSpec spec) {
            return new SubnetEstimator(spec);
        }
    }

    public OfaSpace space() {
        return header.space();
    }

    private ElasticSupernet supernet(Device device) {
        return supernets.computeIfAbsent(device, d -> {
            ElasticSupernet s = new ElasticSupernet(header.space(), header.inputChannels(), header.classes(), d, 0);
            Checkpoint.read(checkpoint, s, spec.checkpoint());
            return s;
        });
    }

    @Override
    public Evaluation evaluate(Candidate candidate, EvaluationContext context) {
        long start = System.currentTimeMillis();
        Map<String, Double> metrics = new TreeMap<>();
        Device device = context.device();
        String dev = Devices.describe(device);
        OfaSubnet net;
        try {
            net = header.space().parse(candidate.genotype());
        } catch (IllegalArgumentException e) {
            return Evaluation.failed(candidate, "invalid candidate: " + e.getMessage(), metrics, dev, start,
                    System.currentTimeMillis());
        }
        ImageSet train = data.train();
        Cost cost = OfaCostModel.of(header.space(), net, train.channels(), train.height(), train.classes());
        metrics.put(Metrics.FLOPS, (double) cost.flops());
        metrics.put(Metrics.PARAMS, (double) cost.params());
        if (spec.torchThreads() > 0) {
            Torch.pinThreads(spec.torchThreads()); // per task thread, as proxy training does
        }
        ElasticSupernet supernet = supernet(device);
        try (NDManager scope = supernet.manager().newSubManager()) {
            Norm.Statistics stats = SubnetEvaluation.calibrate(supernet, net, data, spec.calibrationImages(),
                    spec.batchSize(), spec.seed(), scope);
            double accuracy = SubnetEvaluation.evaluate(supernet, net, stats, data.validation(), data.normalization(),
                    scope).accuracy();
            if (data.test().size() > 0) {
                metrics.put(Metrics.TEST_ACCURACY, SubnetEvaluation.evaluate(supernet, net, stats, data.test(),
                        data.normalization(), scope).accuracy());
            }
            if (spec.latencyRepeats() > 0 || context.modelOutput().isPresent()) {
                OfaNetwork plain = Standalone.of(supernet, net, stats, scope);
                if (spec.latencyRepeats() > 0) {
                    metrics.put(Metrics.LATENCY_MS_B1, latencyMs(plain, scope, spec.latencyRepeats()));
                }
                if (context.modelOutput().isPresent()) {
                    Standalone.save(plain, header.space(), net, context.modelOutput().get());
                }
            }
            return Evaluation.ok(candidate, accuracy, metrics, dev, start, System.currentTimeMillis());
        } catch (RuntimeException | IOException e) {
            return Evaluation.failed(candidate, e.getClass().getSimpleName() + ": " + e.getMessage(), metrics, dev,
                    start, System.currentTimeMillis());
        }
    }

    /** Median of {@code repeats} timed forward passes of one validation image (after 3 untimed ones). */
    private double latencyMs(OfaNetwork plain, NDManager scope, int repeats) {
        ImageSet set = data.validation();
        ParameterStore store = new ParameterStore(scope, false);
        double[] times = new double[repeats];
        try (NDManager m = scope.newSubManager(); Torch.NoGrad ng = Torch.noGrad()) {
            NDArray x = m.create(set.batch(new int[] {0}, data.normalization()),
                    new Shape(1, set.channels(), set.height(), set.width()));
            for (int r = -3; r < repeats; r++) {
                long t0 = System.nanoTime();
                try (NDManager step = m.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(step);
                    plain.forward(store, new NDList(xs), false).singletonOrThrow().getFloat(0, 0);
                }
                if (r >= 0) {
                    times[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        Arrays.sort(times);
        return times[times.length / 2];
    }

    @Override
    public void close() {
        supernets.values().forEach(ElasticSupernet::close);
    }
}
