package io.sparknas.pipeline.core;

import io.sparknas.space.Evaluation;

import java.io.Serializable;

/** An evaluation as it comes back from a Spark task, with where it ran. */
public record TaskResult(Evaluation evaluation, String executor, String host, int attempt) implements Serializable {
}
