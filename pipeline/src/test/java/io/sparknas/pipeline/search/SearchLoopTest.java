package io.sparknas.pipeline.search;

import io.sparknas.space.TestData;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.pipeline.core.CommitListener;
import io.sparknas.pipeline.core.FailureLimit;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.pipeline.core.ResultSchema;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.faults.FaultySpec;
import io.sparknas.space.Metrics;
import io.sparknas.space.Settings;
import io.sparknas.strategies.StrategyConfig;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The search loop on real local Spark with the tabular estimator (fast, deterministic). */
class SearchLoopTest {
    /** The NAS-Bench-201 table the project carries. */
    static final String TABLE = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz").toString();

    static SweepConfig config(Path out, String strategy) {
        return new SweepConfig("t", out.toString(), new SpaceConfig("nb201", 4, List.of()),
                new StrategyConfig(strategy, 7, 8, 3, 0.3, true, 4, 200),
                TabularSpec.of(TABLE, "cifar10-val", "cifar10-test"), 24, 6, 3);
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
        SearchLoop.Result result = new SearchLoop(LocalSpark.get(), config(dir.resolve("s"), "evolution"),
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
        assertEquals(config(dir, "evolution").hash(), any.getAs("config_hash"));
        assertEquals(org.apache.spark.package$.MODULE$.SPARK_VERSION(), any.getAs("spark_version"));
    }

    /** A candidate whose task fails on every attempt is a FAILED row; its round, the sweep and a resume go on. */
    @Test
    void aPoisonCandidateFailsAloneAndTheSweepGoesOn(@TempDir Path dir) {
        SweepConfig cfg = config(dir.resolve("p"), "evolution");
        SweepConfig poisoned = FaultySpec.of(cfg.estimator()).poisoning(java.util.Set.of("c000002", "c000009"))
                .applyTo(cfg);
        SearchLoop.Result result = new SearchLoop(LocalSpark.get(), poisoned, s -> { }).run();
        assertEquals(24, result.counts().evaluated());
        assertEquals(2, result.counts().failed());
        List<Row> failed = result.sweep().store().candidates().filter("status = 'FAILED'").orderBy("candidate_id")
                .collectAsList();
        assertEquals(List.of("c000002", "c000009"), failed.stream().map(r -> r.<String>getAs("candidate_id")).toList());
        for (Row r : failed) {
            assertTrue(r.<String>getAs("error").startsWith("its Spark task failed on every attempt")
                    && r.<String>getAs("error").contains("injected fault: candidate"), r.<String>getAs("error"));
        }
        // the other candidates of those rounds are the ones an unpoisoned sweep evaluates
        SearchLoop.Result clean = new SearchLoop(LocalSpark.get(), config(dir.resolve("c"), "evolution"), s -> { })
                .run();
        List<String> a = essence(result.sweep().store()).subList(0, 6);
        List<String> b = essence(clean.sweep().store()).subList(0, 6);
        for (int i = 0; i < 6; i++) {
            if (!a.get(i).contains("c000002")) {
                assertEquals(b.get(i), a.get(i));
            }
        }
        // a resume finds every round committed: nothing is evaluated again
        SearchLoop.Result resumed = new SearchLoop(LocalSpark.get(), poisoned, s -> { }).run();
        assertEquals(24, resumed.counts().evaluated());
        assertEquals(2, resumed.counts().failed());
    }

    @Test
    void searchWithRealDjlProxyTrainingCommitsTrainedCandidates(@TempDir Path dir) {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        EstimatorSpec proxy = new ProxySpec(Settings.override(ProxyConfig.defaults(),
                "epochs: 3, batchSize: 32, channels: 8, latencyRepeats: 2"),
                Settings.override(DataConfig.fashionMnist(50, 20), "resize: 16"));
        SweepConfig cfg = new SweepConfig("djl", dir.resolve("djl").toString(), new SpaceConfig("darts", 4, List.of()),
                new StrategyConfig("evolution", 5, 2, 2, 0.5, true, 4, 200), proxy, 4, 2, 0);
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(4, r.counts().evaluated());
        assertEquals(0, r.counts().failed());
        List<Row> rows = r.sweep().store().candidates().orderBy("candidate_id").collectAsList();
        assertEquals(4, rows.size());
        for (Row row : rows) {
            assertTrue(row.<Double>getAs("accuracy") > 0.25, "trained well above chance (0.1): " + row.getAs("accuracy"));
            assertTrue(row.<Long>getAs("params") > 0);
            assertTrue(row.<Double>getAs("train_seconds") > 0);
            assertTrue(row.<Double>getAs(Metrics.LATENCY_MS_B1) > 0);
            assertEquals("cpu()", row.getAs("device"));
        }
        assertTrue(List.of("mutation", "crossover").contains(rows.get(2).<String>getAs("origin")), "round 2 evolves round 1");
    }

    /** A driver that dies right after committing {@code round}, before the strategy's checkpoint of that round. */
    static CommitListener dieAfter(int round) {
        return (r, evaluations) -> {
            if (r == round) {
                throw new RuntimeException("driver killed after committing round " + round);
            }
        };
    }

    @ParameterizedTest(name = "killed after committing round {0}")
    @ValueSource(ints = {0, 1})
    void aDriverKilledAfterARoundResumesToTheRowsOfAnUninterruptedRun(int round, @TempDir Path dir) {
        ResultStore reference = new SearchLoop(LocalSpark.get(), config(dir.resolve("ref"), "evolution"),
                s -> { }).run().sweep().store();
        SweepConfig cfg = config(dir.resolve("crash"), "evolution");
        RuntimeException crash = assertThrows(RuntimeException.class,
                () -> new SearchLoop(LocalSpark.get(), cfg, s -> { }, dieAfter(round)).run());
        assertEquals("driver killed after committing round " + round, crash.getMessage());
        // round N is committed but its checkpoint is not: the resume restores the checkpoint before it (none for
        // round 0: the strategy starts from its seed) and replays round N
        List<String> lines = new ArrayList<>();
        SearchLoop.Result resumed = new SearchLoop(LocalSpark.get(), cfg, lines::add).run();
        assertEquals(round + 1, resumed.resumedRounds());
        assertTrue(lines.get(0).startsWith("resuming sweep t at round " + (round + 2) + "/4"), lines.get(0));
        assertTrue(lines.get(0).contains(round == 0 ? "a replay of every round" : "the checkpoint of round 1"),
                lines.get(0));
        assertEquals(essence(reference), essence(resumed.sweep().store()));
    }

    @Test
    void aRoundLeftHalfWrittenInStagingIsInvisibleAndTheResumeCompletes(@TempDir Path dir) throws Exception {
        ResultStore reference = new SearchLoop(LocalSpark.get(), config(dir.resolve("ref"), "evolution"),
                s -> { }).run().sweep().store();
        SweepConfig cfg = config(dir.resolve("crash"), "evolution");
        assertThrows(RuntimeException.class, () -> new SearchLoop(LocalSpark.get(), cfg, s -> { }, dieAfter(1)).run());
        // what a driver killed in the middle of writing round 2 leaves: a staging folder with a torn part file
        Path torn = Files.createDirectories(dir.resolve("crash/_staging/candidates-round=2-dead"));
        Files.write(torn.resolve("part-00000.parquet"), new byte[] {'P', 'A', 'R', '1', 0, 1, 2});
        ResultStore store = new ResultStore(LocalSpark.get(), cfg.output());
        assertEquals(12, store.candidates().count(), "readers see the committed rounds only");
        SearchLoop.Result resumed = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(essence(reference), essence(resumed.sweep().store()));
    }

    @Test
    void aStrayCopyOfARoundAndAnEmptiedCheckpointRoundDoNotStopAResume(@TempDir Path dir) throws Exception {
        List<String> reference = new SearchLoop(LocalSpark.get(), config(dir.resolve("ref"), "evolution"), s -> { })
                .run().sweep().store().readAllCandidates().stream().map(e -> e.candidate().id() + " "
                        + e.candidate().genotype() + " " + e.accuracy()).toList();
        SweepConfig cfg = config(dir.resolve("s"), "evolution");
        assertThrows(RuntimeException.class, () -> new SearchLoop(LocalSpark.get(), cfg, s -> { }, dieAfter(2)).run());
        try (var files = Files.list(dir.resolve("s/checkpoints/round=1"))) { // emptied: checkpoint 0 is the latest
            files.forEach(f -> f.toFile().delete());
        }
        Path stray = Files.createDirectories(dir.resolve("s/candidates/round=1.bak"));
        Files.writeString(stray.resolve("notes.txt"), "a copy someone kept");
        List<String> lines = new ArrayList<>();
        SearchLoop.Result resumed = new SearchLoop(LocalSpark.get(), cfg, lines::add).run();
        assertTrue(lines.get(0).contains("restored from the checkpoint of round 1"), lines.get(0));
        assertEquals(reference, resumed.sweep().store().readAllCandidates().stream().map(e -> e.candidate().id() + " "
                + e.candidate().genotype() + " " + e.accuracy()).toList());
    }

    @Test
    void aReplayThatDivergesFromTheCommittedRoundsIsRefused(@TempDir Path dir) throws Exception {
        SweepConfig cfg = config(dir.resolve("s"), "evolution");
        assertThrows(RuntimeException.class, () -> new SearchLoop(LocalSpark.get(), cfg, s -> { }, dieAfter(1)).run());
        // round 1 as another version of the strategy would have proposed it: one candidate with another cell
        ResultStore store = new ResultStore(LocalSpark.get(), cfg.output());
        Path round1 = dir.resolve("s/candidates/round=1");
        List<Row> rows = store.read(ResultStore.CANDIDATES).filter("round = 1").drop("round").orderBy("candidate_id")
                .collectAsList();
        List<Row> changed = new ArrayList<>();
        for (Row r : rows) {
            Object[] v = new Object[r.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
            }
            if (changed.isEmpty()) {
                v[r.fieldIndex("canonical_key")] = "0000000000000000";
            }
            changed.add(org.apache.spark.sql.RowFactory.create(v));
        }
        Path rewritten = dir.resolve("rewritten");
        LocalSpark.get().createDataFrame(changed, ResultSchema.CANDIDATES).coalesce(1).write()
                .parquet(rewritten.toString());
        try (var files = Files.list(round1)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        try (var files = Files.list(rewritten)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                Files.move(f, round1.resolve(f.getFileName()));
            }
        }
        Sweep.Mismatch e = assertThrows(Sweep.Mismatch.class,
                () -> new SearchLoop(LocalSpark.get(), cfg, s -> { }).run());
        assertTrue(e.getMessage().startsWith("replaying round 1: the strategy proposed c000006 "), e.getMessage());
        assertTrue(e.getMessage().contains("the store holds c000006 0000000000000000"), e.getMessage());
        assertEquals(12, store.candidates().count(), "nothing committed is touched");
    }

    @Test
    void aTaskThatThrowsOnceIsRetriedAndTheSweepCompletes(@TempDir Path dir) {
        List<String> reference = essence(new SearchLoop(LocalSpark.get(), config(dir.resolve("ref"), "random"),
                s -> { }).run().sweep().store());
        SweepConfig clean = config(dir.resolve("flaky"), "random");
        // this test needs Spark's task retries (two attempts); every other test runs with one
        List<String> flaky = new ArrayList<>();
        List<Row> rows = LocalSpark.withTaskRetries(2, spark -> {
            ResultStore store = new SearchLoop(spark, FaultySpec.of(clean.estimator()).failingFirstTaskAttempts()
                    .applyTo(clean), s -> { }).run().sweep().store();
            flaky.addAll(essence(store));
            return store.candidates().collectAsList();
        });
        assertEquals(reference, flaky);
        assertTrue(rows.stream().allMatch(r -> r.<Integer>getAs("task_attempt") == 1), "every row comes from a retry");
    }

    @Test
    void candidatesTheEstimatorCannotEvaluateAreFailedRows(@TempDir Path dir) {
        TabularSpec table = TabularSpec.of(TABLE, "cifar10-val", "cifar10-test");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new SweepConfig("d",
                dir.resolve("d").toString(), new SpaceConfig("darts", 4, List.of()), StrategyConfig.of("random", 1),
                table, 4, 2, 0));
        assertTrue(refused.getMessage().startsWith("estimator.kind = tabular scores candidates of nb201 only"),
                "a space the estimator declares it cannot score is refused up front: " + refused.getMessage());
        // an estimator that does not say which spaces it scores meets candidates it cannot evaluate
        SweepConfig darts = new SweepConfig("d", dir.resolve("d").toString(), new SpaceConfig("darts", 4, List.of()),
                StrategyConfig.of("random", 1), io.sparknas.pipeline.faults.FaultySpec.of(table), 4, 2, 0);
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
        new SearchLoop(LocalSpark.get(), config(dir.resolve("s"), "random"), s -> { }).run();
        Sweep.Mismatch e = assertThrows(Sweep.Mismatch.class,
                () -> new SearchLoop(LocalSpark.get(), config(dir.resolve("s"), "evolution"), s -> { }).run());
        assertTrue(e.getMessage().contains("--new-sweep"), e.getMessage());
        assertEquals(24, new ResultStore(LocalSpark.get(), dir.resolve("s").toString()).candidates().count(),
                "nothing committed is touched");
    }

    static SweepConfig withBudget(SweepConfig c, int budget) {
        return c.withBudget(budget);
    }

    /**
     * A scheduled sweep that adds evaluations: raising search.budget on resume continues the sweep where it stopped
     * (recorded in sweep.json with its history, the rows keeping the sweep's hash) and ends with exactly the
     * candidates of one run with the whole budget; lowering it is refused.
     */
    @Test
    void aRaisedBudgetContinuesTheSweepAsIfItHadBeenGivenFromTheStart(@TempDir Path dir) throws Exception {
        SweepConfig whole = config(dir.resolve("whole"), "evolution");
        SweepConfig first = withBudget(config(dir.resolve("grown"), "evolution"), 12);
        new SearchLoop(LocalSpark.get(), first, s -> { }).run();
        List<String> lines = new ArrayList<>();
        SearchLoop.Result grown = new SearchLoop(LocalSpark.get(), withBudget(first, 24), lines::add).run();
        assertEquals(2, grown.resumedRounds());
        assertEquals(24, grown.counts().evaluated());
        assertTrue(lines.get(0).contains("at round 3/4"), lines.toString());
        SearchLoop.Result once = new SearchLoop(LocalSpark.get(), whole, s -> { }).run();
        assertEquals(essence(once.sweep().store()), essence(grown.sweep().store()));

        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Files.readString(dir.resolve("grown/sweep.json")));
        assertEquals("[12, 24]", json.path("budgetHistory").findValues("budget").toString());
        assertEquals(1, grown.sweep().store().candidates().select("config_hash").distinct().count());
        assertEquals(first.hash(), grown.sweep().hash());

        Sweep.Mismatch lower = assertThrows(Sweep.Mismatch.class,
                () -> new SearchLoop(LocalSpark.get(), withBudget(first, 18), s -> { }).run());
        assertTrue(lower.getMessage().contains("may be raised on resume, not lowered"), lower.getMessage());
        Sweep.Mismatch original = assertThrows(Sweep.Mismatch.class,
                () -> new SearchLoop(LocalSpark.get(), first, s -> { }).run());
        assertTrue(original.getMessage().contains("budget of 24"), original.getMessage());
        // the same budget again: nothing to do, nothing changes
        SearchLoop.Result again = new SearchLoop(LocalSpark.get(), withBudget(first, 24), s -> { }).run();
        assertEquals(4, again.resumedRounds());
        assertEquals(essence(once.sweep().store()), essence(again.sweep().store()));
    }

    /**
     * A sweep whose candidates mostly fail (a table holding a tenth of the cells) stops once the failed share passes
     * search.maxFailedFraction, keeping its committed rounds; raising the fraction resumes it.
     */
    @Test
    void aSweepStopsPastItsMaxFailedFractionAndKeepsWhatItCommitted(@TempDir Path dir) throws Exception {
        List<String> lines;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(Path.of(TABLE)))) {
            lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        }
        Path partial = dir.resolve("tenth.csv");
        List<String> kept = new ArrayList<>(List.of(lines.get(0)));
        for (int i = 1; i < lines.size(); i += 10) {
            kept.add(lines.get(i));
        }
        Files.write(partial, kept);
        SweepConfig base = config(dir.resolve("s"), "random");
        SweepConfig strict = new SweepConfig(base.name(), base.output(), base.space(), base.strategy(),
                TabularSpec.of(partial.toString(), "cifar10-val", "cifar10-test"),
                new SearchSettings(24, 6, 3, SearchMode.ROUNDS, 0, 0.5), base.objective());
        FailureLimit.TooManyFailures stop = assertThrows(FailureLimit.TooManyFailures.class,
                () -> new SearchLoop(LocalSpark.get(), strict, s -> { }).run());
        assertTrue(stop.getMessage().contains("stopped after round 1") && stop.getMessage().contains("maxFailedFraction"),
                stop.getMessage());
        ResultStore store = new ResultStore(LocalSpark.get(), base.output());
        assertEquals(List.of(0), store.committedRounds(ResultStore.CANDIDATES), "round 1 is kept");
        SweepConfig lenient = new SweepConfig(strict.name(), strict.output(), strict.space(), strict.strategy(),
                strict.estimator(), SearchSettings.rounds(24, 6, 3), strict.objective());
        assertEquals(strict.hash(), lenient.hash(), "the fraction is not part of the hash");
        SearchLoop.Result done = new SearchLoop(LocalSpark.get(), lenient, s -> { }).run();
        assertEquals(24, done.counts().evaluated());
        assertTrue(done.counts().failed() > 12, "most candidates failed: " + done.counts());
    }
}
