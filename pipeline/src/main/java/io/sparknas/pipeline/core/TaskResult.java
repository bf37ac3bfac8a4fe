package io.sparknas.pipeline.core;

import io.sparknas.space.Evaluation;

import java.io.Serializable;
import java.util.function.UnaryOperator;

/** An evaluation as it comes back from a Spark task, with where it ran. */
public record TaskResult(Evaluation evaluation, String executor, String host, int attempt) implements Serializable {

    /** The same result with its evaluation changed on the driver (a hook that adds metrics). */
    public TaskResult map(UnaryOperator<Evaluation> change) {
        return new TaskResult(change.apply(evaluation), executor, host, attempt);
    }
}
