package io.sparknas.estimators.spec;

import java.io.Serializable;

/**
 * The single-path supernet of {@code estimator.kind = oneshot}: how long it trains and how each candidate's batch
 * normalisation is recalibrated. Its network, batch size and SGD are {@code estimator.proxy}'s, so the same cells
 * proxy-trained and scored one-shot are the same networks on the same data.
 *
 * @param epochs            epochs of supernet training
 * @param sampling          the paths of a step: {@code uniform} (one drawn cell, as SPOS) or {@code fair} (FairNAS's
 *                          strict fairness: as many cells as an edge has operations, each operation of every edge in
 *                          exactly one of them, their gradients summed into one update)
 * @param calibrationImages training images that recalibrate each candidate's BN statistics (the same for all)
 * @param seed              the supernet's initialisation, paths, data order and calibration images
 * @param checkpoint        a trained supernet to use; empty = the sweep trains one under its {@code supernet/}
 */
public record OneShotConfig(int epochs, String sampling, int calibrationImages, long seed, String checkpoint)
        implements Serializable {
    public static final String UNIFORM = "uniform";
    public static final String FAIR = "fair";

    public OneShotConfig {
        sampling = sampling == null ? UNIFORM : sampling.strip();
        if (!sampling.equals(UNIFORM) && !sampling.equals(FAIR)) {
            throw new IllegalArgumentException("sampling: '" + sampling + "' is not a path sampling; "
                    + "use \"uniform\" (SPOS) or \"fair\" (FairNAS)");
        }
        if (epochs < 1 || calibrationImages < 1) {
            throw new IllegalArgumentException("estimator.oneshot: epochs and calibrationImages must be positive, got "
                    + epochs + " and " + calibrationImages);
        }
        checkpoint = checkpoint == null ? "" : checkpoint.strip();
    }

    public OneShotConfig withCheckpoint(String path) {
        return new OneShotConfig(epochs, sampling, calibrationImages, seed, path);
    }
}
