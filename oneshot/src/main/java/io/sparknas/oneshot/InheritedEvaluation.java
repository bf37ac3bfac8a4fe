package io.sparknas.oneshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.training.BatchStats;
import io.sparknas.space.SeededRandom;

import java.util.Arrays;

/**
 * A network cut from a supernet, evaluated by weight inheritance without training: its batch normalisation
 * recalibrated on a fixed sample of training images, then its accuracy on a set of images. The same for every
 * supernet (Once-for-All's elastic one, the single-path ones): a supernet gives the subnet's forward pass.
 */
public final class InheritedEvaluation {
    private static final int EVAL_BATCH = 256;

    /** One subnet's forward pass through its supernet: logits of images {@code x} with normalisation {@code norm}. */
    public interface Subnet {
        NDArray logits(NDArray x, Norm norm);
    }

    private InheritedEvaluation() {
    }

    /**
     * BN statistics of {@code net} over {@code images} training images (the same ones for every subnet, drawn from
     * {@code seed}), in batches of {@code batch}; arrays of {@code owner}, steps in {@code weights}' sub-managers.
     */
    public static Norm.Statistics calibrate(Subnet net, NDManager weights, Datasets.Split data, int images,
                                            int batch, long seed, NDManager owner) {
        ImageSet train = data.train();
        int n = Math.min(images, train.size());
        int[] sample = Arrays.copyOf(new SeededRandom(seed).permutation(train.size()), n);
        Norm.Calibrating c = Norm.calibrating(owner);
        try (Torch.NoGrad ng = Torch.noGrad()) {
            for (int from = 0; from < n; from += batch) {
                int[] idx = Arrays.copyOfRange(sample, from, Math.min(n, from + batch));
                try (NDManager step = weights.newSubManager()) {
                    net.logits(step.create(train.batch(idx, data.normalization()), new Shape(idx.length,
                            train.channels(), train.height(), train.width())), c);
                }
            }
        }
        return c.statistics();
    }

    /** Accuracy of {@code net} with statistics {@code stats} on every image of {@code images}. */
    public static BatchStats evaluate(Subnet net, Norm.Statistics stats, ImageSet images,
                                      ImageSet.Normalization norm, NDManager scope) {
        BatchStats total = BatchStats.EMPTY;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            for (int from = 0; from < images.size(); from += EVAL_BATCH) {
                int start = from;
                int[] idx = new int[Math.min(EVAL_BATCH, images.size() - from)];
                Arrays.setAll(idx, i -> start + i);
                try (NDManager step = scope.newSubManager()) {
                    NDArray x = step.create(images.batch(idx, norm), new Shape(idx.length, images.channels(),
                            images.height(), images.width()));
                    NDArray y = step.create(images.labelBatch(idx), new Shape(idx.length));
                    NDArray logits = net.logits(x, Norm.using(stats));
                    long correct = logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
                    total = total.plus(new BatchStats(0, correct, idx.length));
                }
            }
        }
        return total;
    }
}
