package io.sparknas.estimators;

import ai.djl.Device;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the caller of {@link Estimator#evaluate} decides for one evaluation: the GPU Spark assigned to the task, if
 * any ({@link #device()} picks it, else the first GPU DJL sees, else the CPU; an estimator that trains nothing never
 * asks, so no engine starts for it), a listener told the metrics after every epoch (progress; multi-fidelity
 * schedulers), a cancellation flag polled between epochs (a cancelled evaluation ends FAILED with reason
 * {@code cancelled before epoch N}), where to save the trained model's parameters, if anywhere (the winner's
 * export), and which part of its training to run, if not all of it (a multi-fidelity scheduler's rung; an estimator
 * that cannot pause ignores it, and the pipeline never asks one that cannot).
 */
public record EvaluationContext(Optional<String> assignedGpu, EpochListener epochs, BooleanSupplier cancelled,
                                Optional<Path> modelOutput, Optional<TrainingSpan> span) {

    /** Told after each epoch of a trained estimator: the candidate's id, the epoch (1-based), all metrics so far. */
    @FunctionalInterface
    public interface EpochListener {
        EpochListener NONE = (id, epoch, metrics) -> { };

        void onEpoch(String candidateId, int epoch, Map<String, Double> metrics);
    }

    /** No GPU assigned, no listener, never cancelled, nothing saved. */
    public static EvaluationContext defaults() {
        return new EvaluationContext(Optional.empty(), EpochListener.NONE, () -> false, Optional.empty(),
                Optional.empty());
    }

    /** On the GPU Spark assigned ({@code spark.task.resource.gpu.amount}), or as {@link #defaults()}. */
    public static EvaluationContext onGpu(Optional<String> assignedGpu) {
        return new EvaluationContext(assignedGpu, EpochListener.NONE, () -> false, Optional.empty(), Optional.empty());
    }

    /** Where to train: see {@link Devices#choose}. */
    public Device device() {
        return Devices.choose(assignedGpu);
    }

    public EvaluationContext withEpochs(EpochListener listener) {
        return new EvaluationContext(assignedGpu, listener, cancelled, modelOutput, span);
    }

    public EvaluationContext withCancellation(BooleanSupplier flag) {
        return new EvaluationContext(assignedGpu, epochs, flag, modelOutput, span);
    }

    public EvaluationContext savingModelTo(Path dir) {
        return new EvaluationContext(assignedGpu, epochs, cancelled, Optional.of(dir), span);
    }

    /** Trains only {@code part} of the candidate's training (see {@link TrainingSpan}). */
    public EvaluationContext training(TrainingSpan part) {
        return new EvaluationContext(assignedGpu, epochs, cancelled, modelOutput, Optional.of(part));
    }
}
