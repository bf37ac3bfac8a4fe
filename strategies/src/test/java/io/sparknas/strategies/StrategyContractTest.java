package io.sparknas.strategies;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Operation;
import io.sparknas.space.SearchSpace;
import io.sparknas.space.darts.DartsEdge;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every strategy promises, on both spaces, against toy objectives (milliseconds, no Spark, no DJL). */
class StrategyContractTest {
    static final Nb201Space NB201 = new Nb201Space();
    static final DartsSpace DARTS = new DartsSpace();

    /** Toy NB201 objective: share of 3x3 convolutions, with 1x1 counting half. */
    static double nb201Toy(String text) {
        double s = 0;
        for (Operation op : Nb201Cell.parse(text).ops()) {
            s += op == Operation.NOR_CONV_3X3 ? 1 : op == Operation.NOR_CONV_1X1 ? 0.5 : 0;
        }
        return s / 6;
    }

    /** Toy DARTS objective: share of sep_conv_3x3 edges reading the cell inputs. */
    static double dartsToy(String text) {
        DartsGenotype g = DARTS.parse(text);
        double s = 0;
        for (DartsEdge e : g.normal().edges()) {
            s += e.op() == Operation.SEP_CONV_3X3 ? (e.input() < 2 ? 1 : 0.5) : 0;
        }
        return s / 8;
    }

    /** The toy objective as accuracy, and a toy cost (the genotype text's length) for multi-objective strategies. */
    static Evaluation evaluate(Candidate c, ToDoubleFunction<String> objective) {
        return Evaluation.ok(c, objective.applyAsDouble(c.genotype()), Map.of("flops", (double) c.genotype().length()),
                "toy", 0, 0);
    }

    static Stream<Arguments> strategies() {
        List<Arguments> out = new ArrayList<>();
        for (String name : Strategies.NAMES) {
            out.add(Arguments.of(name, NB201, (ToDoubleFunction<String>) StrategyContractTest::nb201Toy));
            out.add(Arguments.of(name, DARTS, (ToDoubleFunction<String>) StrategyContractTest::dartsToy));
        }
        return out.stream();
    }

    static StrategyConfig config(String name, long seed) {
        return new StrategyConfig(name, seed, 10, 3, 0.3, true, 5, 200);
    }

    /** Runs rounds of {@code batch} asks; returns every candidate asked. */
    static List<Candidate> run(Strategy s, ToDoubleFunction<String> objective, int rounds, int batch) {
        List<Candidate> all = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<Candidate> asked = s.ask(batch);
            assertEquals(batch, asked.size());
            all.addAll(asked);
            s.tell(asked.stream().map(c -> evaluate(c, objective)).toList());
        }
        return all;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("strategies")
    void proposesOnlyValidArchitecturesOfItsSpace(String name, SearchSpace<?> space, ToDoubleFunction<String> objective) {
        Strategy s = Strategies.create(config(name, 3), space);
        List<Candidate> proposed = run(s, objective, 8, 5);
        for (Candidate c : proposed) {
            assertEquals(space.name(), c.space());
            Object g = space.parse(c.genotype());
            assertEquals(c.key(), keyOf(space, g));
        }
        assertEquals(40, s.told());
        List<Long> seeds = proposed.stream().map(Candidate::seed).toList();
        assertEquals(seeds.size(), new java.util.HashSet<>(seeds).size(), "every candidate has a seed of its own");
        assertEquals(seeds, run(Strategies.create(config(name, 3), space), objective, 8, 5).stream()
                .map(Candidate::seed).toList(), "and the strategy's seed determines them");
    }

    @SuppressWarnings("unchecked")
    private static <G> String keyOf(SearchSpace<G> space, Object g) {
        return space.canonicalKey((G) g);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("strategies")
    void sameSeedSameSequenceOtherSeedOtherSequence(String name, SearchSpace<?> space, ToDoubleFunction<String> objective) {
        List<Candidate> a = run(Strategies.create(config(name, 11), space), objective, 6, 4);
        List<Candidate> b = run(Strategies.create(config(name, 11), space), objective, 6, 4);
        List<Candidate> c = run(Strategies.create(config(name, 12), space), objective, 6, 4);
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("strategies")
    void snapshotRestoredMidRunContinuesIdentically(String name, SearchSpace<?> space, ToDoubleFunction<String> objective) {
        Strategy original = Strategies.create(config(name, 5), space);
        run(original, objective, 3, 4);
        List<Candidate> pending = original.ask(3);           // asked but not told when the snapshot is taken
        String snapshot = original.snapshot();
        Strategy restored = Strategies.create(config(name, 99), space);
        restored.restore(snapshot);
        assertEquals(snapshot, restored.snapshot());
        List<Evaluation> results = pending.stream().map(c -> evaluate(c, objective)).toList();
        original.tell(results);
        restored.tell(results);
        assertEquals(run(original, objective, 4, 4), run(restored, objective, 4, 4));
        assertEquals(original.best(), restored.best());
    }

    @Test
    void regularizedEvolutionBeatsRandomSearchOnAToyObjective() {
        double rea = 0;
        double random = 0;
        int seeds = 30;
        for (int seed = 0; seed < seeds; seed++) {
            rea += bestAfter(Strategies.create(config(RegularizedEvolution.NAME, seed), NB201), 60);
            random += bestAfter(Strategies.create(config(RandomSearch.NAME, seed), NB201), 60);
        }
        assertTrue(rea / seeds > random / seeds + 0.02, "REA " + rea / seeds + " vs random " + random / seeds);
    }

    private static double bestAfter(Strategy s, int budget) {
        run(s, StrategyContractTest::nb201Toy, budget / 4, 4);
        return s.best().orElseThrow().accuracy();
    }

    @Test
    void randomSearchNeverProposesAnArchitectureTwice() {
        Strategy s = Strategies.create(config(RandomSearch.NAME, 1), NB201);
        List<Candidate> all = run(s, StrategyContractTest::nb201Toy, 50, 20);
        assertEquals(all.size(), all.stream().map(Candidate::key).distinct().count());
    }

    @Test
    void failuresAreToldAndNeverBecomeTheBest() {
        Strategy s = Strategies.create(config(RegularizedEvolution.NAME, 1), NB201);
        List<Candidate> asked = s.ask(4);
        List<Evaluation> results = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            results.add(i == 0 ? Evaluation.failed(asked.get(i), "out of memory", Map.of(), "toy", 0, 0)
                    : Evaluation.ok(asked.get(i), 0.1 * i, Map.of(), "toy", 0, 0));
        }
        s.tell(results);
        assertEquals(asked.get(3).id(), s.best().orElseThrow().candidate().id());
        assertEquals(4, s.told());
    }

    @Test
    void tellingAnUnknownCandidateIsAnError() {
        Strategy s = Strategies.create(config(RandomSearch.NAME, 1), NB201);
        Candidate stranger = new Candidate("x1", "nb201", Nb201Cell.fromOrdinal(7).text(), "k", "random", List.of(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.tell(List.of(evaluate(stranger, StrategyContractTest::nb201Toy))));
        assertTrue(e.getMessage().contains("did not ask for"), e.getMessage());
    }

    @Test
    void aSnapshotOfAnotherStrategyIsRefused() {
        String snap = Strategies.create(config(RandomSearch.NAME, 1), NB201).snapshot();
        Strategy rea = Strategies.create(config(RegularizedEvolution.NAME, 1), NB201);
        assertThrows(IllegalArgumentException.class, () -> rea.restore(snap));
    }

    @Test
    void badConfigurationsNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StrategyConfig("evolution", 1, 10, 25, 0, true, 5, 10));
        assertEquals("strategy.tournamentSize must be in [1, populationSize=10], got 25", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new StrategyConfig("annealing", 1, 10, 3, 0, true, 5, 10));
        assertTrue(e.getMessage().startsWith("strategy.name must be one of"), e.getMessage());
    }
}
