package io.sparknas.strategies.fidelity;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.Strategy;
import io.sparknas.strategies.StrategyConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schedulers' decisions on synthetic learning curves, through the same loop the pipeline drives. */
class SchedulersTest {
    private static final Nb201Space SPACE = new Nb201Space();

    /** A curve per candidate from its seed: rises to a ceiling that differs by candidate, 1-3 s an epoch. */
    static Simulator.Curve curve(Candidate c) {
        java.util.Random r = new java.util.Random(c.seed());
        double ceiling = 0.5 + 0.45 * r.nextDouble();
        double rate = 0.2 + 0.6 * r.nextDouble();
        double[] acc = new double[27];
        for (int e = 1; e <= acc.length; e++) {
            acc[e - 1] = ceiling * (1 - Math.exp(-rate * e));
        }
        return new Simulator.Curve(acc, 1 + 2 * r.nextDouble());
    }

    static Strategy strategy(String name, long seed) {
        return Strategies.create(StrategyConfig.of(name, seed), SPACE);
    }

    static Simulator.Run simulate(String kind, int brackets, int budget, int slots, long seed) {
        SchedulerConfig cfg = new SchedulerConfig(kind, 1, 9, 3, brackets);
        return Simulator.run(new FidelityLoop(strategy("random", seed), cfg.create(budget), budget),
                SchedulersTest::curve, slots, 0.5);
    }

    @Test
    void ashaPromotesTheBestOfARungAsSoonAsOneInEtaIsThere() {
        // one slot, eta 3, rungs 1/3/9: after three rung-0 results the best of them goes to rung 1 at once
        Simulator.Run run = simulate("asha", 1, 12, 1, 4);
        List<Simulator.Trained> jobs = run.jobs();
        assertEquals(List.of(0, 0, 0), jobs.subList(0, 3).stream().map(Simulator.Trained::rung).toList());
        Simulator.Trained promoted = jobs.get(3);
        assertEquals(1, promoted.rung());
        assertEquals(1, promoted.fromEpochs(), "a promotion continues from the rung it paused at");
        double best = jobs.subList(0, 3).stream().mapToDouble(Simulator.Trained::accuracy).max().orElseThrow();
        assertEquals(best, jobs.subList(0, 3).stream().filter(j -> j.candidateId().equals(promoted.candidateId()))
                .findFirst().orElseThrow().accuracy());
    }

    @Test
    void everyPromotionUnderAshaWasInTheTopThirdOfItsRungWhenItWasMade() {
        Simulator.Run run = simulate("asha", 1, 60, 4, 9);
        List<Simulator.Trained> byEnd = new ArrayList<>(run.jobs());
        byEnd.sort(java.util.Comparator.comparingDouble(Simulator.Trained::end));
        for (Simulator.Trained j : run.jobs()) {
            if (j.rung() == 0) {
                continue;
            }
            List<Simulator.Trained> below = byEnd.stream().filter(b -> b.rung() == j.rung() - 1
                    && b.end() <= j.start()).toList();
            Simulator.Trained self = below.stream().filter(b -> b.candidateId().equals(j.candidateId())).findFirst()
                    .orElseThrow(() -> new AssertionError(j + " was promoted before its lower rung reported"));
            long better = below.stream().filter(b -> b.accuracy() > self.accuracy()).count();
            assertTrue(better < below.size() / 3, j + ": " + better + " of " + below.size() + " were better");
        }
        assertTrue(run.jobs().stream().anyMatch(j -> j.rung() == 2), "someone reached the top rung");
    }

    @Test
    void successiveHalvingKeepsTheTopThirdOfEachCompletedRung() {
        Simulator.Run run = simulate("sh", 1, 27, 4, 2);
        assertEquals(27, count(run, 0));
        assertEquals(9, count(run, 1));
        assertEquals(3, count(run, 2));
        List<Simulator.Trained> rung0 = run.jobs().stream().filter(j -> j.rung() == 0).sorted((a, b) ->
                Double.compare(b.accuracy(), a.accuracy())).toList();
        Set<String> top9 = new HashSet<>(rung0.subList(0, 9).stream().map(Simulator.Trained::candidateId).toList());
        assertEquals(top9, new HashSet<>(run.jobs().stream().filter(j -> j.rung() == 1)
                .map(Simulator.Trained::candidateId).toList()));
        double lastRung0 = rung0.stream().mapToDouble(Simulator.Trained::end).max().orElseThrow();
        assertTrue(run.jobs().stream().filter(j -> j.rung() == 1).allMatch(j -> j.start() >= lastRung0),
                "synchronous: rung 1 waits for all of rung 0");
    }

    @Test
    void hyperbandSplitsTheBudgetAsLiEtAlOverItsBrackets() {
        SuccessiveHalving hb = SuccessiveHalving.hyperband(List.of(1, 3, 9), 3, 3, 17);
        Simulator.Run run = Simulator.run(new FidelityLoop(strategy("random", 1), hb, 17), SchedulersTest::curve, 3,
                0);
        // brackets of 9 (from 1 epoch), 5 (from 3) and 3 (from 9) candidates
        assertEquals(9, run.jobs().stream().filter(j -> j.fromEpochs() == 0 && j.epochs() == 1).count());
        assertEquals(5, run.jobs().stream().filter(j -> j.fromEpochs() == 0 && j.epochs() == 3).count());
        assertEquals(3, run.jobs().stream().filter(j -> j.fromEpochs() == 0 && j.epochs() == 9).count());
    }

    @Test
    void ashaNeverIdlesASlotWhileItStartsCandidatesAndBeatsSynchronousHalvingOnManySlots() {
        for (int slots : new int[] {2, 16, 64}) {
            Simulator.Run asha = simulate("asha", 1, 256, slots, 3);
            assertEquals(1.0, asha.utilisationWhileStarting(), 1e-9, slots + " slots");
        }
        assertTrue(simulate("asha", 1, 64, 2, 3).utilisation() >= 0.95);
        // over the whole sweep, the tail counts too: fewer candidates than slots at a rung idle the rest under sh
        for (int[] c : new int[][] {{16, 64}, {64, 256}}) {
            double asha = simulate("asha", 1, c[1], c[0], 3).utilisation();
            double sh = simulate("sh", 1, c[1], c[0], 3).utilisation();
            assertTrue(asha > sh, c[0] + " slots, budget " + c[1] + ": asha " + asha + ", sh " + sh);
        }
    }

    @Test
    void theStrategyHearsEveryCandidateOnceWithTheHighestFidelityItReached() {
        List<Evaluation> told = new ArrayList<>();
        Strategy recording = new Recording(strategy("evolution", 5), told);
        SchedulerConfig cfg = new SchedulerConfig("asha", 1, 9, 3, 1);
        Simulator.Run run = Simulator.run(new FidelityLoop(recording, cfg.create(40), 40), SchedulersTest::curve, 4,
                0);
        assertEquals(40, told.size());
        assertEquals(40, new HashSet<>(told.stream().map(e -> e.candidate().id()).toList()).size());
        assertEquals(40, run.outcomes().size());
        for (Evaluation e : run.outcomes()) {
            int top = run.jobs().stream().filter(j -> j.candidateId().equals(e.candidate().id()))
                    .mapToInt(Simulator.Trained::epochs).max().orElseThrow();
            assertEquals(top == 9 ? Evaluation.Status.OK : Evaluation.Status.PRUNED, e.status(), e.toString());
            assertTrue(e.hasSignal());
        }
        assertTrue(told.stream().anyMatch(e -> e.status() == Evaluation.Status.PRUNED
                && e.error().contains("paused by asha at rung 0 (1 of 9 epochs)")));
    }

    @Test
    void theSameResultsInTheSameOrderGiveTheSameJobs() {
        assertEquals(simulate("asha", 2, 50, 5, 8).jobs(), simulate("asha", 2, 50, 5, 8).jobs());
    }

    @Test
    void badSchedulersAreRefusedInOneLine() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SchedulerConfig("asha", 1, 8, 1, 1))
                .getMessage().contains("eta must be >= 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SchedulerConfig("asha", 9, 3, 3, 1))
                .getMessage().contains("minEpochs <= maxEpochs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SchedulerConfig("asha", 1, 8, 3, 1))
                .getMessage().contains("do not reach maxEpochs=8"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SchedulerConfig("sh", 1, 9, 3, 2))
                .getMessage().contains("one bracket"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SchedulerConfig("often", 1, 9, 3, 1))
                .getMessage().contains("one of [none, sh, hyperband, asha]"));
    }

    private static long count(Simulator.Run run, int rung) {
        return run.jobs().stream().filter(j -> j.rung() == rung).count();
    }

    /** A strategy that records what it is told. */
    private record Recording(Strategy inner, List<Evaluation> heard) implements Strategy {
        public String name() {
            return inner.name();
        }

        public List<Candidate> ask(int n) {
            return inner.ask(n);
        }

        public void tell(List<Evaluation> evaluations) {
            heard.addAll(evaluations);
            inner.tell(evaluations);
        }

        public String snapshot() {
            return inner.snapshot();
        }

        public void restore(String snapshot) {
            inner.restore(snapshot);
        }

        public java.util.Optional<Evaluation> best() {
            return inner.best();
        }

        public int told() {
            return inner.told();
        }
    }

    static Function<Candidate, Simulator.Curve> curves() {
        return SchedulersTest::curve;
    }
}
