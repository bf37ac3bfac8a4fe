package io.sparknas.estimators;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The initialiser every network uses draws conv and linear weights as PyTorch's default does, and a product in a
 * forward pass keeps its factor until the backward pass.
 */
class TorchTest {
    @Test
    void aProductKeepsItsFactorForTheBackwardPassAfterTheMemoryIsReused() {
        // DJL's own x.mul(3f) gave a wrong gradient in 43 of 200 such passes here
        for (int pass = 0; pass < 100; pass++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.ones(new Shape(4, 4));
                x.setRequiresGradient(true);
                try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
                    NDArray y = Torch.times(x, 3);
                    MemoryChurn.run(m, pass);
                    gc.backward(y.sum());
                }
                for (float g : x.getGradient().toFloatArray()) {
                    assertEquals(3f, g, "the gradient of 3x in pass " + pass);
                }
            }
        }
    }

    @Test
    void convolutionWeightsHavePyTorchsDefaultBoundAndVariance() {
        // 16 input channels, 3x3 kernel: fan_in 144
        assertPyTorchDefault(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(64).optBias(false).build(),
                new Shape(1, 16, 8, 8), 144);
    }

    @Test
    void linearWeightsHavePyTorchsDefaultBoundAndVariance() {
        assertPyTorchDefault(Linear.builder().setUnits(64).build(), new Shape(1, 256), 256);
    }

    /** kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)), whose variance is 1/(3 fan_in). */
    private static void assertPyTorchDefault(Block block, Shape input, int fanIn) {
        try (NDManager m = NDManager.newBaseManager()) {
            block.setInitializer(Torch.PYTORCH_DEFAULT_INIT, Parameter.Type.WEIGHT);
            Torch.seeded(3, () -> block.initialize(m, DataType.FLOAT32, input));
            float[] w = block.getParameters().get("weight").getArray().toFloatArray();
            double bound = 1 / Math.sqrt(fanIn);
            double sum = 0;
            double squares = 0;
            double largest = 0;
            for (float v : w) {
                sum += v;
                squares += (double) v * v;
                largest = Math.max(largest, Math.abs(v));
            }
            double mean = sum / w.length;
            double variance = squares / w.length - mean * mean;
            assertTrue(largest <= bound, "a weight " + largest + " beyond PyTorch's bound " + bound);
            assertTrue(largest > 0.98 * bound, "the largest of " + w.length + " weights, " + largest
                    + ", is well inside PyTorch's bound " + bound);
            // a uniform's sample variance over n draws has a relative spread of sqrt(0.8/n): 1.3 % for 4,608 draws
            assertEquals(1.0, variance / (1.0 / (3 * fanIn)), 0.06, "variance relative to PyTorch's");
        }
    }
}
