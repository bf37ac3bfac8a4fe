package io.sparknas.space;

import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * A space cut down to the architectures a constraint accepts (a FLOP budget, a latency bound): drawing, mutation
 * and crossover re-draw until they give a feasible one (OFA's constrained evolution: "infeasible children are
 * re-drawn"), up to {@value #TRIES} tries, after which the constraint is reported as too tight. Everything else is
 * the inner space's, so every strategy runs on it unchanged.
 */
public record ConstrainedSpace<G>(SearchSpace<G> inner, Predicate<G> feasible, String constraint)
        implements SearchSpace<G> {
    public static final int TRIES = 10_000;

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public G sample(Random rng) {
        for (int i = 0; i < TRIES; i++) {
            G g = inner.sample(rng);
            if (feasible.test(g)) {
                return g;
            }
        }
        throw new IllegalArgumentException("no architecture of " + inner.name() + " drawn in " + TRIES + " tries meets "
                + constraint);
    }

    /** A feasible mutant; a parent whose every mutant is infeasible gives a fresh feasible draw. */
    @Override
    public G mutate(G parent, Random rng) {
        for (int i = 0; i < 100; i++) {
            G g = inner.mutate(parent, rng);
            if (feasible.test(g)) {
                return g;
            }
        }
        return sample(rng);
    }

    @Override
    public G crossover(G a, G b, Random rng) {
        for (int i = 0; i < 100; i++) {
            G g = inner.crossover(a, b, rng);
            if (feasible.test(g)) {
                return g;
            }
        }
        return feasible.test(a) ? a : sample(rng);
    }

    @Override
    public List<G> neighbours(G genotype) {
        return inner.neighbours(genotype).stream().filter(feasible).toList();
    }

    @Override
    public String canonicalKey(G genotype) {
        return inner.canonicalKey(genotype);
    }

    @Override
    public String format(G genotype) {
        return inner.format(genotype);
    }

    @Override
    public G parse(String text) {
        return inner.parse(text);
    }

    @Override
    public double[] encode(G genotype) {
        return inner.encode(genotype);
    }
}
