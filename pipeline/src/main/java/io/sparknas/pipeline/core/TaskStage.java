package io.sparknas.pipeline.core;

import org.apache.spark.util.CollectionAccumulator;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A stage that runs Spark tasks of its own whose output is a dataset (DARTS' searches, the supernet's training, a
 * latency profile): resumed when its output is committed (read back, never run again), else run with a progress
 * channel: what the tasks report through it ({@link EpochReport}s: a search's epoch, a training phase's epoch) is
 * printed while they run, so a stage of ten minutes is never silent.
 *
 * @param label     names the stage in progress lines ("search", "supernet")
 * @param committed whether its output is committed
 * @param read      its committed output
 * @param compute   runs its tasks (they report to the accumulator given) and commits the output
 * @param resumed   the line printed when it resumes
 */
public record TaskStage<T>(String label, BooleanSupplier committed, Supplier<T> read,
                           Function<CollectionAccumulator<EpochReport>, T> compute, String resumed) {

    public T run(SweepRun run) {
        if (committed.getAsBoolean()) {
            run.log().accept(resumed);
            return read.get();
        }
        try (EpochProgress progress = EpochProgress.register(run.jsc().sc(), r -> run.log().accept(line(r)))) {
            return compute.apply(progress.accumulator());
        }
    }

    /** A report as a progress line: {@code search s1 epoch 3: train_loss 1.2034, val_accuracy 0.5120}. */
    private String line(EpochReport r) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s %s epoch %d:", label, r.candidateId(),
                r.epoch()));
        String sep = " ";
        for (var m : new java.util.TreeMap<>(r.metrics()).entrySet()) {
            b.append(sep).append(m.getKey()).append(' ').append(String.format(Locale.ROOT, "%.4f", m.getValue()));
            sep = ", ";
        }
        return b.toString();
    }
}
