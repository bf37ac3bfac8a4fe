package io.sparknas.space;

import java.io.Serializable;

/**
 * The size of a cell-based network, shared by every network sparknas builds from cells (the proxy evaluation
 * network, the DARTS supernet) and by compound scaling, which scales it: {@code channels} C of the first cells,
 * {@code layers} stacked cells, and a stem of {@code stemMultiplier * C} channels. Bound by name from the
 * configuration (flat keys {@code channels}, {@code layers}, {@code stemMultiplier} of its section).
 */
public record NetworkSize(int channels, int layers, int stemMultiplier) implements Serializable {
    public NetworkSize {
        positive("channels", channels);
        positive("layers", layers);
        positive("stemMultiplier", stemMultiplier);
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + v);
        }
    }
}
