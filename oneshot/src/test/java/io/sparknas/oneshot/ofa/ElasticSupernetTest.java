package io.sparknas.oneshot.ofa;

import io.sparknas.oneshot.Norm;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.nn.OfaNetwork;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each elastic dimension: the subnet inside the supernet computes what the plain network with its cut weights does. */
class ElasticSupernetTest {
    static final OfaSpace SPACE = new OfaSpace(4, List.of(8, 12, 16), List.of(2, 2, 2), List.of(2, 3, 4),
            List.of(3, 5, 7), List.of(3, 4, 6));

    /** Images and a supernet whose kernel transformations and BN scales are no longer the identity. */
    static ElasticSupernet perturbed(NDManager manager) {
        ElasticSupernet s = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 7);
        SeededRandom rng = new SeededRandom(9);
        try (Torch.NoGrad ng = Torch.noGrad()) {
            for (var e : s.arrays().entrySet()) {
                if (e.getKey().contains("transform") || e.getKey().contains(".gamma") || e.getKey().contains(".beta")) {
                    float[] noise = new float[(int) e.getValue().size()];
                    for (int i = 0; i < noise.length; i++) {
                        noise[i] = (float) (0.1 * rng.nextGaussian());
                    }
                    NDArray n = manager.create(noise, e.getValue().getShape());
                    e.getValue().addi(n);
                }
            }
        }
        return s;
    }

    static NDArray images(NDManager manager, int n, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        float[] x = new float[n * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return manager.create(x, new Shape(n, 1, 28, 28));
    }

    static Norm.Statistics calibrate(ElasticSupernet s, OfaSubnet net, NDManager manager) {
        Norm.Calibrating c = Norm.calibrating(manager);
        try (Torch.NoGrad ng = Torch.noGrad()) {
            for (int b = 0; b < 3; b++) {
                try (NDManager step = manager.newSubManager()) {
                    s.forward(net, images(step, 16, 100 + b), c);
                }
            }
        }
        return c.statistics();
    }

    /** The supernet's logits and the plain network's, for one subnet on the same images. */
    static void assertSameAsPlainNetwork(ElasticSupernet s, OfaSubnet net, NDManager manager) {
        Norm.Statistics stats = calibrate(s, net, manager);
        try (NDManager step = manager.newSubManager(); Torch.NoGrad ng = Torch.noGrad()) {
            NDArray x = images(step, 4, 1);
            float[] inside = s.forward(net, x, Norm.using(stats)).toFloatArray();
            OfaNetwork plain = Standalone.of(s, net, stats, step);
            float[] outside = plain.forward(new ParameterStore(step, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
            assertArrayEquals(inside, outside, 1e-4f, net.text());
        }
    }

    @Test
    void everyElasticDimensionMatchesAPlainNetworkWithTheCutWeights() {
        try (NDManager manager = NDManager.newBaseManager(); ElasticSupernet s = perturbed(manager)) {
            for (OfaSubnet net : List.of(SPACE.largest(), SPACE.uniform(4, 3, 6), SPACE.uniform(4, 5, 6),
                    SPACE.uniform(2, 7, 6), SPACE.uniform(4, 7, 3), SPACE.smallest(),
                    OfaSubnet.parse("k3e4 k7e6 k5e3 | k5e3 k3e6 | k7e4 k3e3 k5e6 k3e4"))) {
                assertSameAsPlainNetwork(s, net, manager);
            }
        }
    }

    @Test
    void sortingChannelsKeepsTheLargestNetworkAndPutsTheMostImportantFirst() {
        try (NDManager manager = NDManager.newBaseManager(); ElasticSupernet s = perturbed(manager)) {
            Norm.Statistics before = calibrate(s, SPACE.largest(), manager);
            float[] largest;
            try (NDManager step = manager.newSubManager(); Torch.NoGrad ng = Torch.noGrad()) {
                largest = s.forward(SPACE.largest(), images(step, 4, 1), Norm.using(before)).toFloatArray();
            }
            s.sortChannels();
            Norm.Statistics after = calibrate(s, SPACE.largest(), manager);
            try (NDManager step = manager.newSubManager(); Torch.NoGrad ng = Torch.noGrad()) {
                assertArrayEquals(largest, s.forward(SPACE.largest(), images(step, 4, 1), Norm.using(after))
                        .toFloatArray(), 1e-4f, "a permutation of hidden channels changes no function");
                float[] importance = s.array("s1b0.project").abs().sum(new int[] {0, 2, 3}).toFloatArray();
                for (int i = 1; i < importance.length; i++) {
                    assertTrue(importance[i - 1] >= importance[i], "importance descends: " + i);
                }
            }
            assertSameAsPlainNetwork(s, SPACE.uniform(3, 5, 3), manager);
        }
    }

    @Test
    void recalibrationGivesEachSubnetItsOwnStatistics() {
        try (NDManager manager = NDManager.newBaseManager(); ElasticSupernet s = perturbed(manager)) {
            Norm.Statistics large = calibrate(s, SPACE.largest(), manager);
            Norm.Statistics small = calibrate(s, SPACE.uniform(4, 3, 6), manager);
            // the stem sees the same images in both; the first block's depthwise output differs with its kernel
            assertArrayEquals(large.of("stem.bn")[0].toFloatArray(), small.of("stem.bn")[0].toFloatArray(), 1e-6f);
            float[] a = large.of("s0b0.bn2")[1].toFloatArray();
            float[] b = small.of("s0b0.bn2")[1].toFloatArray();
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff += Math.abs(a[i] - b[i]);
            }
            assertTrue(diff / a.length > 1e-3, "variances of a 7x7 and a 3x3 depthwise output differ: " + diff);
            assertEquals(SPACE.blockInput(0, 0) * 6, a.length);
        }
    }
}
