package io.sparknas.pipeline;

import io.sparknas.space.Evaluation;

/** How many candidates a sweep evaluated and how many of them failed. */
public record Counts(int evaluated, int failed) {
    public static final Counts ZERO = new Counts(0, 0);

    public Counts plus(Evaluation e) {
        return new Counts(evaluated + 1, failed + (e.isOk() ? 0 : 1));
    }

    public Counts plusAll(Iterable<Evaluation> evaluations) {
        Counts c = this;
        for (Evaluation e : evaluations) {
            c = c.plus(e);
        }
        return c;
    }
}
