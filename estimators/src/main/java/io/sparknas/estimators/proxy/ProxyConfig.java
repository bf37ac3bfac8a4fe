package io.sparknas.estimators.proxy;

import java.io.Serializable;

/**
 * The budget of one proxy evaluation: a smaller network (channels, layers) trained for a few epochs on a
 * subset of the data (see {@link io.sparknas.estimators.data.DataConfig}) with SGD (momentum, weight decay)
 * and a cosine learning-rate schedule, as DARTS trains its evaluation networks.
 *
 * @param gradClip       gradient clipping threshold (DARTS uses 5; 0 = off)
 * @param latencyRepeats timed forward passes per latency figure (after 3 warm-up passes); 0 skips latency
 * @param torchThreads   libtorch intra-op threads per JVM (1 lets one task per core train at once)
 */
public record ProxyConfig(int epochs, int batchSize, double learningRate, double momentum, double weightDecay,
                          double gradClip,
                          int channels, int layers, int stemMultiplier, int nb201CellsPerStage, int latencyRepeats,
                          int torchThreads) implements Serializable {
    public ProxyConfig {
        positive("proxy.epochs", epochs);
        positive("proxy.batchSize", batchSize);
        positive("proxy.channels", channels);
        positive("proxy.layers", layers);
        positive("proxy.stemMultiplier", stemMultiplier);
        positive("proxy.nb201CellsPerStage", nb201CellsPerStage);
        positive("proxy.torchThreads", torchThreads);
        if (!(learningRate > 0 && learningRate <= 10)) {
            throw new IllegalArgumentException("proxy.learningRate must be in (0, 10], got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("proxy.momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new IllegalArgumentException("proxy.weightDecay must be in [0, 1), got " + weightDecay);
        }
        if (!(gradClip >= 0)) {
            throw new IllegalArgumentException("proxy.gradClip must be >= 0 (0 = off), got " + gradClip);
        }
        if (latencyRepeats < 0) {
            throw new IllegalArgumentException("proxy.latencyRepeats must be >= 0, got " + latencyRepeats);
        }
    }

    /** A quick default: 2 epochs, batch 64, C=16, 3 cells, lr 0.05. */
    public static ProxyConfig quick() {
        return new ProxyConfig(2, 64, 0.05, 0.9, 3e-4, 5, 16, 3, 3, 1, 10, 1);
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + v);
        }
    }
}
