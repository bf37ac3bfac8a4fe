package io.sparknas.estimators;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;

/**
 * Turns one candidate into one evaluation: the one contract between the pipeline and every way of estimating
 * performance (proxy training, table look-up, and the kinds to come). Built once per executor JVM from an
 * {@link EstimatorSpec} (engine, dataset) and reused for every candidate that JVM evaluates; {@link #evaluate} is
 * called from several task threads at once and must be thread-safe. The {@link EvaluationContext} says where to
 * run (device), whom to tell after each epoch, whether to stop, and where to save the trained model. A failing
 * candidate (bad genotype, NaN loss, out of memory) is returned as an evaluation with status FAILED, never thrown.
 */
public interface Estimator extends AutoCloseable {

    Evaluation evaluate(Candidate candidate, EvaluationContext context);

    @Override
    default void close() {
    }
}
