package io.sparknas.estimators;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Allocates and frees many small arrays over Java direct buffers, and now and then collects the garbage: what a
 * training step does between its forward and backward pass, so that memory a graph still needs gets reused.
 */
public final class MemoryChurn {
    private MemoryChurn() {
    }

    public static void run(NDManager m, int pass) {
        for (int k = 0; k < 2000; k++) {
            try (NDArray junk = m.create(new float[] {1e30f, -1e30f, 1e30f, -1e30f})) {
                junk.getFloat(0);
            }
        }
        if (pass % 10 == 0) {
            System.gc();
        }
    }
}
