package io.sparknas.strategies;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A search strategy as an ask/tell state machine (as Optuna's ask-and-tell, NNI's strategies): the caller asks
 * for candidates, evaluates them however it likes (Spark, a table, a test) and tells the results back. A strategy
 * never runs an evaluation itself. Call order: {@code ask} and {@code tell} in any interleaving; every asked
 * candidate should be told once (failures too). Not thread-safe: one driver thread owns it.
 *
 * <p>Deterministic: the same seed and the same told results give the same candidates; {@link #snapshot()}
 * captures everything (population, counters, RNG) so {@link #restore} continues identically.
 */
public interface Strategy {

    /** Short name, e.g. {@code evolution}. */
    String name();

    /** {@code n} new candidates; fewer only when the space is exhausted. */
    List<Candidate> ask(int n);

    /** Reports evaluations of asked candidates (matched by candidate id); unknown ids are an error. */
    void tell(List<Evaluation> evaluations);

    /** The whole state as JSON. */
    String snapshot();

    /** Replaces the state with one from {@link #snapshot()} of the same strategy and space. */
    void restore(String snapshot);

    /** The best successful evaluation told so far, by accuracy (the signal). */
    Optional<Evaluation> best();

    /**
     * Proposes {@code ranked} genotypes (best first) in place of its random draws until they run out; a strategy
     * that draws from a learned controller instead refuses.
     */
    default void warmStart(List<String> ranked) {
        throw new UnsupportedOperationException(name() + " draws from its controller, not at random: it cannot be "
                + "warm-started");
    }

    /**
     * Cheap scores of cells by genotype text (zero-cost proxies, size: each as its rank in [0, 1] among the scored
     * cells), free in the budget. A strategy that models accuracy takes them as features beside the encoding (the
     * predictor does); the others ignore them. Set before the first ask, and again before {@link #restore}.
     */
    default void cheapScores(Map<String, double[]> byGenotype) {
    }

    /** Number of evaluations told so far (failures included). */
    int told();
}
