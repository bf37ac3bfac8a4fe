package io.sparknas.oneshot.spos;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.spec.OneShotConfig;
import io.sparknas.estimators.spec.OneShotSpec;
import io.sparknas.oneshot.InheritedEvaluation;
import io.sparknas.oneshot.Norm;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.cost.Cost;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Scores NAS-Bench-201 cells with weights inherited from a trained single-path supernet ({@code estimator.kind =
 * oneshot}): the supernet is read once per JVM and device; each cell's BN statistics are recalibrated on the same
 * training images, then it is scored on the validation split (the signal) and, where there is one, the test split,
 * with FLOPs and parameters from the cost model. Evaluation only reads the supernet, so task threads share it.
 */
public final class SinglePathEstimator implements Estimator {
    private final OneShotSpec spec;
    private final Nb201NetworkConfig network;
    private final Datasets.Split data;
    private final byte[] checkpoint;
    private final Map<Device, SinglePathNb201> supernets = new ConcurrentHashMap<>();

    public SinglePathEstimator(OneShotSpec spec) {
        this.spec = spec;
        this.network = spec.nb201Network();
        String file = spec.oneshot().checkpoint();
        if (file.isEmpty()) {
            throw new IllegalStateException("estimator.kind = oneshot: no supernet checkpoint (the sweep trains one "
                    + "before it evaluates)");
        }
        checkpoint = checked(spec);
        Devices.configureThreads(spec.proxy().torchThreads());
        data = Datasets.shared(spec.data());
    }

    /** The service {@link OneShotSpec} finds the supernet through. */
    public static final class Factory implements OneShotSpec.Supernets {
        @Override
        public Estimator estimator(OneShotSpec spec) {
            return new SinglePathEstimator(spec);
        }

        @Override
        public byte[] train(OneShotSpec spec, Device device, BiConsumer<Integer, Map<String, Double>> epochs) {
            return SinglePathEstimator.train(spec, device, epochs);
        }

        @Override
        public void check(OneShotSpec spec) {
            checked(spec);
        }
    }

    /** The spec's checkpoint, refused in one line where it is not a supernet of the spec's network. */
    static byte[] checked(OneShotSpec spec) {
        String file = spec.oneshot().checkpoint();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the supernet checkpoint " + file + ": " + e.getMessage(),
                    e);
        }
        String differs = SinglePathCheckpoint.differences(SinglePathCheckpoint.header(bytes, file).network(),
                spec.nb201Network());
        if (!differs.isEmpty()) {
            throw new IllegalArgumentException("estimator.oneshot.checkpoint: " + file + " is a supernet of another "
                    + "network: " + differs);
        }
        return bytes;
    }

    /** Trains the spec's supernet on {@code device} and returns its checkpoint. */
    public static byte[] train(OneShotSpec spec, Device device, BiConsumer<Integer, Map<String, Double>> epochs) {
        Devices.configureThreads(spec.proxy().torchThreads());
        Datasets.Split data = Datasets.shared(spec.data());
        var p = spec.proxy();
        SinglePathTraining training = new SinglePathTraining(spec.oneshot().epochs(),
                spec.oneshot().sampling().equals(OneShotConfig.FAIR), p.batchSize(), p.sgd(), spec.oneshot().seed(),
                p.torchThreads());
        List<Double> loss = new ArrayList<>();
        try (SinglePathNb201 supernet = new SinglePathNb201(spec.nb201Network(), device, spec.oneshot().seed())) {
            training.train(supernet, data, (epoch, m) -> {
                loss.add(m.get("train_loss"));
                epochs.accept(epoch, m);
            });
            return SinglePathCheckpoint.write(supernet, spec.oneshot().epochs(), spec.oneshot().sampling(),
                    spec.oneshot().seed(), loss);
        }
    }

    private SinglePathNb201 supernet(Device device) {
        return supernets.computeIfAbsent(device, d -> {
            SinglePathNb201 s = new SinglePathNb201(network, d, 0);
            SinglePathCheckpoint.read(checkpoint, s, spec.oneshot().checkpoint());
            return s;
        });
    }

    @Override
    public Evaluation evaluate(Candidate candidate, EvaluationContext context) {
        long start = System.currentTimeMillis();
        Map<String, Double> metrics = new TreeMap<>();
        Device device = context.device();
        String dev = Devices.describe(device);
        Nb201Cell cell;
        try {
            cell = Nb201Cell.parse(candidate.genotype());
        } catch (IllegalArgumentException e) {
            return Evaluation.failed(candidate, "invalid candidate: " + e.getMessage(), metrics, dev, start,
                    System.currentTimeMillis());
        }
        Cost cost = Nb201CostModel.of(cell, network);
        metrics.put(Metrics.FLOPS, (double) cost.flops());
        metrics.put(Metrics.PARAMS, (double) cost.params());
        if (spec.proxy().torchThreads() > 0) {
            Torch.pinThreads(spec.proxy().torchThreads());
        }
        SinglePathNb201 supernet = supernet(device);
        InheritedEvaluation.Subnet net = (x, norm) -> supernet.forward(cell, x, norm);
        try (NDManager scope = supernet.manager().newSubManager()) {
            Norm.Statistics stats = InheritedEvaluation.calibrate(net, supernet.manager(), data,
                    spec.oneshot().calibrationImages(), spec.proxy().batchSize(), spec.oneshot().seed(), scope);
            double accuracy = InheritedEvaluation.evaluate(net, stats, data.validation(), data.normalization(), scope)
                    .accuracy();
            if (data.test().size() > 0) {
                metrics.put(Metrics.TEST_ACCURACY, InheritedEvaluation.evaluate(net, stats, data.test(),
                        data.normalization(), scope).accuracy());
            }
            return Evaluation.ok(candidate, accuracy, metrics, dev, start, System.currentTimeMillis());
        } catch (RuntimeException e) {
            return Evaluation.failed(candidate, e.getClass().getSimpleName() + ": " + e.getMessage(), metrics, dev,
                    start, System.currentTimeMillis());
        }
    }

    @Override
    public void close() {
        supernets.values().forEach(SinglePathNb201::close);
    }
}
