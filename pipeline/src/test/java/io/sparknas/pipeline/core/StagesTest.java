package io.sparknas.pipeline.core;

import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.StrategyConfig;
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
 * The core's stage contracts on real local Spark with the tabular estimator: a fixed list stopped half-way resumes
 * with the candidates it lacks; two ask stages of one sweep (id prefixes, their own rounds) stopped in the second
 * resume from the first one's checkpoint and the second one's replay, and end with the rows of an unbroken run.
 */
class StagesTest {
    static final String TABLE = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz")
            .toString();
    static final EstimatorSpec TABULAR = TabularSpec.of(TABLE, "cifar10-val", "cifar10-test");

    /** A sweep of the stages below, for {@link Sweep#open}. */
    record TestSweep(String name, String output) implements Sweep.Definition {
        @Override
        public String kind() {
            return "stages-test";
        }

        @Override
        public String semantics() {
            return "{\"kind\":\"stages-test\"}";
        }
    }

    static class Killed extends RuntimeException {
    }

    /** Throws after the {@code n}-th commit. */
    static CommitListener dieAfter(int n) {
        int[] commits = {0};
        return (seq, evaluations) -> {
            if (++commits[0] == n) {
                throw new Killed();
            }
        };
    }

    static SweepRun run(Path out, Consumer<String> log, CommitListener listener) {
        Sweep sweep = Sweep.open(LocalSpark.get(), new TestSweep("stages", out.toString()), ResultStore.CANDIDATES);
        return SweepRun.of(LocalSpark.get(), sweep, log, listener);
    }

    static List<Candidate> cells(int n) {
        Nb201Space space = new Nb201Space();
        SeededRandom rng = new SeededRandom(5);
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var cell = space.sample(rng);
            out.add(new Candidate(String.format("f%02d", i), Nb201Space.NAME, space.format(cell),
                    space.canonicalKey(cell), "fixed", List.of(), i));
        }
        return out;
    }

    static List<String> essence(List<Evaluation> evaluations) {
        return evaluations.stream().map(e -> e.candidate().id() + " " + e.candidate().genotype() + " "
                + e.candidate().seed() + " " + e.status() + " " + e.accuracy() + " " + e.metrics()).toList();
    }

    @Test
    void aFixedStageStoppedHalfWayResumesWithTheCandidatesItLacksAndEndsAsOneFile(@TempDir Path dir)
            throws Exception {
        List<Candidate> cells = cells(6);
        FixedStage stage = FixedStage.of("grid", 0, cells, TABULAR).withHook(e -> e.withMetrics(
                java.util.Map.of("hooked", 1.0)));
        List<Evaluation> clean = stage.run(run(dir.resolve("clean"), s -> { }, CommitListener.NONE));
        assertEquals(6, clean.size());
        assertTrue(clean.stream().allMatch(e -> e.metric("hooked") == 1.0), "the hook ran on every result");

        Path out = dir.resolve("stopped");
        assertThrows(Killed.class, () -> stage.run(run(out, s -> { }, dieAfter(3))));
        List<String> lines = new ArrayList<>();
        List<Evaluation> resumed = stage.run(run(out, lines::add, CommitListener.NONE));
        assertTrue(lines.get(0).startsWith("resuming: the grid has 3 of 6 candidates committed; evaluating the other"
                + " 3"), lines.toString());
        assertEquals(essence(clean), essence(resumed));
        try (var files = Files.list(out.resolve("candidates/round=0"))) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".parquet")
                    && !f.getFileName().toString().startsWith(".")).count(), "compacted into one file");
        }
        List<String> again = new ArrayList<>();
        stage.run(run(out, again::add, CommitListener.NONE));
        assertEquals(List.of("resuming: the grid is committed (6 candidates)"), again);
    }

    /** Two searches of one sweep, as OFA's per-budget searches: prefixes a- and b-, two rounds of 3 each. */
    static List<Evaluation> twoSearches(SweepRun run) {
        Nb201Space space = new Nb201Space();
        List<Evaluation> all = new ArrayList<>();
        String[] prefixes = {"a-", "b-"};
        for (int i = 0; i < 2; i++) {
            AskStage stage = AskStage.of(Strategies.create(StrategyConfig.of("evolution", 11 + i), space), 6,
                    new Pacing.Rounds(3, 0), TABULAR).labelled("search " + i).at(prefixes[i], 2 * i, 2);
            all.addAll(stage.run(run).evaluations());
        }
        return all;
    }

    @Test
    void askStagesOfOneSweepResumeFromTheirOwnCheckpointsAndReplays(@TempDir Path dir) {
        List<Evaluation> clean = twoSearches(run(dir.resolve("clean"), s -> { }, CommitListener.NONE));
        assertEquals(12, clean.size());
        assertTrue(clean.subList(0, 6).stream().allMatch(e -> e.candidate().id().startsWith("a-"))
                && clean.subList(6, 12).stream().allMatch(e -> e.candidate().id().startsWith("b-")), "prefixed ids");

        Path out = dir.resolve("stopped");
        assertThrows(Killed.class, () -> twoSearches(run(out, s -> { }, dieAfter(3)))); // after b-'s first round
        List<String> lines = new ArrayList<>();
        List<Evaluation> resumed = twoSearches(run(out, lines::add, CommitListener.NONE));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("search 0: resuming sweep stages: its 2 rounds are committed")
                && l.contains("the checkpoint of round 2")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("search 1: resuming sweep stages at round 2/2")
                && l.contains("a replay of every round")), lines.toString());
        assertEquals(essence(clean), essence(resumed));
    }
}
