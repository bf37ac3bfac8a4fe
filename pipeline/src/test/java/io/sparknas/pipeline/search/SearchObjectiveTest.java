package io.sparknas.pipeline.search;

import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.latency.Nb201Ops;
import io.sparknas.space.latency.OpInstance;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.pareto.Penalty;
import io.sparknas.strategies.StrategyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Objectives beyond accuracy in the search job: a latency table's prediction, a constraint, MnasNet's penalty. */
class SearchObjectiveTest {
    /** A latency table of the NAS-Bench-201 benchmark network: conv3x3 dearest, skip free, a 1 ms constant. */
    static Path table(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder("device,engine,threads,space,op,channels_in,channels_out,size,stride,"
                + "net_ms\n");
        for (OpInstance i : Nb201Ops.distinct(Nb201NetworkConfig.benchmark())) {
            double ms = switch (i.op()) {
                case "nor_conv_3x3" -> 0.9;
                case "nor_conv_1x1" -> 0.3;
                case "avg_pool_3x3" -> 0.1;
                default -> 0.0;
            } * i.channelsIn() / 16.0;
            sb.append(String.format(Locale.ROOT, "cpu test,%s,1,nb201,%s,%d,%d,%d,%d,%.4f%n", ExecutorInfo.engine(),
                    i.op(), i.channelsIn(), i.channelsOut(), i.size(), i.stride(), ms));
        }
        sb.append("cpu test,").append(ExecutorInfo.engine()).append(",1,nb201,constant,0,0,0,0,1.0\n");
        Path p = dir.resolve("latency_table.csv");
        Files.writeString(p, sb.toString());
        return p;
    }

    static SweepConfig config(Path out, String strategy, SearchObjective objective) {
        return new SweepConfig("obj", out.toString(), new SpaceConfig("nb201", 4, List.of()),
                new StrategyConfig(strategy, 7, 8, 3, 0.3, true, 4, 200),
                TabularSpec.of(SearchLoopTest.TABLE, "cifar10-val", "cifar10-test"), SearchSettings.rounds(24, 6, 3),
                objective);
    }

    static SearchObjective objective(Path table, String penaltyCost, double target, String constraintCost,
                                     double max) {
        return new SearchObjective(table.toString(), new SearchObjective.PenaltySettings(penaltyCost, target, 0, -0.5),
                new SearchObjective.Constraint(constraintCost, max));
    }

    @Test
    void aLatencyConstraintKeepsEveryProposedCandidateWithinItAndEveryRowRecordsThePrediction(@TempDir Path dir)
            throws Exception {
        Path table = table(dir);
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), config(dir.resolve("s"), "evolution",
                objective(table, "", 0, Metrics.LATENCY_PREDICTED, 40)), s -> { }).run();
        List<Evaluation> rows = r.sweep().store().readAllCandidates();
        assertEquals(24, rows.size());
        for (Evaluation e : rows) {
            double predicted = e.metrics().get(Metrics.LATENCY_PREDICTED);
            assertTrue(predicted <= 40, e.candidate().genotype() + " predicted " + predicted);
        }
        // the same search without the constraint proposes networks above it: the constraint did the work
        SearchLoop.Result free = new SearchLoop(LocalSpark.get(), config(dir.resolve("free"), "evolution",
                objective(table, "", 0, "", 0)), s -> { }).run();
        assertTrue(free.sweep().store().readAllCandidates().stream()
                .anyMatch(e -> e.metrics().get(Metrics.LATENCY_PREDICTED) > 40));
    }

    @Test
    void aPenaltyTellsTheStrategyMnasNetsRewardAndAResumeReplaysIt(@TempDir Path dir) throws Exception {
        Path table = table(dir);
        SweepConfig cfg = config(dir.resolve("s"), "evolution", objective(table, Metrics.LATENCY_PREDICTED, 30, "", 0));
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        Evaluation best = r.best().orElseThrow();
        double raw = best.metrics().get("raw_accuracy");
        double cost = best.metrics().get(Metrics.LATENCY_PREDICTED);
        assertEquals(new Penalty(Metrics.LATENCY_PREDICTED, 30, 0, -0.5).reward(raw, cost), best.accuracy(), 1e-12);
        // committed rows keep the accuracy itself
        List<Evaluation> rows = r.sweep().store().readAllCandidates();
        assertTrue(rows.stream().noneMatch(e -> e.metrics().containsKey("raw_accuracy")));
        // a killed-and-resumed sweep (the last round's commit removed) replays the penalised tells
        deleteRound(dir.resolve("s"), 3);
        SearchLoop.Result again = new SearchLoop(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(SearchLoopTest.essence(r.sweep().store()), SearchLoopTest.essence(again.sweep().store()));
    }

    @Test
    void badObjectivesAreRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path table = table(dir);
        Path out = dir.resolve("s");
        Sweep.Refused tooTight = assertThrows(Sweep.Refused.class, () -> new SearchLoop(LocalSpark.get(),
                config(out, "evolution", objective(table, "", 0, Metrics.LATENCY_PREDICTED, 0.5)), s -> { }).run());
        assertTrue(tooTight.getMessage().contains("no network of the space meets latency_pred_ms <= 0.5")
                && tooTight.getMessage().contains("the cheapest: 1"), tooTight.getMessage());
        Sweep.Refused missing = assertThrows(Sweep.Refused.class, () -> new SearchLoop(LocalSpark.get(),
                config(out, "evolution", objective(dir.resolve("nope.csv"), "", 0, "", 0)), s -> { }).run());
        assertTrue(missing.getMessage().contains("./sparknas profile"), missing.getMessage());
        assertFalse(Files.exists(out), "nothing written");

        IllegalArgumentException noTable = assertThrows(IllegalArgumentException.class, () -> config(out,
                "evolution", new SearchObjective("", new SearchObjective.PenaltySettings("", 0, 0, 0),
                        new SearchObjective.Constraint(Metrics.LATENCY_PREDICTED, 3))));
        assertTrue(noTable.getMessage().contains("latencyTable is empty") && noTable.getMessage().contains("profile"),
                noTable.getMessage());
        IllegalArgumentException nsga = assertThrows(IllegalArgumentException.class, () -> new SweepConfig("obj",
                out.toString(), new SpaceConfig("nb201", 4, List.of()), new StrategyConfig("nsga2", 7, 8, 3, 0.3,
                true, 4, 200, List.of("accuracy", Metrics.LATENCY_PREDICTED)),
                TabularSpec.of(SearchLoopTest.TABLE, "cifar10-val", "cifar10-test"), SearchSettings.rounds(24, 6, 3),
                SearchObjective.NONE));
        assertTrue(nsga.getMessage().startsWith("strategy.objectives names latency_pred_ms"), nsga.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SearchObjective.Constraint(Metrics.LATENCY_MS_B1, 3));
        assertThrows(IllegalArgumentException.class, () -> new SearchObjective.PenaltySettings("flops", -1, 0, 0));
    }

    @Test
    void aSweepWithoutAnObjectiveKeepsItsHash(@TempDir Path dir) {
        SweepConfig plain = SearchLoopTest.config(dir, "evolution");
        SweepConfig none = new SweepConfig(plain.name(), plain.output(), plain.space(), plain.strategy(),
                plain.estimator(), plain.search(), SearchObjective.NONE);
        assertEquals(plain.hash(), none.hash());
        assertFalse(plain.semantics().contains("objective"));
    }

    static void deleteRound(Path sweep, int round) throws Exception {
        for (String table : List.of("candidates", "checkpoints")) {
            Path p = sweep.resolve(table).resolve("round=" + round);
            try (var paths = Files.walk(p)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
