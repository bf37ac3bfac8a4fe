package io.sparknas.estimators.proxy;

import ai.djl.Device;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real DJL training on a small real Fashion-MNIST subset. */
class ProxyTrainingEstimatorTest {
    static Datasets.Split data;

    @BeforeAll
    static void loadData() {
        assumeTrue(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        data = Datasets.load(DataConfig.fashionMnist(100, 20));
    }

    static ProxyConfig small(double lr, double clip) {
        return new ProxyConfig(2, 32, lr, 0.9, 3e-4, clip, 8, 3, 2, 1, 5, 1);
    }

    static Candidate darts(String id, DartsGenotype g, long seed) {
        return new Candidate(id, DartsSpace.NAME, DartsText.format(g), new DartsSpace().canonicalKey(g), "random",
                List.of(), seed);
    }

    @Test
    void trainsADartsCandidateWellAboveChanceAndReportsItsCosts() {
        ProxyTrainingEstimator est = new ProxyTrainingEstimator(small(0.05, 5), data, Device.cpu());
        Evaluation e = est.evaluate(darts("c1", DartsGenotype.DARTS_V2, 1));
        assertTrue(e.isOk(), e.error());
        assertTrue(e.accuracy() > 0.3, "accuracy " + e.accuracy() + " on 10 classes; " + e.metrics());
        assertTrue(e.metric("params") > 1000);
        assertTrue(e.metric("flops") > e.metric("params"));
        assertTrue(e.metric("latency_ms_b1") > 0 && e.metric("latency_ms_batch") >= e.metric("latency_ms_b1"));
        assertTrue(e.metric("train_seconds") > 0);
        assertEquals(e.accuracy(), e.metric("epoch_02_val_accuracy"));
        assertEquals("cpu()", e.device());
    }

    @Test
    void sameSeedGivesTheSameAccuracyEvenWhenTwoCandidatesTrainAtOnce() throws Exception {
        ProxyTrainingEstimator est = new ProxyTrainingEstimator(small(0.05, 5), data, Device.cpu());
        Candidate a = darts("a", DartsGenotype.DARTS_V1, 7);
        Candidate b = new Candidate("b", Nb201Space.NAME,
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
                "k", "random", List.of(), 8);
        Evaluation soloA = est.evaluate(a);
        Evaluation soloB = est.evaluate(b);
        CompletableFuture<Evaluation> fa = CompletableFuture.supplyAsync(() -> est.evaluate(a));
        CompletableFuture<Evaluation> fb = CompletableFuture.supplyAsync(() -> est.evaluate(b));
        Evaluation ca = fa.get();
        Evaluation cb = fb.get();
        assertTrue(ca.isOk() && cb.isOk(), ca.error() + cb.error());
        assertEquals(soloA.accuracy(), ca.accuracy());
        assertEquals(soloB.accuracy(), cb.accuracy());
        assertEquals(soloA.metric("train_loss"), ca.metric("train_loss"));
    }

    @Test
    void repeatedEvaluationsInOneJvmAgree() {
        // The all-conv NB201 cell is where libtorch 2.7.1 on this CPU showed transient faults at the first use of a
        // network shape in a JVM: non-finite losses (the estimator's one retry hides them) and, about once in ten
        // test runs, a first evaluation that silently stayed at chance (0.10 against 0.36 for the runs after it;
        // docs/benchmarks.md). Every other evaluation of the same seed must agree exactly: of five, at least four.
        ProxyTrainingEstimator est = new ProxyTrainingEstimator(
                new ProxyConfig(1, 32, 0.05, 0.9, 3e-4, 5, 8, 3, 3, 2, 0, 1), data, Device.cpu());
        Candidate c = new Candidate("conv", Nb201Space.NAME,
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
                "k", "random", List.of(), 8);
        java.util.Map<Double, Integer> votes = new java.util.HashMap<>();
        for (int i = 0; i < 5; i++) {
            Evaluation e = est.evaluate(c);
            assertTrue(e.isOk(), e.error());
            votes.merge(e.accuracy(), 1, Integer::sum);
        }
        assertTrue(votes.values().stream().anyMatch(v -> v >= 4), "accuracies of five runs: " + votes);
    }

    @Test
    void divergingTrainingIsAFailedEvaluationAndTheEstimatorStaysUsable() {
        ProxyTrainingEstimator wild = new ProxyTrainingEstimator(small(10, 0), data, Device.cpu());
        Evaluation e = wild.evaluate(darts("nan", DartsGenotype.DARTS_V2, 3));
        assertFalse(e.isOk());
        assertTrue(e.error().contains("training loss became"), e.error());
        assertEquals(1.0, e.metric("retries"), "a divergence is retried once before it counts");
        assertTrue(Double.isNaN(e.accuracy()));
        Evaluation bad = wild.evaluate(new Candidate("bad", DartsSpace.NAME, "Genotype(normal=[", "k", "random", List.of(), 1));
        assertFalse(bad.isOk());
        assertTrue(bad.error().startsWith("invalid candidate"), bad.error());
        ProxyTrainingEstimator sane = new ProxyTrainingEstimator(small(0.05, 5), data, Device.cpu());
        assertTrue(sane.evaluate(darts("ok", DartsGenotype.DARTS_V2, 3)).isOk());
    }
}
