package io.sparknas.pipeline.core;

import io.sparknas.space.Evaluation;

/**
 * How many candidates a sweep evaluated, how many of them failed and how many were stopped early on purpose
 * (pruned: counted as evaluated, never as failed, so a scheduler's decisions do not trip the failure limit).
 */
public record Counts(int evaluated, int failed, int pruned) {
    public static final Counts ZERO = new Counts(0, 0, 0);

    public Counts plus(Evaluation e) {
        return new Counts(evaluated + 1, failed + (e.isFailed() ? 1 : 0),
                pruned + (e.status() == Evaluation.Status.PRUNED ? 1 : 0));
    }

    public Counts plusAll(Iterable<Evaluation> evaluations) {
        Counts c = this;
        for (Evaluation e : evaluations) {
            c = c.plus(e);
        }
        return c;
    }
}
