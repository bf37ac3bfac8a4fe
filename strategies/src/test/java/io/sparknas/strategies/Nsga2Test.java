package io.sparknas.strategies;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Operation;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.space.pareto.Objectives;
import io.sparknas.space.pareto.Pareto;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NSGA-II on a two-objective toy over all of NAS-Bench-201's cells, against random search (no Spark, no DJL). */
class Nsga2Test {
    static final Nb201Space SPACE = new Nb201Space();
    static final Objectives OBJECTIVES = new Objectives(List.of("accuracy", "flops"));

    /** Toy accuracy rewards 3x3 convolutions on early edges; toy cost counts parametric operations, weighted. */
    static Evaluation toy(Candidate c) {
        Nb201Cell cell = Nb201Cell.parse(c.genotype());
        double acc = 0;
        double cost = 0;
        for (int e = 0; e < Nb201Cell.EDGES; e++) {
            Operation op = cell.ops().get(e);
            double w = 1.0 / (1 + e);
            acc += op == Operation.NOR_CONV_3X3 ? w : op == Operation.NOR_CONV_1X1 ? 0.6 * w
                    : op == Operation.SKIP_CONNECT ? 0.2 * w : 0;
            cost += op == Operation.NOR_CONV_3X3 ? 9 : op == Operation.NOR_CONV_1X1 ? 1 : 0;
        }
        return Evaluation.ok(c, acc / 2.45, Map.of("flops", cost), "toy", 0, 0);
    }

    static double[][] vectors(List<Evaluation> es) {
        return es.stream().map(OBJECTIVES::minimised).toArray(double[][]::new);
    }

    /** Hypervolume of what {@code strategy} found in {@code budget} evaluations, over the true front's. */
    static double fraction(Strategy strategy, int budget, double[] reference, double truth) {
        List<Evaluation> seen = new ArrayList<>();
        while (seen.size() < budget) {
            List<Evaluation> round = strategy.ask(10).stream().map(Nsga2Test::toy).toList();
            strategy.tell(round);
            seen.addAll(round);
        }
        return Pareto.hypervolume2d(vectors(seen), reference) / truth;
    }

    @Test
    void nsga2FindsMoreOfTheFrontThanRandomSearchAtTheSameBudget() {
        List<Evaluation> all = new ArrayList<>();
        for (int i = 0; i < 15_625; i++) {
            Nb201Cell cell = Nb201Cell.fromOrdinal(i);
            all.add(toy(new Candidate("t" + i, Nb201Space.NAME, cell.text(), "k" + i, "all", List.of(), 0)));
        }
        double[][] points = vectors(all);
        List<Integer> front = Pareto.front(points);
        double[] nadir = Pareto.nadir(points, front);
        double[] reference = {nadir[0] + 1e-9, nadir[1] + 1e-9};
        double truth = Pareto.hypervolume2d(points, reference);
        double nsga = 0;
        double random = 0;
        int seeds = 10;
        for (int seed = 0; seed < seeds; seed++) {
            nsga += fraction(new Nsga2<>(SPACE, seed, 20, 0.2, true, OBJECTIVES), 150, reference, truth) / seeds;
            random += fraction(new RandomSearch<>(SPACE, seed), 150, reference, truth) / seeds;
        }
        assertTrue(nsga > random, "NSGA-II " + nsga + " against random " + random);
        assertTrue(nsga > 0.8, "NSGA-II covers most of the true front's hypervolume: " + nsga);
    }

    @Test
    void thePopulationKeepsTheFirstFrontAndIsCutByCrowding() {
        Nsga2<Nb201Cell> s = new Nsga2<>(SPACE, 3, 8, 0.0, true, OBJECTIVES);
        List<Evaluation> told = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            List<Evaluation> round = s.ask(8).stream().map(Nsga2Test::toy).toList();
            s.tell(round);
            told.addAll(round);
        }
        List<Nsga2.Member> pop = s.population();
        assertEquals(8, pop.size());
        // every member of the population's own first front is on the front of everything told so far, or dominated
        // only by members the population lost to crowding; at least the front's extremes are kept
        double[][] points = vectors(told);
        List<Integer> front = Pareto.front(points);
        double bestAccuracy = front.stream().mapToDouble(i -> -points[i][0]).max().orElseThrow();
        double cheapest = front.stream().mapToDouble(i -> points[i][1]).min().orElseThrow();
        assertTrue(pop.stream().anyMatch(m -> -m.objectives()[0] == bestAccuracy), "the most accurate is kept");
        assertTrue(pop.stream().anyMatch(m -> m.objectives()[1] == cheapest), "the cheapest is kept");

        Nsga2<Nb201Cell> restored = new Nsga2<>(SPACE, 99, 8, 0.0, true, OBJECTIVES);
        restored.restore(s.snapshot());
        assertEquals(s.ask(5), restored.ask(5), "a restored NSGA-II proposes the same children");
    }
}
