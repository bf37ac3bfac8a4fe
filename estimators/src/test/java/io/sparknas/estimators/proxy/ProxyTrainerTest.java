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
}
