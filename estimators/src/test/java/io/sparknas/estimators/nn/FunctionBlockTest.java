package io.sparknas.estimators.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.sparknas.estimators.MemoryChurn;
import io.sparknas.estimators.ThreadGradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The parameter-free operations: what {@code none} gives forward and backward. */
class FunctionBlockTest {
    @Test
    void noneGivesZerosOfTheStridedShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5).toType(DataType.FLOAT32, false);
            NDArray y = FunctionBlock.zero(2).forward(new ParameterStore(m, false), new NDList(x), true)
                    .singletonOrThrow();
            assertEquals(new Shape(2, 3, 3, 3), y.getShape());
            assertEquals(new Shape(2, 3, 3, 3), FunctionBlock.zero(2).getOutputShapes(new Shape[] {x.getShape()})[0]);
            assertEquals(0f, y.abs().sum().getFloat());
        }
    }

    @Test
    void theGradientThroughNoneIsExactlyZeroAfterTheMemoryIsReused() {
        // a cell's node sums its edges: x + none(x) must pass the gradient 1 to x; with x.mul(0f) as none, the backward
        // pass read a freed scalar and gave garbage here
        for (int pass = 0; pass < 100; pass++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.ones(new Shape(1, 2, 4, 4));
                x.setRequiresGradient(true);
                try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
                    NDArray none = FunctionBlock.zero(1).forward(new ParameterStore(m, false), new NDList(x), true)
                            .singletonOrThrow();
                    NDArray node = x.add(none);
                    MemoryChurn.run(m, pass);
                    gc.backward(node.sum());
                }
                float[] ones = new float[32];
                Arrays.fill(ones, 1f);
                assertArrayEquals(ones, x.getGradient().toFloatArray(), "the gradient of x + none(x) in pass " + pass);
            }
        }
    }
}
