package io.sparknas.pipeline.search;

import io.sparknas.space.TestData;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Settings;
import io.sparknas.strategies.StrategyConfig;
import io.sparknas.space.Candidate;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.fidelity.FidelityLoop;
import io.sparknas.strategies.fidelity.SchedulerConfig;
import io.sparknas.strategies.fidelity.Simulator;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ASHA on real local Spark with real (tiny) proxy training: promotions continue paused trainings; a kill resumes. */
class RungSearchTest {
    static final SchedulerConfig ASHA = new SchedulerConfig("asha", 1, 4, 2, 1);

    @BeforeAll
    static void data() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
    }

    static SweepConfig asha(Path out, String strategy, int budget, int inFlight) {
        ProxyConfig proxy = Settings.override(ProxyConfig.defaults(), "batchSize: 32, learningRate: 0.1, channels: 4, stemMultiplier: 2, "
                + "latencyRepeats: 0");
        ProxySpec spec = new ProxySpec(proxy, Settings.override(DataConfig.fashionMnist(40, 10), "resize: 12"));
        return new SweepConfig("asha", out.toString(), new SpaceConfig("nb201", 4, List.of()),
                new StrategyConfig(strategy, 5, 4, 2, 0.0, true, 4, 200), spec,
                new SearchSettings(budget, 4, 0, SearchMode.AUTO, inFlight, 1.0, 1).withScheduler(ASHA),
                SearchObjective.NONE);
    }

    static List<Row> events(Path sweep) {
        return new ResultStore(LocalSpark.get(), sweep.toString()).read("rungs").orderBy("seq").collectAsList();
    }

    /** The events as text without times, devices or metrics: what a resumed sweep must reproduce. */
    static List<String> decisions(Path sweep) {
        return events(sweep).stream().map(r -> r.getAs("seq") + " " + r.getAs("event") + " " + r.getAs("candidate_id")
                + " " + r.getAs("genotype") + " seed " + r.getAs("seed") + " rung " + r.getAs("rung") + " " + r.getAs("from_epochs") + "->" + r.getAs("epochs") + " "
                + r.getAs("accuracy")).toList();
    }

    @Test
    void ashaPausesMostCandidatesAndPromotedOnesContinueTheirSavedTraining(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("s");
        SearchLoop.Result r = new SearchLoop(LocalSpark.get(), asha(out, "random", 8, 2), System.out::println).run();
        List<Evaluation> rows = r.sweep().store().readRound(0);
        assertEquals(8, rows.size());
        List<Row> results = events(out).stream().filter(e -> e.getAs("event").equals("result")).toList();
        Set<String> trained = new HashSet<>();
        for (Row e : results) {
            assertEquals("OK", e.getAs("status"), e.toString());
            assertTrue(trained.add(e.getAs("candidate_id") + "@" + e.getAs("rung")), "no rung trained twice: " + e);
            int from = e.<Integer>getAs("from_epochs");
            assertEquals(from, (int) e.<Integer>getAs("resumed_from_epoch"), "a promotion continues where it paused");
            assertTrue(Files.isRegularFile(Path.of(e.<String>getAs("checkpoint"), "progress.json")), e.toString());
            assertTrue(e.<Long>getAs("state_bytes") > 0);
        }
        Map<String, Long> perRung = results.stream().collect(Collectors.groupingBy(e -> "rung " + e.getAs("rung"),
                Collectors.counting()));
        assertEquals(8L, perRung.get("rung 0"));
        assertTrue(perRung.get("rung 2") >= 1 && perRung.get("rung 1") < 8, perRung.toString());
        for (Evaluation e : rows) {
            boolean complete = trained.contains(e.candidate().id() + "@2");
            assertEquals(complete ? Evaluation.Status.OK : Evaluation.Status.PRUNED, e.status(), e.toString());
            assertTrue(complete || e.error().startsWith("paused by asha at rung"), e.error());
            assertTrue(e.metrics().containsKey("epoch_01_val_accuracy"), "every row keeps its curve");
        }
        assertTrue(r.best().isPresent() && r.best().get().isOk());
    }

    /**
     * The driver dies mid-sweep and the same sweep runs again. What a run that was never killed would have done is
     * the scheduler and the strategy run over the same results: the scheduler's code on one simulated slot (inFlight
     * is 1, so the order is fixed), replaying the accuracies the killed sweep recorded. That, not a second real
     * training, is the reference: now and then libtorch gives a seeded training a different result here (twice in
     * about 300 trainings of this test; docs/benchmarks.md, "Numerical reproducibility"), which made two real sweeps
     * differ for no fault of the scheduler's.
     */
    @Test
    void aKilledAshaSweepResumesWithTheSamePromotionsAndTrainsNoCommittedRungAgain(@TempDir Path dir) {
        Path killed = dir.resolve("killed");
        SweepConfig cfg = asha(killed, "evolution", 6, 1);
        class Killed extends RuntimeException {
        }
        assertThrows(Killed.class, () -> new SearchLoop(LocalSpark.get(), cfg, s -> { }, (seq, evaluations) -> {
            if (seq == 9) {
                throw new Killed(); // the driver dies after its fifth result (event 9)
            }
        }).run());
        List<String> beforeResume = decisions(killed);
        List<String> lines = new java.util.ArrayList<>();
        new SearchLoop(LocalSpark.get(), cfg, lines::add).run();
        assertTrue(lines.get(0).startsWith("resuming asha sweep asha: 10 events replayed"), lines.get(0));
        List<String> after = decisions(killed);
        assertEquals(beforeResume, after.subList(0, beforeResume.size()), "what was committed is kept as it was");
        assertEquals(unkilled(cfg, events(killed)), after, "the jobs a sweep that was never killed starts");
        Set<String> trained = new HashSet<>();
        for (Row e : events(killed)) {
            if (e.getAs("event").equals("result")) {
                assertTrue(trained.add(e.getAs("candidate_id") + "@" + e.getAs("rung")), "no rung trained twice: " + e);
                assertEquals(e.<Integer>getAs("from_epochs"), e.<Integer>getAs("resumed_from_epoch"),
                        "a promotion after the resume continues the state saved before the kill: " + e);
            }
        }
    }

    /**
     * The events a sweep never killed gives when its trainings report {@code recorded}'s accuracies: the sweep's
     * strategy (same configuration and seed) and scheduler run by the simulator on one slot.
     */
    static List<String> unkilled(SweepConfig cfg, List<Row> recorded) {
        Map<String, double[]> curves = new java.util.HashMap<>();
        for (Row e : recorded) {
            if (e.getAs("event").equals("result")) {
                double[] curve = curves.computeIfAbsent(e.getAs("candidate_id"), id -> new double[ASHA.maxEpochs()]);
                java.util.Arrays.fill(curve, e.<Integer>getAs("from_epochs"), e.<Integer>getAs("epochs"),
                        e.<Double>getAs("accuracy"));
            }
        }
        FidelityLoop loop = new FidelityLoop(Strategies.create(cfg.strategy(), cfg.space().create()),
                ASHA.create(cfg.budget()), cfg.budget());
        Simulator.Run run = Simulator.run(loop, c -> new Simulator.Curve(java.util.Objects.requireNonNull(
                curves.get(c.id()), "the unkilled sweep trains " + c.id() + ", which the killed one never did"), 1), 1, 0);
        List<String> events = new java.util.ArrayList<>();
        Map<String, Candidate> asked = new java.util.HashMap<>();
        for (Evaluation e : run.outcomes()) {
            asked.put(e.candidate().id(), e.candidate());
        }
        for (Simulator.Trained t : run.jobs()) {
            String job = t.candidateId() + " " + asked.get(t.candidateId()).genotype() + " seed "
                    + asked.get(t.candidateId()).seed() + " rung " + t.rung() + " " + t.fromEpochs() + "->"
                    + t.epochs() + " ";
            events.add(events.size() + " start " + job + "null");
            events.add(events.size() + " result " + job + t.accuracy());
        }
        return events;
    }

    @Test
    void aSchedulerNeedsAnEstimatorThatTrainsAndRungsThatFit(@TempDir Path dir) {
        SweepConfig ok = asha(dir, "random", 4, 1);
        IllegalArgumentException tabular = assertThrows(IllegalArgumentException.class, () -> new SweepConfig("t",
                dir.toString(), ok.space(), ok.strategy(), TabularSpec.of(SearchLoopTest.TABLE, "cifar10-val",
                "cifar10-test"), ok.search(), SearchObjective.NONE));
        assertTrue(tabular.getMessage().contains("needs an estimator that trains"), tabular.getMessage());
        IllegalArgumentException rounds = assertThrows(IllegalArgumentException.class, () -> new SearchSettings(4, 4,
                0, SearchMode.ROUNDS, 0, 1.0, 1, ASHA, WarmStart.none()));
        assertTrue(rounds.getMessage().contains("runs asynchronously"), rounds.getMessage());
    }
}
