package io.sparknas.oneshot.ofa;

import java.io.Serializable;

/**
 * One later phase of progressive shrinking, bound by name from an entry of {@code ofa.training.schedule}. OFA gives
 * each phase its own length, rate, warm-up and subnets per step (its {@code train_ofa_net.py}: kernel 120 epochs at
 * 0.4x the full network's rate with 5 warm-up epochs and 1 subnet; the first depth and expand phase 25 epochs at 1/30
 * without warm-up; the second 120 at 1/10 with 5; 2 subnets for depth, 4 for expand ratio).
 *
 * @param phase              the phase this entry is for ({@code kernel}, {@code depth-1}, ..., {@code expand-2}),
 *                           named as {@link ProgressiveShrinking#phases} names the space's phases
 * @param epochs             epochs of the phase
 * @param learningRate       the rate its cosine starts from after the warm-up
 * @param warmupEpochs       epochs (fractions allowed) of linear warm-up from {@code warmupLearningRate} (0 = none)
 * @param warmupLearningRate the rate the warm-up starts from (positive when there is a warm-up)
 * @param subnetsPerStep     subnets sampled per step, their gradients summed (OFA's {@code dynamic_batch_size})
 */
public record PhaseSchedule(String phase, int epochs, double learningRate, double warmupEpochs,
                            double warmupLearningRate, int subnetsPerStep) implements Serializable {
    public PhaseSchedule {
        String where = "ofa.training.schedule[" + phase + "]";
        if (phase == null || phase.isBlank()) {
            throw new IllegalArgumentException("ofa.training.schedule: every entry needs a phase name");
        }
        if (epochs < 1 || subnetsPerStep < 1) {
            throw new IllegalArgumentException(where + ": epochs and subnetsPerStep must be positive, got " + epochs
                    + " and " + subnetsPerStep);
        }
        if (!(learningRate > 0 && learningRate <= 10)) {
            throw new IllegalArgumentException(where + ": learningRate must be in (0, 10], got " + learningRate);
        }
        if (!(warmupEpochs >= 0 && warmupEpochs < epochs)) {
            throw new IllegalArgumentException(where + ": warmupEpochs must be in [0, epochs), got " + warmupEpochs);
        }
        if (warmupEpochs > 0 && !(warmupLearningRate > 0 && warmupLearningRate <= learningRate)) {
            throw new IllegalArgumentException(where + ": warmupLearningRate must be in (0, learningRate] when "
                    + "warmupEpochs > 0, got " + warmupLearningRate);
        }
    }

    /**
     * The rate at step {@code t} of {@code total}: linear from {@code warmupLearningRate} over the warm-up's steps
     * ({@code warmupSteps}), then a cosine from {@code learningRate} to 0 over the rest, as OFA's run manager does.
     */
    public static double rate(double learningRate, double warmupLearningRate, long warmupSteps, long t, long total) {
        if (t < warmupSteps) {
            return warmupLearningRate + (learningRate - warmupLearningRate) * t / warmupSteps;
        }
        long rest = total - warmupSteps;
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * (t - warmupSteps) / rest));
    }
}
