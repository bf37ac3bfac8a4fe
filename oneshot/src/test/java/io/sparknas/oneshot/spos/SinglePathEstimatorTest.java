package io.sparknas.oneshot.spos;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.spec.OneShotConfig;
import io.sparknas.estimators.spec.OneShotSpec;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.oneshot.WeightOptimizer;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import io.sparknas.space.TestData;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NAS-Bench-201 cells scored with a single-path supernet's weights, through the Estimator contract. */
class SinglePathEstimatorTest {
    private static final Nb201Cell CONV3 = Nb201Cell.parse(
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
    private static final Nb201Cell CONV1 = Nb201Cell.parse(
            "|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|");
    private static final Nb201Cell NONE = Nb201Cell.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");

    private static DataConfig data() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        return DataConfig.fashionMnist(100, 20);
    }

    private static OneShotSpec spec(DataConfig data, int channels, String checkpoint) {
        ProxyConfig proxy = new ProxyConfig(1, 32, new SgdConfig(0.1, 0.9, 3e-4, 5), new NetworkSize(channels, 3, 3),
                1, 0, 1, 0, 0);
        return new OneShotSpec(proxy, data, new OneShotConfig(8, OneShotConfig.UNIFORM, 200, 7, checkpoint));
    }

    private static Candidate candidate(String id, Nb201Cell cell) {
        return new Candidate(id, "nb201", cell.text(), cell.text(), "random", List.of(), 1);
    }

    @Test
    void aTrainedSupernetScoresAConnectedCellAboveADisconnectedOneAndItsCheckpointScoresTheSameTwice(
            @TempDir Path dir) throws Exception {
        DataConfig data = data();
        OneShotSpec untrained = spec(data, 8, "");
        assertTrue(untrained.sweepTraining().isPresent(), "with no checkpoint the sweep trains the supernet");
        List<Integer> epochs = new ArrayList<>();
        byte[] bytes = untrained.sweepTraining().get().train(Device.cpu(), (e, m) -> {
            epochs.add(e);
            assertTrue(Double.isFinite(m.get("train_loss")), m.toString());
        });
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 8).boxed().toList(), epochs);
        Path ckpt = dir.resolve(untrained.sweepTraining().get().fileName());
        Files.write(ckpt, bytes);
        OneShotSpec trained = (OneShotSpec) untrained.sweepTraining().get().trained(ckpt.toString());
        assertTrue(trained.sweepTraining().isEmpty());
        assertEquals(List.of(ckpt.toString()), trained.filesToShip());

        Evaluation conv;
        Evaluation none;
        try (Estimator est = trained.create()) {
            assertTrue(est instanceof SinglePathEstimator, "found through the service loader");
            conv = est.evaluate(candidate("c1", CONV3), EvaluationContext.defaults());
            none = est.evaluate(candidate("c2", NONE), EvaluationContext.defaults());
            Evaluation bad = est.evaluate(new Candidate("c3", "nb201", "|conv~0|", "x", "random", List.of(), 1),
                    EvaluationContext.defaults());
            assertFalse(bad.isOk());
            assertTrue(bad.error().startsWith("invalid candidate"), bad.error());
        }
        assertTrue(conv.isOk(), conv.error());
        assertTrue(none.isOk(), none.error());
        assertEquals(0.1, none.accuracy(), 1e-9, "a cell that passes nothing predicts one class of ten");
        assertTrue(conv.accuracy() > none.accuracy() + 0.15, "conv " + conv.accuracy() + ", none " + none.accuracy());
        assertEquals(Nb201CostModel.of(CONV3, trained.nb201Network()).flops(), conv.metric("flops"));
        try (Estimator again = trained.create()) {
            assertEquals(conv.accuracy(), again.evaluate(candidate("c1", CONV3), EvaluationContext.defaults())
                    .accuracy(), "the same checkpoint and calibration images give the same score");
        }
    }

    @Test
    void aStepTrainsOnlyThePathItDrew() {
        DataConfig data = data();
        Datasets.Split split = Datasets.shared(data);
        try (SinglePathNb201 s = new SinglePathNb201(spec(data, 4, "").nb201Network(), Device.cpu(), 3)) {
            List<float[]> before = s.weights().stream().map(NDArray::toFloatArray).toList();
            boolean[] on = s.onPath(CONV1);
            SinglePathTraining.step(s, new WeightOptimizer(new SgdConfig(0.1, 0.9, 3e-4, 5), s), List.of(CONV1),
                    split, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 0.1);
            int changed = 0;
            for (int i = 0; i < before.size(); i++) {
                NDArray w = s.weights().get(i);
                boolean same = java.util.Arrays.equals(before.get(i), w.toFloatArray());
                if (!on[i]) {
                    assertTrue(same, w.getName() + " is off the path and must not move");
                    assertTrue(w.getName().contains("nor_conv_3x3"), w.getName());
                } else if (w.getName().contains("nor_conv_1x1.conv")) {
                    assertFalse(same, w.getName() + " is on the path and trained");
                    changed++;
                }
            }
            assertEquals(3 * 6, changed, "every 1x1 conv of the three cells");
        }
    }

    @Test
    void aFairStepTrainsEveryConvolutionOfEveryEdgeOnce() {
        DataConfig data = data();
        Datasets.Split split = Datasets.shared(data);
        List<Nb201Cell> paths = SinglePathTraining.fairPaths(new SeededRandom(5));
        assertEquals(5, paths.size());
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            int edge = e;
            assertEquals(java.util.Set.copyOf(Operation.NB201), paths.stream().map(c -> c.ops().get(edge))
                    .collect(java.util.stream.Collectors.toSet()), "edge " + e + " takes every operation once");
        }
        try (SinglePathNb201 s = new SinglePathNb201(spec(data, 4, "").nb201Network(), Device.cpu(), 3)) {
            List<float[]> before = s.weights().stream().map(NDArray::toFloatArray).toList();
            SinglePathTraining.step(s, new WeightOptimizer(new SgdConfig(0.1, 0.9, 3e-4, 5), s), paths, split,
                    new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 0.1);
            int convs = 0;
            for (int i = 0; i < before.size(); i++) {
                NDArray w = s.weights().get(i);
                if (w.getName().matches(".*nor_conv_(1x1|3x3)\\.conv.*")) {
                    assertFalse(java.util.Arrays.equals(before.get(i), w.toFloatArray()), w.getName() + " not trained");
                    convs++;
                }
            }
            assertEquals(2 * 3 * 6, convs, "both convolutions of every edge of the three cells");
        }
    }

    @Test
    void aCheckpointOfAnotherNetworkIsRefusedNamingWhatDiffers(@TempDir Path dir) throws Exception {
        DataConfig data = data();
        Path ckpt = dir.resolve("c4.ckpt");
        try (SinglePathNb201 s = new SinglePathNb201(spec(data, 4, "").nb201Network(), Device.cpu(), 0)) {
            Files.write(ckpt, SinglePathCheckpoint.write(s, 1, 0, List.of(2.3)));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec(data, 8, ckpt.toString()).create());
        assertTrue(e.getMessage().contains("channels 4 in the checkpoint, 8 configured"), e.getMessage());
        Path foreign = dir.resolve("foreign.ckpt");
        Files.write(foreign, new byte[] {0, 0, 0, 2, '{', '}'});
        e = assertThrows(IllegalArgumentException.class, () -> spec(data, 4, foreign.toString()).create());
        assertTrue(e.getMessage().contains("is not a sparknas single-path NAS-Bench-201 supernet"), e.getMessage());
        try (SinglePathNb201 s = new SinglePathNb201(spec(data, 4, "").nb201Network(), Device.cpu(), 1)) {
            SinglePathCheckpoint.read(Files.readAllBytes(ckpt), s, ckpt.toString());
            NDList list = s.toList();
            assertEquals(list.size(), s.weights().size());
        }
    }
}
