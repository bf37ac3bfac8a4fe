package io.sparknas.pipeline.core;

import java.io.Serializable;
import java.util.Map;

/**
 * One epoch of one candidate as the driver hears of it while the sweep runs: that epoch's metrics without their
 * {@code epoch_NN_} prefix ({@code val_accuracy}, {@code val_loss}, {@code train_loss}).
 */
public record EpochReport(String candidateId, int epoch, Map<String, Double> metrics) implements Serializable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EpochReport.class);

    public EpochReport {
        metrics = Map.copyOf(metrics);
    }

    /** Logs the epoch (the log, not the progress lines: there are many). */
    public static void log(EpochReport r) {
        LOG.info(String.format(java.util.Locale.ROOT, "%s epoch %d: %s", r.candidateId(), r.epoch(), r.metrics()));
    }
}
