package io.sparknas.estimators.training;

import java.io.Serializable;

/**
 * SGD on network weights, as DARTS trains both its supernet and its evaluation networks: momentum, L2 weight
 * decay, gradient clipping to a global norm ({@code gradClip}, 0 = off), a cosine schedule from
 * {@code learningRate}. Shared by proxy training and the DARTS search, with one set of bounds; bound by name from
 * the flat keys of their configuration sections.
 */
public record SgdConfig(double learningRate, double momentum, double weightDecay, double gradClip)
        implements Serializable {
    public SgdConfig {
        if (!(learningRate > 0 && learningRate <= 10)) {
            throw new IllegalArgumentException("learningRate must be in (0, 10], got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new IllegalArgumentException("weightDecay must be in [0, 1), got " + weightDecay);
        }
        if (!(gradClip >= 0)) {
            throw new IllegalArgumentException("gradClip must be >= 0 (0 = off), got " + gradClip);
        }
    }
}
