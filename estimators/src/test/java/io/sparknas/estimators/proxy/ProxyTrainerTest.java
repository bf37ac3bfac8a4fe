package io.sparknas.estimators.proxy;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.sparknas.estimators.nn.DartsNetwork;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy trainer's gradient clipping is PyTorch's clip_grad_norm_: one global norm, the direction kept. */
class ProxyTrainerTest {
    private static final DartsNetworkConfig NET = new DartsNetworkConfig(1, 12, 10, 4, 2, 2);
    private static final Shape SHAPE = new Shape(8, 1, 12, 12);

    @Test
    void aStepClipsTheWholeGradientToTheGlobalNormAndKeepsItsDirection() {
        double clip = 0.01;
        float[] free = firstStep(0);
        float[] clipped = firstStep(clip);
        double freeNorm = norm(free);
        assertTrue(freeNorm > 10 * clip, "the unclipped step must be long enough to clip: " + freeNorm);
        // lr 1 and no momentum or decay: the first step is the (clipped) gradient itself
        assertEquals(clip, norm(clipped), 1e-4 * clip);
        double dot = 0;
        for (int i = 0; i < free.length; i++) {
            dot += (double) free[i] * clipped[i];
        }
        assertEquals(1.0, dot / (freeNorm * norm(clipped)), 1e-4, "clipping must not change the direction");
    }

    /** The change of every trainable parameter in the first step (learning rate 1) of a seeded network. */
    private static float[] firstStep(double gradClip) {
        Random r = new Random(5);
        float[] x = new float[(int) SHAPE.size()];
        float[] y = new float[8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(10);
        }
        Block block = new DartsNetwork(DartsGenotype.DARTS_V2, NET);
        try (ProxyTrainer t = new ProxyTrainer("clip", block, new SgdConfig(1.0, 0, 0, gradClip), 1, Device.cpu(),
                SHAPE, 1000, 13)) {
            float[] before = PausedTrainingTest.concatenated(block, true);
            t.step(x, y);
            float[] after = PausedTrainingTest.concatenated(block, true);
            for (int i = 0; i < before.length; i++) {
                after[i] -= before[i];
            }
            return after;
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    /**
     * After one training step the running statistics still hold most of their initial values, so inference differs
     * from the batch-statistics output the step trained; recalibrated on that batch they are its statistics, and
     * inference on it gives what training mode gives (up to the unbiased variance's factor).
     */
    @Test
    void recalibratedBatchNormMakesInferenceMatchTheBatchStatistics() {
        Random r = new Random(9);
        float[] x = new float[(int) SHAPE.size()];
        float[] y = new float[8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 + 3 * r.nextGaussian()); // far from the running statistics' start (mean 0, var 1)
        }
        Block block = new DartsNetwork(DartsGenotype.DARTS_V2, NET);
        try (ProxyTrainer t = new ProxyTrainer("bn", block, new SgdConfig(0.05, 0.9, 0, 0), 1, Device.cpu(), SHAPE,
                100, 17)) {
            t.step(x, y);
            double before = gap(t, x);
            t.recalibrateBatchNorm(java.util.Collections.nCopies(60, x)); // 0.9^60: 0.2 % of the old statistics
            double after = gap(t, x);
            assertTrue(before > 0.05, "trailing statistics change the output: " + before);
            // not 0: the running variance is the unbiased one (n / (n - 1) over the 72 values a channel has after the
            // reductions at batch 8), the batch's is not
            assertTrue(after < 0.05 * before, "recalibrated: " + after + " (before " + before + ")");
        }
    }

    /** The largest difference between the logits of inference and of training mode (batch statistics) on x. */
    private static double gap(ProxyTrainer t, float[] x) {
        float[] inference = t.logits(x, false);
        float[] training = t.logits(x, true);
        double max = 0;
        for (int i = 0; i < inference.length; i++) {
            max = Math.max(max, Math.abs(inference[i] - training[i]));
        }
        return max;
    }
}
