package io.sparknas.estimators.spec;

import java.io.Serializable;

/**
 * The single-path supernet of {@code estimator.kind = oneshot}: how long it trains and how each candidate's batch
 * normalisation is recalibrated. Its network, batch size and SGD are {@code estimator.proxy}'s, so the same cells
 * proxy-trained and scored one-shot are the same networks on the same data.
 *
 * @param epochs            epochs of supernet training (one uniformly drawn path per step, as SPOS)
 * @param calibrationImages training images that recalibrate each candidate's BN statistics (the same for all)
 * @param seed              the supernet's initialisation, paths, data order and calibration images
 * @param checkpoint        a trained supernet to use; empty = the sweep trains one under its {@code supernet/}
 */
public record OneShotConfig(int epochs, int calibrationImages, long seed, String checkpoint) implements Serializable {
    public OneShotConfig {
        if (epochs < 1 || calibrationImages < 1) {
            throw new IllegalArgumentException("estimator.oneshot: epochs and calibrationImages must be positive, got "
                    + epochs + " and " + calibrationImages);
        }
        checkpoint = checkpoint == null ? "" : checkpoint.strip();
    }

    public OneShotConfig withCheckpoint(String path) {
        return new OneShotConfig(epochs, calibrationImages, seed, path);
    }
}
