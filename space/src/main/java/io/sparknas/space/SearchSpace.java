package io.sparknas.space;

import java.util.List;
import java.util.Random;

/**
 * A discrete search space: how to draw, vary, identify and print its architectures. Strategies are written
 * against this interface only, so every strategy runs on every space. All randomness comes from the
 * caller's generator; implementations hold no mutable state and are thread-safe.
 *
 * @param <G> the genotype type, an immutable value
 */
public interface SearchSpace<G> {

    /** Short name recorded with every result, e.g. {@code darts} or {@code nb201}. */
    String name();

    /** A uniformly drawn architecture. */
    G sample(Random rng);

    /** A valid architecture that differs from {@code parent} by one small edit (one op or one input). */
    G mutate(G parent, Random rng);

    /** A valid child whose parts come from the two parents (uniform per node, or one-point). */
    G crossover(G a, G b, Random rng);

    /** Every architecture reachable by one edit, in a fixed order (for local search). */
    List<G> neighbours(G genotype);

    /** A key under which equivalent architectures are equal (dedup, Parquet key). */
    String canonicalKey(G genotype);

    /** The space's own text form; {@code parse(format(g)).equals(g)}. */
    String format(G genotype);

    /** Parses the text form; a bad string gets an error that says where and what was expected. */
    G parse(String text);

    /** A fixed-length numeric encoding for learned predictors. */
    double[] encode(G genotype);
}
