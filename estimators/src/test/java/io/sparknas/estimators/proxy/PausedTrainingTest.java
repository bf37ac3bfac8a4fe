package io.sparknas.estimators.proxy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.CosineTracker;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.TrainingSpan;
import io.sparknas.estimators.nn.DartsNetwork;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training paused at a rung and continued by another estimator (as on another executor) is the unbroken training,
 * bit for bit on CPU with one libtorch thread: parameters, momentum, schedule position and data order all carry over.
 */
class PausedTrainingTest {
    private static final SgdConfig SGD = new SgdConfig(0.05, 0.9, 3e-4, 0);

    @Test
    void resumableSgdUpdatesExactlyAsDjlsSgd() {
        DartsNetworkConfig net = new DartsNetworkConfig(1, 12, 10, 4, 2, 2);
        Shape shape = new Shape(8, 1, 12, 12);
        Random r = new Random(3);
        float[][] xs = new float[4][8 * 144];
        float[][] ys = new float[4][8];
        for (int b = 0; b < 4; b++) {
            for (int i = 0; i < xs[b].length; i++) {
                xs[b][i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < 8; i++) {
                ys[b][i] = r.nextInt(10);
            }
        }
        float[] ours;
        Block mine = new DartsNetwork(DartsGenotype.DARTS_V2, net);
        try (ProxyTrainer t = new ProxyTrainer("ours", mine, SGD, 1, Device.cpu(), shape, 40, 11)) {
            for (int b = 0; b < 4; b++) {
                t.step(xs[b], ys[b]);
            }
            ours = allParameters(mine);
        }
        Block block = new DartsNetwork(DartsGenotype.DARTS_V2, net);
        try (Model model = Model.newInstance("djl", Device.cpu())) {
            model.setBlock(block);
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(CosineTracker.builder().setBaseValue(0.05f)
                            .optFinalValue(0f).setMaxUpdates(40).build()).optMomentum(0.9f).optWeightDecays(3e-4f)
                    .build();
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(sgd).optDevices(new Device[] {Device.cpu()})
                    .optInitializer(Torch.PYTORCH_DEFAULT_INIT, Parameter.Type.WEIGHT))) {
                Torch.seeded(11, () -> trainer.initialize(shape));
                for (int b = 0; b < 4; b++) {
                    try (NDManager m = trainer.getManager().newSubManager();
                         GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(new NDList(m.create(xs[b], shape)));
                        NDArray loss = trainer.getLoss().evaluate(new NDList(m.create(ys[b], new Shape(8))), out);
                        gc.backward(loss);
                    }
                    trainer.step();
                }
                assertArrayEquals(allParameters(block), ours, 0f);
            }
        }
    }

    @Test
    void pausedAtEpochTwoAndContinuedElsewhereIsTheUnbrokenFourEpochTraining(@TempDir Path dir) throws Exception {
        ProxyConfig cfg = ProxyTrainingEstimatorTest.small(0.05, 5);
        var candidate = ProxyTrainingEstimatorTest.darts("c7", DartsGenotype.DARTS_V2, 5);
        ProxyTrainingEstimatorTest.loadData();
        EvaluationContext cpu = EvaluationContext.defaults();
        Evaluation unbroken = new ProxyTrainingEstimator(cfg, ProxyTrainingEstimatorTest.data).evaluate(candidate,
                cpu.training(new TrainingSpan(4, 4, List.of(), dir.resolve("unbroken"))));
        Evaluation paused = new ProxyTrainingEstimator(cfg, ProxyTrainingEstimatorTest.data).evaluate(candidate,
                cpu.training(new TrainingSpan(2, 4, List.of(), dir.resolve("epoch-2"))));
        Path broken = dir.resolve("epoch-3-cut-short");
        Files.createDirectories(broken); // a state whose writing was cut short: no progress file
        Evaluation continued = new ProxyTrainingEstimator(cfg, ProxyTrainingEstimatorTest.data).evaluate(candidate,
                cpu.training(new TrainingSpan(4, 4, List.of(broken, dir.resolve("epoch-2")), dir.resolve("epoch-4"))));
        assertTrue(unbroken.isOk() && paused.isOk() && continued.isOk(), unbroken.error() + paused.error()
                + continued.error());
        assertEquals(2.0, continued.metric(Metrics.RESUMED_FROM_EPOCH));
        assertEquals(1.0, continued.metric(Metrics.RESUME_SKIPPED));
        assertEquals(0.0, unbroken.metric(Metrics.RESUMED_FROM_EPOCH));
        assertEquals(unbroken.metric(Metrics.epoch(2, Metrics.VAL_ACCURACY)), paused.accuracy());
        for (int epoch = 1; epoch <= 4; epoch++) {
            for (String m : List.of(Metrics.TRAIN_LOSS, Metrics.VAL_ACCURACY, Metrics.VAL_LOSS)) {
                assertEquals(unbroken.metric(Metrics.epoch(epoch, m)), continued.metric(Metrics.epoch(epoch, m)),
                        "epoch " + epoch + " " + m);
            }
        }
        assertEquals(unbroken.accuracy(), continued.accuracy());
        assertEquals(unbroken.metric(Metrics.TEST_ACCURACY), continued.metric(Metrics.TEST_ACCURACY));
        assertArrayEquals(Files.readAllBytes(dir.resolve("unbroken/model-0000.params")),
                Files.readAllBytes(dir.resolve("epoch-4/model-0000.params")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("unbroken/momentum.ndlist")),
                Files.readAllBytes(dir.resolve("epoch-4/momentum.ndlist")));
        assertTrue(paused.metric(Metrics.STATE_BYTES) > paused.metric(Metrics.PARAMS) * 4);
    }

    @Test
    void aStateOfNoReadableRungStartsOverAndSaysSo(@TempDir Path dir) throws Exception {
        ProxyTrainingEstimatorTest.loadData();
        ProxyConfig cfg = ProxyTrainingEstimatorTest.small(0.05, 5);
        var candidate = ProxyTrainingEstimatorTest.darts("c8", DartsGenotype.DARTS_V1, 9);
        Path garbage = Files.createDirectories(dir.resolve("epoch-1"));
        Files.writeString(garbage.resolve(TrainingState.PROGRESS), "{not json");
        Evaluation e = new ProxyTrainingEstimator(cfg, ProxyTrainingEstimatorTest.data).evaluate(candidate,
                EvaluationContext.defaults().training(new TrainingSpan(2, 4, List.of(garbage), dir.resolve("e2"))));
        assertTrue(e.isOk(), e.error());
        assertEquals(0.0, e.metric(Metrics.RESUMED_FROM_EPOCH));
        assertEquals(1.0, e.metric(Metrics.RESUME_SKIPPED));
        assertTrue(Files.isRegularFile(dir.resolve("e2").resolve(TrainingState.PROGRESS)));
    }

    /** Every parameter's values (running statistics included), in the network's order. */
    static float[] allParameters(Block block) {
        return concatenated(block, false);
    }

    /** Every parameter's values in the block's order, or only those that training updates. */
    static float[] concatenated(Block block, boolean trainableOnly) {
        List<float[]> arrays = block.getParameters().values().stream()
                .filter(p -> !trainableOnly || p.requiresGradient()).map(p -> p.getArray().toFloatArray()).toList();
        float[] all = new float[arrays.stream().mapToInt(a -> a.length).sum()];
        int at = 0;
        for (float[] a : arrays) {
            System.arraycopy(a, 0, all, at, a.length);
            at += a.length;
        }
        return all;
    }
}
