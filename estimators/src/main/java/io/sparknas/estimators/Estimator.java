package io.sparknas.estimators;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;

/**
 * Turns one candidate into one evaluation. Built once per executor JVM (engine, dataset, device) and reused
 * for every candidate that JVM evaluates; {@link #evaluate} is called from several task threads at once and
 * must be thread-safe. A failing candidate (bad genotype, NaN loss, out of memory) is returned as an
 * evaluation with status FAILED, never thrown.
 */
public interface Estimator extends AutoCloseable {

    /** A short name recorded with every result, e.g. {@code proxy} or {@code tabular}. */
    String name();

    Evaluation evaluate(Candidate candidate);

    @Override
    default void close() {
    }
}
