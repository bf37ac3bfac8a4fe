package io.sparknas.oneshot.ofa;

import io.sparknas.space.Metrics;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.spec.SupernetSpec;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.ofa.OfaCostModel;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subnets scored by weight inheritance through the Estimator contract, and their export without the supernet. */
class SubnetEstimatorTest {
    static final OfaSpace SPACE = new OfaSpace(4, List.of(8, 12, 16), List.of(2, 2, 2), List.of(2, 3), List.of(3, 5),
            List.of(3, 4));

    @Test
    void anExportedSubnetScoresWhatItScoredInsideTheSupernet(@TempDir Path dir) throws Exception {
        Datasets.Split data = ProgressiveShrinkingTest.data();
        DataConfig dataCfg = DataConfig.fashionMnist(20, 10);
        OfaTrainingConfig cfg = new OfaTrainingConfig(2, 1, 50, new SgdConfig(0.05, 0.9, 3e-5, 5), 0.02, 2, List.of(),
                false, 1.0, 100,
                3, 1);
        Path ckpt = dir.resolve("supernet.ckpt");
        try (ElasticSupernet s = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 5)) {
            new ProgressiveShrinking(cfg, data).train(s, 0, null, new ProgressiveShrinking.Listener() {
                @Override
                public void epoch(int i, ProgressiveShrinking.Phase p, int e, Map<String, Double> m) {
                }

                @Override
                public void phaseDone(int i, ProgressiveShrinking.Phase p, ElasticSupernet net) {
                }
            });
            Files.write(ckpt, Checkpoint.write(s, 3, "expand-1"));
        }
        SupernetSpec spec = new SupernetSpec(ckpt.toString(), dataCfg, 100, 50, 3, 3, 1);
        OfaSubnet net = OfaSubnet.parse("k5e4 k3e3 | k3e4 k5e3 k5e4 | k3e3 k3e4");
        Candidate c = new Candidate("s1", OfaSpace.NAME, net.text(), SPACE.canonicalKey(net), "random", List.of(), 1);
        Path export = dir.resolve("export");
        Evaluation e;
        try (Estimator est = spec.create()) {
            assertTrue(est instanceof SubnetEstimator, "found through the service loader");
            e = est.evaluate(c, EvaluationContext.defaults().savingModelTo(export));
            Evaluation bad = est.evaluate(new Candidate("s2", OfaSpace.NAME, "k9e4 k3e3 | k3e4 | k3e3", "x", "random",
                    List.of(), 1), EvaluationContext.defaults());
            assertFalse(bad.isOk());
            assertTrue(bad.error().startsWith("invalid candidate"), bad.error());
        }
        assertTrue(e.isOk(), e.error());
        assertTrue(e.accuracy() > 0.2, "a trained supernet's subnet beats chance on 100 images: " + e.accuracy());
        assertEquals(OfaCostModel.of(SPACE, net, 1, 28, 10).flops(), e.metric("flops"));
        assertTrue(e.metric(Metrics.LATENCY_MS_B1) > 0);

        try (Standalone.Loaded loaded = Standalone.load(export)) {
            assertEquals(net, loaded.subnet());
            ImageSet val = data.validation();
            NDManager m = loaded.model().getNDManager();
            long correct = 0;
            try (NDManager step = m.newSubManager(); Torch.NoGrad ng = Torch.noGrad()) {
                int[] idx = new int[val.size()];
                java.util.Arrays.setAll(idx, i -> i);
                NDArray x = step.create(val.batch(idx, data.normalization()), new Shape(idx.length, 1, 28, 28));
                NDArray logits = loaded.model().getBlock().forward(new ParameterStore(step, false), new NDList(x), false)
                        .singletonOrThrow();
                NDArray y = step.create(val.labelBatch(idx), new Shape(idx.length));
                correct = logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
            }
            assertEquals(e.accuracy(), correct / (double) val.size(), 1e-12,
                    "the exported network, loaded without the supernet, scores the same");
        }
    }
}
