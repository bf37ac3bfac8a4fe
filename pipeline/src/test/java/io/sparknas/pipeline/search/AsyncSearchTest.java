package io.sparknas.pipeline.search;

import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SparkStopped;
import io.sparknas.pipeline.faults.FaultySpec;
import io.sparknas.strategies.StrategyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The asynchronous search on real local Spark with the tabular estimator. */
class AsyncSearchTest {
    static SweepConfig async(Path out, String strategy, int budget) {
        return new SweepConfig("async", out.toString(), new SpaceConfig("nb201", 4, List.of()),
                new StrategyConfig(strategy, 7, 8, 3, 0.3, true, 4, 200),
                TabularSpec.of(SearchLoopTest.TABLE, "cifar10-val", "cifar10-test"),
                new SearchSettings(budget, 6, 0, SearchMode.ASYNC, 3, 1.0), SearchObjective.NONE);
    }

    /** Each committed file's rows as text, by file name: what a resume must leave untouched. */
    static List<String> files(Path sweep) throws Exception {
        List<String> out = new ArrayList<>();
        try (var files = Files.list(sweep.resolve("candidates/round=0"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".parquet")
                    && !f.getFileName().toString().startsWith(".")).sorted().toList()) {
                out.add(f.getFileName() + " " + Files.size(f));
            }
        }
        return out;
    }

    /** The committed tells as text (sequence, asked before, candidate, genotype, accuracy). */
    static List<String> told(Path sweep) {
        return new ResultStore(LocalSpark.get(), sweep.toString()).readTold(0).stream().map(t -> t.tellSeq() + " "
                + t.askedBefore() + " " + t.evaluation().candidate().id() + " " + t.evaluation().candidate().genotype()
                + " " + t.evaluation().accuracy()).toList();
    }

    @Test
    void everyCandidateIsCommittedOnItsOwnWithItsTellOrderAndAKilledSweepResumesWithoutLossOrDuplicate(
            @TempDir Path dir) throws Exception {
        Path out = dir.resolve("s");
        SweepConfig cfg = async(out, "evolution", 24);
        class Killed extends RuntimeException {
        }
        assertThrows(Killed.class, () -> new SearchLoop(LocalSpark.get(), cfg, s -> { },
                (seq, evaluations) -> {
                    if (seq == 9) {
                        throw new Killed(); // the driver dies right after its tenth commit
                    }
                }).run());
        assertEquals(10, files(out).size(), "every told candidate was committed on its own: " + files(out));
        List<String> beforeResume = told(out);

        List<String> lines = new ArrayList<>();
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), cfg, lines::add).run();
        assertTrue(lines.get(0).startsWith("resuming asynchronous sweep async: 10 of 24 candidates told"), lines.get(0));
        assertTrue(lines.get(1).startsWith("told 11/24"), lines.get(1));
        assertEquals(24, r.counts().evaluated());
        assertTrue(told(out).containsAll(beforeResume), "what was committed before the kill is kept as it was");
        assertEquals(1, files(out).size(), "compacted at the end: " + files(out));
        assertTrue(lines.get(lines.size() - 1).startsWith("compacted 24 files"), lines.toString());
        List<ResultStore.Told> told = r.sweep().store().readTold(0);
        assertEquals(IntStream.range(0, 24).boxed().toList(), told.stream().map(ResultStore.Told::tellSeq).toList());
        Set<String> ids = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (ResultStore.Told t : told) {
            assertTrue(ids.add(t.evaluation().candidate().id()), "no duplicate: " + t.evaluation().candidate().id());
            keys.add(t.evaluation().candidate().key());
            assertTrue(t.askedBefore() > t.tellSeq() && t.askedBefore() <= 24, "asked before tell: " + t);
        }
        assertTrue(told.stream().anyMatch(t -> t.evaluation().candidate().origin().equals("mutation")
                || !t.evaluation().candidate().parents().isEmpty()), "evolution went past its population");

        // a finished sweep replays every tell in order (the strategy proposes the same candidates) and does nothing
        SearchLoop.Result again = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(24, again.counts().evaluated());
        assertEquals(r.best().orElseThrow().candidate().id(), again.best().orElseThrow().candidate().id());
        // raising the budget continues it
        List<String> complete = told(out);
        SearchLoop.Result more = new SearchLoop(LocalSpark.get(), cfg.withBudget(30), s -> { }).run();
        assertEquals(30, more.sweep().store().readTold(0).size());
        assertTrue(told(out).containsAll(complete), "compaction and extension keep every committed row");
        // rounds and async are different sweeps
        assertNotEquals(cfg.hash(), SearchLoopTest.config(out, "evolution").hash());
    }

    @Test
    void theAsynchronousSearchKeepsItsSlotsBusyAndEveryStrategyRunsOnIt(@TempDir Path dir) {
        for (String strategy : List.of("random", "evolution", "local", "nsga2", "reinforce")) {
            SearchLoop.Result r = new SearchLoop(LocalSpark.get(), async(dir.resolve(strategy), strategy, 12),
                    s -> { }).run();
            assertEquals(12, r.counts().evaluated(), strategy);
            assertEquals(12, r.sweep().store().readTold(0).stream().map(t -> t.evaluation().candidate().id())
                    .distinct().count(), strategy);
        }
    }

    /**
     * A candidate whose Spark job fails is run again, up to search.maxAttempts jobs: one that fails only its first
     * job ends OK, one that fails every job is a FAILED row naming its attempts; the sweep completes.
     */
    @Test
    void aCandidateWhoseJobFailsIsRunAgainUpToMaxAttemptsThenCommittedAsFailed(@TempDir Path dir) {
        SweepConfig base = async(dir.resolve("s"), "random", 10);
        SweepConfig cfg = new SweepConfig(base.name(), base.output(), base.space(), base.strategy(),
                FaultySpec.of(base.estimator()).poisoning(Set.of("c000003")).failingFirstJobOf(Set.of("c000005")),
                new SearchSettings(10, 6, 0, SearchMode.ASYNC, 3, 1.0, 2), SearchObjective.NONE);
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(10, r.counts().evaluated());
        assertEquals(1, r.counts().failed());
        var byId = new java.util.HashMap<String, io.sparknas.space.Evaluation>();
        r.sweep().store().readTold(0).forEach(t -> byId.put(t.evaluation().candidate().id(), t.evaluation()));
        assertTrue(byId.get("c000005").isOk(), "its second job passed: " + byId.get("c000005").error());
        io.sparknas.space.Evaluation failed = byId.get("c000003");
        assertTrue(!failed.isOk() && failed.error().contains("(2 Spark jobs, search.maxAttempts)"), failed.error());
        assertEquals(2.0, failed.metric("attempts"));
    }

    /**
     * Spark stopped mid-candidate (what SIGTERM, yarn application -kill or a pod eviction do to the driver's context):
     * the candidates that were running are not committed as failed, the sweep stops saying so, and a resume ends with
     * every candidate and no failure.
     */
    @Test
    void aSweepWhoseSparkStopsMidCandidateRecordsNoFalseFailureAndResumes(@TempDir Path dir) {
        SweepConfig base = async(dir.resolve("s"), "random", 10);
        // every candidate after the first three trains "long": when Spark stops, every slot runs one and none has ended
        FaultySpec hanging = FaultySpec.of(base.estimator()).hangingFirstJobOf(Set.of("c000003", "c000004",
                "c000005", "c000006", "c000007", "c000008", "c000009"));
        SweepConfig cfg = hanging.applyTo(base);
        org.apache.spark.sql.SparkSession spark = LocalSpark.get();
        Thread stopping = new Thread(() -> { // once every slot trains, Spark stops, as its shutdown hook on SIGTERM
            long deadline = System.currentTimeMillis() + 60_000; // else the assertions below say what did not happen
            while (hanging.hangingNow() < spark.sparkContext().defaultParallelism()
                    && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
            spark.stop();
        });
        stopping.start();
        SparkStopped stopped = assertThrows(SparkStopped.class, () -> new SearchLoop(spark, cfg, s -> { }).run());
        try {
            stopping.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        hanging.releaseHangs();
        assertTrue(stopped.getMessage().contains("no running candidate was recorded as failed"), stopped.getMessage());
        ResultStore after = new ResultStore(LocalSpark.get(), cfg.output());
        List<ResultStore.Told> kept = after.readTold(0);
        assertTrue(kept.size() >= 3 && kept.size() < 10, kept.size() + " committed before the stop");
        assertTrue(kept.stream().allMatch(t -> t.evaluation().isOk()), "nothing false was committed: "
                + kept.stream().map(t -> t.evaluation().error()).toList());
        SearchLoop.Result resumed = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(10, resumed.counts().evaluated());
        assertEquals(0, resumed.counts().failed());
    }

    @Test
    void autoModeIsAsynchronousForTrainedEstimatorsAndRoundsForTables(@TempDir Path dir) {
        SweepConfig table = async(dir, "random", 8);
        SearchSettings auto = new SearchSettings(8, 4, 0, SearchMode.AUTO, 0, 1.0, 1);
        assertEquals(SearchMode.ROUNDS, new SweepConfig("t", dir.toString(), table.space(), table.strategy(),
                table.estimator(), auto, SearchObjective.NONE).search().mode());
        var proxy = new io.sparknas.estimators.spec.ProxySpec(io.sparknas.estimators.proxy.ProxyConfig.defaults(),
                io.sparknas.estimators.data.DataConfig.fashionMnist(10, 5));
        assertEquals(SearchMode.ASYNC, new SweepConfig("p", dir.toString(), new SpaceConfig("darts", 4,
                List.of()), table.strategy(), proxy, auto, SearchObjective.NONE).search().mode());
    }
}
