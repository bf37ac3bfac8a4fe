package io.sparknas.pipeline;

import java.io.Serializable;
import java.util.Map;

/**
 * One epoch of one candidate as the driver hears of it while the sweep runs: that epoch's metrics without their
 * {@code epoch_NN_} prefix ({@code val_accuracy}, {@code val_loss}, {@code train_loss}).
 */
public record EpochReport(String candidateId, int epoch, Map<String, Double> metrics) implements Serializable {
    public EpochReport {
        metrics = Map.copyOf(metrics);
    }
}
