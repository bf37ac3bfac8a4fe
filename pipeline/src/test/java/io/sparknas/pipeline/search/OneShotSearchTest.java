package io.sparknas.pipeline.search;

import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.spec.OneShotConfig;
import io.sparknas.estimators.spec.OneShotSpec;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.pipeline.core.SweepTrainingStage;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Settings;
import io.sparknas.space.TestData;
import io.sparknas.strategies.StrategyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A search whose estimator is a single-path supernet: trained once by the sweep, then every cell scored from it. */
class OneShotSearchTest {

    static SweepConfig oneshot(Path out, String space) {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        ProxyConfig proxy = Settings.override(ProxyConfig.defaults(), "batchSize: 32, learningRate: 0.1, channels: 4, "
                + "latencyRepeats: 0");
        OneShotSpec spec = new OneShotSpec(proxy, Settings.override(DataConfig.fashionMnist(40, 10), "resize: 12"),
                new OneShotConfig(2, OneShotConfig.UNIFORM, 100, 3, ""));
        return new SweepConfig("oneshot", out.toString(), new SpaceConfig(space, 4, List.of()),
                StrategyConfig.of("random", 5), spec, new SearchSettings(6, 3, 0, SearchMode.AUTO, 0, 1.0, 1),
                SearchObjective.NONE);
    }

    private static List<Path> checkpoints(Path out) throws Exception {
        try (Stream<Path> files = Files.list(out.resolve(SweepTrainingStage.DIR))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".ckpt")).toList();
        }
    }

    @Test
    void theSweepTrainsTheSupernetOnceScoresEveryCellFromItAndARerunDoesNotTrainAgain(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("s");
        List<String> log = new ArrayList<>();
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), oneshot(out, "nb201"), log::add).run();
        assertTrue(log.stream().anyMatch(l -> l.startsWith("training the estimator's supernet")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("supernet training epoch 2:")), log.toString());
        List<Path> ckpt = checkpoints(out);
        assertEquals(1, ckpt.size(), ckpt.toString());
        List<Evaluation> rows = new ArrayList<>(r.sweep().store().readRound(0));
        rows.addAll(r.sweep().store().readRound(1));
        assertEquals(6, rows.size());
        for (Evaluation e : rows) {
            assertTrue(e.isOk(), e.error());
            assertTrue(e.accuracy() >= 0 && e.accuracy() <= 1, e.toString());
        }
        assertTrue(rows.stream().mapToDouble(Evaluation::accuracy).distinct().count() > 1,
                "cells of one supernet score differently: " + rows);

        List<String> again = new ArrayList<>();
        new SearchLoop(LocalSpark.get(), oneshot(out, "nb201"), again::add).run();
        assertTrue(again.stream().anyMatch(l -> l.startsWith("resuming: the supernet is trained")), again.toString());
        assertTrue(again.stream().noneMatch(l -> l.startsWith("training the estimator's supernet")), again.toString());
        assertEquals(ckpt, checkpoints(out));
    }

    @Test
    void aOneShotEstimatorOverTheDartsSpaceIsRefusedInOneLine(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> oneshot(dir.resolve("d"), "darts"));
        assertEquals("estimator.kind = oneshot scores candidates of nb201 only, not space.name = darts; set "
                + "space.name = \"nb201\"", e.getMessage());
        assertTrue(Files.notExists(dir.resolve("d")));
    }
}
