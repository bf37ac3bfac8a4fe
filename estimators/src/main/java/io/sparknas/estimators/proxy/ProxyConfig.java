package io.sparknas.estimators.proxy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.space.NetworkSize;

import java.io.Serializable;

/**
 * The budget of one proxy evaluation: a smaller network ({@link NetworkSize}) trained for a few epochs on a subset
 * of the data (see {@link io.sparknas.estimators.data.DataConfig}) with SGD ({@link SgdConfig}: momentum, weight
 * decay, clipping, cosine schedule), as DARTS trains its evaluation networks. Bound by name from the flat keys of
 * {@code estimator.proxy}.
 *
 * @param nb201CellsPerStage NAS-Bench-201 network: cells per stage
 * @param latencyRepeats     timed forward passes per latency figure (after 3 warm-up passes); 0 skips latency
 * @param torchThreads       libtorch intra-op threads per JVM (1 lets one task per core train at once)
 * @param epochsUpTo         0: every candidate trains {@code epochs}; N &gt; epochs: each candidate trains a number of
 *                           epochs drawn from [epochs, N] by its seed (recorded as its {@code epochs} metric): costs
 *                           that differ from candidate to candidate, as a scheduler benchmark needs. Left out of the
 *                           JSON when 0, so sweeps made before it keep their hash
 * @param recalibrationBatches 0: evaluate with the running batch-norm statistics training left (they trail the
 *                           weights, most after a short proxy); N &gt; 0: before every evaluation, re-estimate them at
 *                           the final weights from N training batches (OFA's recalibration). Left out of the JSON when 0
 */
@com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = io.sparknas.space.UnwrappedRecords.class)
public record ProxyConfig(int epochs, int batchSize, @JsonUnwrapped SgdConfig sgd,
                          @JsonUnwrapped NetworkSize network, int nb201CellsPerStage, int latencyRepeats,
                          int torchThreads,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int epochsUpTo,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int recalibrationBatches) implements Serializable {
    public ProxyConfig {
        positive("epochs", epochs);
        positive("batchSize", batchSize);
        positive("nb201CellsPerStage", nb201CellsPerStage);
        positive("torchThreads", torchThreads);
        if (sgd == null || network == null) {
            throw new IllegalArgumentException("proxy needs learningRate, momentum, weightDecay, gradClip, channels, "
                    + "layers and stemMultiplier");
        }
        if (epochsUpTo != 0 && epochsUpTo < epochs) {
            throw new IllegalArgumentException("epochsUpTo must be 0 (off) or >= epochs=" + epochs + ", got "
                    + epochsUpTo);
        }
        if (recalibrationBatches < 0) {
            throw new IllegalArgumentException("recalibrationBatches must be >= 0 (0 = off), got "
                    + recalibrationBatches);
        }
        if (latencyRepeats < 0) {
            throw new IllegalArgumentException("latencyRepeats must be >= 0, got " + latencyRepeats);
        }
    }

    /** The same training for {@code n} epochs (a fixed count: {@code epochsUpTo} off). */
    public ProxyConfig withEpochs(int n) {
        return new ProxyConfig(n, batchSize, sgd, network, nb201CellsPerStage, latencyRepeats, torchThreads, 0,
                recalibrationBatches);
    }

    /** The defaults of {@code estimator.proxy} in sparknas-defaults.conf (a test keeps them equal). */
    public static ProxyConfig defaults() {
        return new ProxyConfig(1, 64, new SgdConfig(0.05, 0.9, 3e-4, 5), new NetworkSize(16, 3, 3), 1, 10, 1, 0, 0);
    }

    /** The epochs a candidate of this seed trains: {@code epochs}, or drawn from [epochs, epochsUpTo] by the seed. */
    public int epochsFor(long seed) {
        if (epochsUpTo <= epochs) {
            return epochs;
        }
        return epochs + new io.sparknas.space.SeededRandom(seed ^ 0x5DEECE66DL).nextInt(epochsUpTo - epochs + 1);
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + v);
        }
    }
}
