package io.sparknas.space.darts;

import java.io.Serializable;

/**
 * Macro configuration of a DARTS network (NetworkCIFAR without the auxiliary head): a 3x3 stem with
 * {@code stemMultiplier * channels} outputs, {@code layers} cells with reduction cells at layers/3 and
 * 2*layers/3 (each doubling the channels and halving the size), global average pooling and a linear classifier.
 *
 * @param inputChannels  1 for MNIST-like data, 3 for CIFAR
 * @param inputSize      height = width of the input images; divisible by 2 per reduction cell
 * @param classes        number of output classes
 * @param channels       C, the channels of the first cells (16 in DARTS's search, 36 in its evaluation)
 * @param layers         number of stacked cells (8 in DARTS's search, 20 in its evaluation)
 * @param stemMultiplier stem channels = stemMultiplier * channels (3 in DARTS)
 */
public record DartsNetworkConfig(int inputChannels, int inputSize, int classes, int channels, int layers,
                                 int stemMultiplier) implements Serializable {
    public DartsNetworkConfig {
        positive("inputChannels", inputChannels);
        positive("classes", classes);
        positive("channels", channels);
        positive("layers", layers);
        positive("stemMultiplier", stemMultiplier);
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, got " + classes);
        }
        if (channels % 2 != 0) {
            throw new IllegalArgumentException("channels must be even (factorized reduce halves it), got " + channels);
        }
        int reductions = 0;
        for (int i = 0; i < layers; i++) {
            reductions += isReduction(i, layers) ? 1 : 0;
        }
        int divisor = 1 << reductions;
        if (inputSize < divisor || inputSize % divisor != 0) {
            throw new IllegalArgumentException("inputSize must be a positive multiple of " + divisor + " for " + layers
                    + " layers (" + reductions + " reduction cells), got " + inputSize);
        }
    }

    /** The proxy used by default on 28x28 grey images: C=16, 3 cells (normal, reduce, reduce). */
    public static DartsNetworkConfig proxy(int inputChannels, int inputSize, int classes) {
        return new DartsNetworkConfig(inputChannels, inputSize, classes, 16, 3, 3);
    }

    /** Whether cell {@code i} of {@code layers} is a reduction cell (DARTS: i in {layers/3, 2*layers/3}). */
    public static boolean isReduction(int i, int layers) {
        return i == layers / 3 || i == 2 * layers / 3;
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
    }
}
