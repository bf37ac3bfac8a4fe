package io.sparknas.estimators.zerocost;

import io.sparknas.estimators.data.ImageSet;
import io.sparknas.space.SeededRandom;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The one batch of labelled images every network of a score sees (a seeded draw from the training split, normalised
 * as training normalises it): NCHW pixels with their channels, and class labels. A network of more input channels
 * than the images have (NAS-Bench-201's three, on a grey stand-in) sees each grey channel repeated.
 */
public record ProxyBatch(float[] pixels, float[] labels, int channels, int side) implements Serializable {

    public ProxyBatch {
        if (labels.length == 0 || pixels.length != labels.length * channels * side * side) {
            throw new IllegalArgumentException("a batch of " + labels.length + " images of " + channels + "x" + side
                    + "x" + side + " needs " + labels.length * channels * side * side + " pixels, got " + pixels.length);
        }
    }

    /** {@code size} images drawn from {@code images} with {@code seed}. */
    public static ProxyBatch draw(ImageSet images, ImageSet.Normalization norm, int size, long seed) {
        if (images.size() < size) {
            throw new IllegalArgumentException("zerocost.batch = " + size + " but the training split has only "
                    + images.size() + " images");
        }
        int[] indices = Arrays.copyOf(new SeededRandom(seed).permutation(images.size()), size);
        return new ProxyBatch(images.batch(indices, norm), images.labelBatch(indices), images.channels(),
                images.height());
    }

    public int size() {
        return labels.length;
    }
}
