package io.sparknas.space.nb201;

import java.io.Serializable;

/**
 * Macro skeleton of NAS-Bench-201 (TinyNetwork): a 3x3 conv + BN stem with {@code channels} outputs, three
 * stages of {@code cellsPerStage} cells separated by residual reduction blocks (channels x2, size /2),
 * a final BN-ReLU, global average pooling and a linear classifier. The benchmark uses C=16, N=5.
 */
public record Nb201NetworkConfig(int inputChannels, int inputSize, int classes, int channels, int cellsPerStage)
        implements Serializable {
    public Nb201NetworkConfig {
        if (inputChannels <= 0 || classes < 2 || channels <= 0 || cellsPerStage <= 0) {
            throw new IllegalArgumentException("invalid NAS-Bench-201 skeleton: inputChannels=" + inputChannels
                    + " (>0), classes=" + classes + " (>=2), channels=" + channels + " (>0), cellsPerStage="
                    + cellsPerStage + " (>0)");
        }
        if (inputSize < 4 || inputSize % 4 != 0) {
            throw new IllegalArgumentException("inputSize must be a positive multiple of 4 (two reductions), got " + inputSize);
        }
    }

    /** The benchmark's own skeleton for 32x32 RGB CIFAR-10. */
    public static Nb201NetworkConfig benchmark() {
        return new Nb201NetworkConfig(3, 32, 10, 16, 5);
    }
}
