package io.sparknas.oneshot.ofa;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.sparknas.estimators.training.SgdConfig;

import java.io.Serializable;
import java.util.List;

/**
 * Progressive shrinking's budget, bound by name from {@code ofa.training}.
 *
 * @param fullEpochs         epochs of the first phase (the largest network alone)
 * @param phaseEpochs        epochs of every later phase (elastic kernel, depth, expand ratio) without a
 *                           {@code schedule}
 * @param batchSize          images per step
 * @param sgd                SGD of the first phase ({@code learningRate}, {@code momentum}, {@code weightDecay},
 *                           {@code gradClip}), cosine schedule per phase
 * @param shrinkLearningRate the learning rate of the later phases without a {@code schedule}
 * @param subnetsPerStep     subnets sampled per step of a later phase without a {@code schedule}, their gradients
 *                           summed (OFA's {@code dynamic_batch_size})
 * @param schedule           one entry per later phase, in the space's order (empty = every later phase
 *                           {@code phaseEpochs} at {@code shrinkLearningRate} with {@code subnetsPerStep}, no warm-up)
 * @param sandwich           each step of a later phase includes its largest and smallest subnet beside the random
 *                           ones (BigNAS's sandwich rule; needs 2 or more subnets per step in every later phase).
 *                           Both left out of the JSON when unset, so sweeps made before them keep their hash
 * @param distillation       weight of the distillation loss from the full network's soft labels (0 = off)
 * @param calibrationImages  training images whose statistics recalibrate a subnet's batch normalisation
 * @param seed               data order and subnet sampling (phase {@code i} uses {@code seed + i})
 * @param torchThreads       libtorch threads (0 = libtorch's default)
 */
@com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = io.sparknas.space.UnwrappedRecords.class)
public record OfaTrainingConfig(int fullEpochs, int phaseEpochs, int batchSize, @JsonUnwrapped SgdConfig sgd,
                                double shrinkLearningRate, int subnetsPerStep,
                                @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PhaseSchedule> schedule,
                                @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean sandwich, double distillation,
                                int calibrationImages, long seed, int torchThreads) implements Serializable {
    public OfaTrainingConfig {
        schedule = schedule == null ? List.of() : List.copyOf(schedule);
        positive("fullEpochs", fullEpochs);
        positive("phaseEpochs", phaseEpochs);
        positive("batchSize", batchSize);
        positive("subnetsPerStep", subnetsPerStep);
        positive("calibrationImages", calibrationImages);
        if (sgd == null) {
            throw new IllegalArgumentException("learningRate, momentum, weightDecay and gradClip are required");
        }
        if (!(shrinkLearningRate > 0 && shrinkLearningRate <= 10)) {
            throw new IllegalArgumentException("shrinkLearningRate must be in (0, 10], got " + shrinkLearningRate);
        }
        if (!(distillation >= 0)) {
            throw new IllegalArgumentException("distillation must be >= 0, got " + distillation);
        }
        if (torchThreads < 0) {
            throw new IllegalArgumentException("torchThreads must be >= 0, got " + torchThreads);
        }
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + v);
        }
    }
}
