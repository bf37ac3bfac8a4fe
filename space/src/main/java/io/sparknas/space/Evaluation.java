package io.sparknas.space;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The outcome of estimating one candidate: the search signal ({@code accuracy}, validation accuracy as a
 * fraction in [0, 1]) plus named metrics. A failure is a value, not an exception: status {@code FAILED},
 * accuracy NaN and the reason in {@code error}. A non-finite accuracy passed as {@code OK} becomes a failure,
 * as in Optuna, so that no strategy ever ranks a NaN. A candidate stopped early on purpose (a multi-fidelity
 * scheduler's decision, Optuna's {@code PRUNED}) is status {@code PRUNED}: not a failure, it keeps the accuracy it
 * reached (NaN if none) and its partial metrics, and {@code error} says why it stopped.
 *
 * @param metrics named numbers, e.g. {@code params}, {@code flops}, {@code train_seconds},
 *                {@code latency_ms_b1}, {@code test_accuracy}; sorted by name
 */
public record Evaluation(Candidate candidate, Status status, double accuracy, Map<String, Double> metrics,
                         String device, String error, long startMillis, long endMillis) implements Serializable {

    /** OK: evaluated; FAILED: could not be (the reason in {@code error}); PRUNED: stopped early on purpose. */
    public enum Status { OK, FAILED, PRUNED }

    public Evaluation {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(status, "status");
        metrics = java.util.Collections.unmodifiableMap(new TreeMap<>(metrics));
        device = device == null ? "" : device;
        if (status == Status.OK && !(Double.isFinite(accuracy) && accuracy >= 0 && accuracy <= 1)) {
            error = "accuracy " + accuracy + " is not a finite fraction in [0, 1]";
            status = Status.FAILED;
            accuracy = Double.NaN;
        }
        if (status == Status.FAILED) {
            accuracy = Double.NaN;
            error = error == null || error.isBlank() ? "failed without a reason" : error;
        } else if (status == Status.PRUNED) {
            accuracy = Double.isFinite(accuracy) && accuracy >= 0 && accuracy <= 1 ? accuracy : Double.NaN;
            error = error == null || error.isBlank() ? "pruned" : error;
        } else {
            error = "";
        }
    }

    /** This evaluation with {@code extra} metrics added (what the driver knows of a candidate, e.g. its scaling). */
    public Evaluation withMetrics(Map<String, Double> extra) {
        Map<String, Double> merged = new TreeMap<>(metrics);
        merged.putAll(extra);
        return new Evaluation(candidate, status, accuracy, merged, device, error, startMillis, endMillis);
    }

    /** The same outcome for another candidate value (a candidate renamed on its way through a composite sweep). */
    public Evaluation withCandidate(Candidate c) {
        return new Evaluation(c, status, accuracy, metrics, device, error, startMillis, endMillis);
    }

    public static Evaluation ok(Candidate c, double accuracy, Map<String, Double> metrics, String device,
                                long startMillis, long endMillis) {
        return new Evaluation(c, Status.OK, accuracy, metrics, device, "", startMillis, endMillis);
    }

    public static Evaluation failed(Candidate c, String error, Map<String, Double> metrics, String device,
                                    long startMillis, long endMillis) {
        return new Evaluation(c, Status.FAILED, Double.NaN, metrics, device, error, startMillis, endMillis);
    }

    /** A candidate stopped early on purpose, with the accuracy it reached (NaN if none) and why. */
    public static Evaluation pruned(Candidate c, double accuracy, Map<String, Double> metrics, String device,
                                    String reason, long startMillis, long endMillis) {
        return new Evaluation(c, Status.PRUNED, accuracy, metrics, device, reason, startMillis, endMillis);
    }

    /** Whether it failed (a pruned candidate did not: it was stopped on purpose). */
    public boolean isFailed() {
        return status == Status.FAILED;
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    /**
     * Whether it has an accuracy a strategy may learn from: OK, or PRUNED after reaching one (a multi-fidelity
     * scheduler's paused candidate: its accuracy at a lower fidelity, which is what it is).
     */
    public boolean hasSignal() {
        return status == Status.OK || (status == Status.PRUNED && Double.isFinite(accuracy));
    }

    /** A metric or NaN when absent. */
    public double metric(String name) {
        return metrics.getOrDefault(name, Double.NaN);
    }
}
