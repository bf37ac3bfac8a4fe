package io.sparknas.estimators;

import java.nio.file.Path;
import java.util.List;

/**
 * Part of a training, as a multi-fidelity scheduler asks for it: train to epoch {@code toEpoch} of a training laid out
 * over {@code maxEpochs} (the learning-rate schedule spans all of them, so a candidate paused at a rung holds exactly
 * the first part of its full training), continuing from the first readable saved state in {@code resumeFrom}
 * (latest first; none: from scratch), and save the state reached to {@code saveTo}. A state that cannot be read is
 * skipped and the evaluation says so (metric {@code resume_skipped}); the one it continued from is metric
 * {@code resumed_from_epoch} (0: from scratch).
 */
public record TrainingSpan(int toEpoch, int maxEpochs, List<Path> resumeFrom, Path saveTo) {
    public TrainingSpan {
        if (toEpoch < 1 || toEpoch > maxEpochs) {
            throw new IllegalArgumentException("a training span ends at an epoch in [1, " + maxEpochs + "], got "
                    + toEpoch);
        }
        resumeFrom = List.copyOf(resumeFrom);
    }
}
