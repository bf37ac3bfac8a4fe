package io.sparknas.pipeline.score;

import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.estimators.zerocost.ZeroCostConfig;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.space.TestData;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The score job on local Spark: cells scored in parts, each part committed on its own; a run stopped after two parts
 * resumes with the others only and ends with the rows of an unbroken run; proxies rank against the table.
 */
class ScoreSweepTest {
    static final String TABLE = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz")
            .toString();
    /** A small skeleton keeps the test fast; a real batch of Fashion-MNIST images for NASWOT. */
    static final Nb201NetworkConfig NET = new Nb201NetworkConfig(3, 32, 10, 8, 1);
    static final DartsNetworkConfig DARTS = new DartsNetworkConfig(3, 32, 10, 8, 3, 3);

    static ScoreConfig config(Path out, String space, int sample, List<String> proxies, DataConfig images) {
        return new ScoreConfig("score-test", out.toString(), space, sample, 3, 6, new ZeroCostConfig(proxies, 16, 1),
                NET, DARTS, images, space.equals("nb201") ? TABLE : "");
    }

    static DataConfig fashion() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST missing: sudo apt-get install dataset-fashion-mnist");
        return new DataConfig("fashion-mnist", "", 4, 1.0, 1, 0, 32);
    }

    static class Stopped extends RuntimeException {
    }

    /** Stops the run (as a kill would) once {@code n} parts are committed. */
    static Consumer<String> stopAfter(int n, List<String> lines) {
        int[] parts = {0};
        return line -> {
            lines.add(line);
            if (line.contains(" committed (") && ++parts[0] == n) {
                throw new Stopped();
            }
        };
    }

    static List<String> essence(List<ScoreSweep.ScoredCell> cells) {
        return cells.stream().map(c -> c.id() + " " + c.genotype() + " " + c.scores() + " " + c.errors()).toList();
    }

    @Test
    void aStoppedScoreResumesWithThePartsItLacksAndEndsWithTheRowsOfAnUnbrokenRun(@TempDir Path dir) {
        DataConfig images = fashion();
        List<String> proxies = List.of("synflow", "naswot", "params", "flops");
        List<String> lines = new ArrayList<>();
        ScoreConfig broken = config(dir.resolve("broken"), "nb201", 24, proxies, images);
        assertThrows(Stopped.class, () -> new ScoreSweep(LocalSpark.get(), broken, stopAfter(2, lines)).run());
        List<String> resumed = new ArrayList<>();
        ScoreSweep.Result r = new ScoreSweep(LocalSpark.get(), broken, resumed::add).run();
        assertTrue(resumed.contains("resuming: 2 of 4 parts of the scores committed; running the other 2"),
                String.join("\n", resumed));
        ScoreSweep.Result whole = new ScoreSweep(LocalSpark.get(), config(dir.resolve("whole"), "nb201", 24, proxies,
                images), line -> { }).run();
        assertEquals(24, r.cells().size());
        assertEquals(24, r.cells().stream().map(ScoreSweep.ScoredCell::id).distinct().count());
        assertEquals(essence(whole.cells()), essence(r.cells()), "the same seed scores every cell the same");
        assertTrue(r.cells().stream().allMatch(c -> c.scores().keySet().containsAll(List.of("synflow", "params",
                "flops")) && (c.scores().containsKey("naswot") || c.errors().containsKey("naswot"))));
        List<String> again = new ArrayList<>();
        new ScoreSweep(LocalSpark.get(), broken, again::add).run();
        assertTrue(again.stream().anyMatch(l -> l.startsWith("resuming: the scores are committed (4 parts")), again
                .toString());
    }

    @Test
    void dartsGenotypesAreDrawnAndScoredAndTheSpaceIsNeverEnumerated(@TempDir Path dir) {
        ScoreSweep.Result r = new ScoreSweep(LocalSpark.get(), config(dir, "darts", 4, List.of("synflow", "params"),
                null), line -> { }).run();
        assertEquals(4, r.cells().size());
        assertTrue(r.cells().stream().allMatch(c -> c.scores().get("synflow") > 0 && c.errors().isEmpty()),
                r.cells().toString());
        var refused = assertThrows(IllegalArgumentException.class, () -> config(dir, "darts", 0, List.of("params"),
                null));
        assertTrue(refused.getMessage().startsWith("score.space = darts cannot be enumerated"), refused.getMessage());
        var noData = assertThrows(IllegalArgumentException.class, () -> config(dir, "nb201", 0, List.of("snip"),
                null));
        assertTrue(noData.getMessage().startsWith("zero-cost proxies [snip] need images"), noData.getMessage());
    }

    @Test
    void sizeRanksOverTheSpaceButNotWithinEqualFlops() {
        Nb201Table table = Nb201Table.load(Path.of(TABLE));
        List<ScoreSweep.ScoredCell> cells = new ArrayList<>();
        ScoreConfig cfg = config(Path.of("unused"), "nb201", 0, List.of("params"), null);
        for (ScoreConfig.Cell c : cfg.cells()) {
            var cell = io.sparknas.space.nb201.Nb201Cell.parse(c.genotype());
            var cost = io.sparknas.space.nb201.Nb201CostModel.of(cell, Nb201NetworkConfig.benchmark());
            // params and, as a proxy that varies within equal FLOPs, the table's own CIFAR-100 validation accuracy
            cells.add(new ScoreSweep.ScoredCell(c.id(), c.genotype(), java.util.Map.of("params", (double) cost.params(),
                    "c100", table.value(cell, table.column("cifar100-val"))), java.util.Map.of()));
        }
        List<ScoreRanks.Rank> ranks = ScoreRanks.of(cells, table);
        ScoreRanks.Rank params = ranks.stream().filter(r -> r.proxy().equals("params") && r.column().equals(
                "cifar10-val") && r.band().equals(ScoreRanks.WHOLE)).findFirst().orElseThrow();
        assertEquals(15_625, params.cells());
        assertTrue(params.spearman() > 0.3 && params.kendall() > 0.2 && params.kendall() < params.spearman(),
                params.line());
        assertTrue(ranks.stream().noneMatch(r -> r.proxy().equals("params") && r.band().equals(ScoreRanks.EQUAL_FLOPS)),
                "params do not vary within equal FLOPs: no rank order there");
        ScoreRanks.Rank within = ranks.stream().filter(r -> r.proxy().equals("c100") && r.column().equals(
                "cifar10-val") && r.band().equals(ScoreRanks.EQUAL_FLOPS)).findFirst().orElseThrow();
        assertTrue(within.spearman() > 0.5 && within.cells() > 10_000, within.line());
    }
}
