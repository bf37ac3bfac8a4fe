package io.sparknas.pipeline.search;

import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.pipeline.core.ResultSchema;
import io.sparknas.pipeline.core.RowBuilder;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.strategies.StrategyConfig;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A search warm-started from a score sweep's Parquet evaluates the ranking's best first, on real local Spark. */
class WarmStartSearchTest {
    /** The columns of a score sweep's {@code scores} that a warm start reads. */
    static final StructType SCORES = ResultSchema.ddl("space STRING NOT NULL, id STRING NOT NULL, "
            + "genotype STRING NOT NULL, scores MAP<STRING, DOUBLE> NOT NULL");

    /** 40 cells whose 'synflow' grows with their index; one without it. */
    static String writeScores(Path dir) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(RowBuilder.of(SCORES).set("space", "nb201").set("id", String.format("%05d", i * 300))
                    .set("genotype", Nb201Cell.fromOrdinal(i * 300).text())
                    .set("scores", i == 39 ? Map.of("params", 1.0) : Map.of("synflow", (double) i, "params", 1.0))
                    .build());
        }
        String out = dir.resolve("scored").toString();
        LocalSpark.get().createDataFrame(rows, SCORES).write().parquet(out + "/scores");
        return out;
    }

    static SweepConfig config(Path out, String strategy, WarmStart warm) {
        SweepConfig base = SearchLoopTest.config(out, strategy);
        return new SweepConfig("w", out.toString(), base.space(), new StrategyConfig(strategy, 7, 8, 3, 0.3, true, 4,
                200), TabularSpec.of(SearchLoopTest.TABLE, "cifar10-val", "cifar10-test"),
                SearchSettings.rounds(12, 4, 2).withWarmStart(warm), SearchObjective.NONE);
    }

    @Test
    void theFirstCandidatesAreTheRankingsBestAndTheHashRecordsTheWarmStart(@TempDir Path dir) {
        String scored = writeScores(dir);
        SweepConfig cfg = config(dir.resolve("s"), "random", new WarmStart(scored, "synflow", 0));
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        List<String> firstRound = r.sweep().store().candidates().filter("round = 0").orderBy("candidate_id")
                .collectAsList().stream().map(row -> row.<String>getAs("genotype")).toList();
        List<String> best = List.of(38, 37, 36, 35).stream().map(i -> Nb201Cell.fromOrdinal(i * 300).text()).toList();
        assertEquals(best, firstRound, "cell 39 has no synflow score; 38 is the best scored");
        assertTrue(cfg.semantics().contains("\"warmStart\""), cfg.semantics());
        assertTrue(!config(dir.resolve("t"), "random", WarmStart.none()).semantics().contains("warmStart"));
    }

    @Test
    void severalProxiesRankByTheMeanOfTheirRanksAndTiesFallToTheSeed() {
        List<WarmStart.Scored> rows = List.of(new WarmStart.Scored("a", "A", new double[] {1, 30}),
                new WarmStart.Scored("b", "B", new double[] {2, 10}), new WarmStart.Scored("c", "C", new double[] {3, 20}),
                new WarmStart.Scored("d", "D", new double[] {3, 20}));
        WarmStart both = new WarmStart("x", "synflow+params", 0);
        List<String> ranked = both.rank(rows, 1);
        assertEquals(List.of("C", "D"), ranked.subList(0, 2).stream().sorted().toList(), "mean ranks 3, 3, 2.5, 1.5");
        assertEquals(List.of("A", "B"), ranked.subList(2, 4));
        boolean tieMoves = false;
        for (long seed = 0; seed < 20 && !tieMoves; seed++) {
            tieMoves = !both.rank(rows, seed).get(0).equals(ranked.get(0));
        }
        assertTrue(tieMoves, "the tie between C and D is broken by the seed");
        assertThrows(IllegalArgumentException.class, () -> new WarmStart("x", "synflow+zen", 0));
    }

    @Test
    void theFeaturesAreEachProxysRankInZeroToOneWithTiesAveraged() {
        List<WarmStart.Scored> rows = List.of(new WarmStart.Scored("a", "A", new double[] {1, 30}),
                new WarmStart.Scored("b", "B", new double[] {2, 10}), new WarmStart.Scored("c", "C", new double[] {3, 20}),
                new WarmStart.Scored("d", "D", new double[] {3, 20}));
        Map<String, double[]> f = WarmStart.features(rows);
        assertEquals(List.of("A", "B", "C", "D"), List.copyOf(f.keySet()));
        assertArrayEquals(new double[] {0, 1}, f.get("A"), 1e-12);
        assertArrayEquals(new double[] {1 / 3.0, 0}, f.get("B"), 1e-12);
        assertArrayEquals(new double[] {2.5 / 3, 1.5 / 3}, f.get("C"), 1e-12);
        assertArrayEquals(f.get("C"), f.get("D"), 1e-12);
    }

    @Test
    void aWarmStartedPredictorSearchTakesTheScoresAsFeaturesAndRunsItsBudget(@TempDir Path dir) {
        String scored = writeScores(dir);
        SweepConfig cfg = config(dir.resolve("p"), "predictor", new WarmStart(scored, "synflow+params", 0));
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        List<Row> rows = r.sweep().store().candidates().collectAsList();
        assertEquals(12, rows.size());
        assertEquals(4, rows.stream().filter(row -> "warm-start".equals(row.getAs("origin"))).count(),
                "the 4 initial samples are the ranking's best, then the predictor proposes");
        assertTrue(rows.stream().anyMatch(row -> "predictor".equals(row.getAs("origin"))));
    }

    @Test
    void aProxyNotScoredAndAControllerStrategyAreRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
        String scored = writeScores(dir);
        var unscored = assertThrows(Sweep.Refused.class, () -> new SearchLoop(LocalSpark.get(),
                config(dir.resolve("a"), "random", new WarmStart(scored, "naswot", 0)), s -> { }).run());
        assertTrue(unscored.getMessage().contains("has no 'naswot' scores of nb201 cells"), unscored.getMessage());
        var reinforce = assertThrows(Sweep.Refused.class, () -> new SearchLoop(LocalSpark.get(),
                config(dir.resolve("b"), "reinforce", new WarmStart(scored, "synflow", 0)), s -> { }).run());
        assertTrue(reinforce.getMessage().contains("cannot be warm-started"), reinforce.getMessage());
        var missing = assertThrows(Sweep.Refused.class, () -> new SearchLoop(LocalSpark.get(),
                config(dir.resolve("c"), "random", new WarmStart(dir.resolve("nothing").toString(), "synflow", 0)),
                s -> { }).run());
        assertTrue(missing.getMessage().contains("holds no committed scores"), missing.getMessage());
        assertTrue(!dir.resolve("a").toFile().exists() && !dir.resolve("b").toFile().exists());
    }
}
