package io.sparknas.space.scaling;

import io.sparknas.space.NetworkSize;

/**
 * A network's size and its input resolution (the side of its square input images): what compound scaling changes.
 */
public record ScaledNetwork(NetworkSize size, int resolution) {
    public ScaledNetwork {
        if (size == null) {
            throw new IllegalArgumentException("a scaled network needs its size");
        }
        if (resolution < CompoundScaling.MIN_RESOLUTION) {
            throw new IllegalArgumentException("resolution must be at least " + CompoundScaling.MIN_RESOLUTION
                    + " pixels, got " + resolution);
        }
    }
}
