package io.sparknas.pipeline;

import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.space.Settings;
import io.sparknas.strategies.StrategyConfig;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The search loop on real local Spark with the tabular estimator (fast, deterministic). */
class SearchLoopTest {
    /** The NAS-Bench-201 table the project carries. */
    static final String TABLE = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz").toString();

    static SweepConfig config(Path out, String strategy, boolean failFirstAttempt) {
        return new SweepConfig("t", out.toString(), new SpaceConfig("nb201", 4, List.of()),
                new StrategyConfig(strategy, 7, 8, 3, 0.3, true, 4, 200),
                TabularSpec.of(TABLE, "cifar10-val", "cifar10-test"), 24, 6, 3, failFirstAttempt);
    }

    /** The rows that must be equal between runs (timings, executors and attempts may differ). */
    static List<String> essence(ResultStore store) {
        List<String> out = new ArrayList<>();
        for (Row r : store.candidates().orderBy("candidate_id").collectAsList()) {
            out.add(r.getAs("round") + " " + r.getAs("candidate_id") + " " + r.getAs("genotype") + " "
                    + r.getAs("origin") + " " + r.getList(r.fieldIndex("parents")) + " " + r.getAs("seed") + " "
                    + r.getAs("status") + " " + r.getAs("accuracy"));
        }
        return out;
    }

    @Test
    void searchOfSeveralRoundsWritesEveryCandidateToParquet(@TempDir Path dir) {
        List<String> lines = new ArrayList<>();
        SearchLoop.Result result = new SearchLoop(LocalSpark.get(), config(dir.resolve("s"), "evolution", false),
                lines::add).run();
        assertEquals(24, result.counts().evaluated());
        assertEquals(0, result.counts().failed());
        assertEquals(4, lines.size(), "one progress line per round");
        assertTrue(lines.get(3).startsWith("round 4/4  evaluated 24  failed 0  best 0."), lines.get(3));
        List<Row> rows = result.sweep().store().candidates().collectAsList();
        assertEquals(24, rows.size());
        assertEquals(List.of(0, 1, 2, 3), result.sweep().store().committedRounds(ResultStore.CANDIDATES));
        assertEquals(List.of(0, 1, 2, 3), result.sweep().store().committedRounds(ResultStore.CHECKPOINTS));
        assertTrue(rows.stream().anyMatch(r -> r.getAs("origin").equals("mutation") || r.getAs("origin").equals("crossover")));
        double best = rows.stream().mapToDouble(r -> r.<Double>getAs("accuracy")).max().orElseThrow();
        assertEquals(best, result.best().orElseThrow().accuracy());
        Row any = rows.get(0);
        assertEquals(config(dir, "evolution", false).hash(), any.getAs("config_hash"));
        assertEquals("4.2.0", any.getAs("spark_version"));
    }

    @Test
    void searchWithRealDjlProxyTrainingCommitsTrainedCandidates(@TempDir Path dir) {
        assumeTrue(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        EstimatorSpec proxy = new ProxySpec(Settings.override(ProxyConfig.defaults(),
                "epochs: 3, batchSize: 32, channels: 8, latencyRepeats: 2"),
                Settings.override(DataConfig.fashionMnist(50, 20), "resize: 16"));
        SweepConfig cfg = new SweepConfig("djl", dir.resolve("djl").toString(), new SpaceConfig("darts", 4, List.of()),
                new StrategyConfig("evolution", 5, 2, 2, 0.5, true, 4, 200), proxy, 4, 2, 0, false);
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(4, r.counts().evaluated());
        assertEquals(0, r.counts().failed());
        List<Row> rows = r.sweep().store().candidates().orderBy("candidate_id").collectAsList();
        assertEquals(4, rows.size());
        for (Row row : rows) {
            assertTrue(row.<Double>getAs("accuracy") > 0.25, "trained well above chance (0.1): " + row.getAs("accuracy"));
            assertTrue(row.<Long>getAs("params") > 0);
            assertTrue(row.<Double>getAs("train_seconds") > 0);
            assertTrue(row.<Double>getAs("latency_ms_b1") > 0);
            assertEquals("cpu()", row.getAs("device"));
        }
        assertTrue(List.of("mutation", "crossover").contains(rows.get(2).<String>getAs("origin")), "round 2 evolves round 1");
    }

    @Test
    void driverFailureAfterARoundResumesToTheRowsOfAnUninterruptedRun(@TempDir Path dir) {
        ResultStore reference = new SearchLoop(LocalSpark.get(), config(dir.resolve("ref"), "evolution", false),
                s -> { }).run().sweep().store();
        SweepConfig cfg = config(dir.resolve("crash"), "evolution", false);
        RuntimeException crash = assertThrows(RuntimeException.class, () -> new SearchLoop(LocalSpark.get(), cfg,
                s -> { }, round -> {
                    if (round == 1) {
                        throw new RuntimeException("driver killed after committing round 1");
                    }
                }).run());
        assertEquals("driver killed after committing round 1", crash.getMessage());
        // round 1 is committed but its checkpoint is not: the resume restores round 0's checkpoint and replays round 1
        List<String> lines = new ArrayList<>();
        SearchLoop.Result resumed = new SearchLoop(LocalSpark.get(), cfg, lines::add).run();
        assertEquals(2, resumed.resumedRounds());
        assertTrue(lines.get(0).startsWith("resuming sweep t at round 3/4"), lines.get(0));
        assertEquals(essence(reference), essence(resumed.sweep().store()));
    }

    @Test
    void aTaskThatThrowsOnceIsRetriedAndTheSweepCompletes(@TempDir Path dir) {
        ResultStore reference = new SearchLoop(LocalSpark.get(), config(dir.resolve("ref"), "random", false),
                s -> { }).run().sweep().store();
        SearchLoop.Result flaky = new SearchLoop(LocalSpark.get(), config(dir.resolve("flaky"), "random", true),
                s -> { }).run();
        assertEquals(essence(reference), essence(flaky.sweep().store()));
        List<Row> rows = flaky.sweep().store().candidates().collectAsList();
        assertTrue(rows.stream().allMatch(r -> r.<Integer>getAs("task_attempt") == 1), "every row comes from a retry");
    }

    @Test
    void candidatesTheEstimatorCannotEvaluateAreFailedRows(@TempDir Path dir) {
        SweepConfig darts = new SweepConfig("d", dir.resolve("d").toString(), new SpaceConfig("darts", 4, List.of()),
                StrategyConfig.of("random", 1), TabularSpec.of(TABLE, "cifar10-val", "cifar10-test"), 4, 2, 0, false);
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), darts, s -> { }).run();
        assertEquals(4, r.counts().failed());
        assertFalse(r.best().isPresent());
        Row row = r.sweep().store().candidates().first();
        assertEquals("FAILED", row.getAs("status"));
        assertTrue(row.<String>getAs("error").contains("NAS-Bench-201"), row.<String>getAs("error"));
        assertTrue(row.isNullAt(row.fieldIndex("accuracy")));
    }

    @Test
    void aDifferentConfigurationOnAnExistingSweepIsRefused(@TempDir Path dir) {
        new SearchLoop(LocalSpark.get(), config(dir.resolve("s"), "random", false), s -> { }).run();
        Sweep.Mismatch e = assertThrows(Sweep.Mismatch.class,
                () -> new SearchLoop(LocalSpark.get(), config(dir.resolve("s"), "evolution", false), s -> { }).run());
        assertTrue(e.getMessage().contains("--new-sweep"), e.getMessage());
        assertEquals(24, new ResultStore(LocalSpark.get(), dir.resolve("s").toString()).candidates().count(),
                "nothing committed is touched");
    }
}
