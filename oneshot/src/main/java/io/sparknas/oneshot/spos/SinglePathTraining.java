package io.sparknas.oneshot.spos;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import io.sparknas.estimators.ThreadGradientCollector;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.training.BatchStats;
import io.sparknas.estimators.training.Divergence;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.oneshot.Norm;
import io.sparknas.oneshot.WeightOptimizer;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * SPOS's supernet training (Guo et al., 2020): each step draws one cell uniformly from the space and trains that
 * path on one batch (cross-entropy, SGD with momentum, the learning rate on a cosine over all steps); the other
 * paths' weights are left as they are. Paths, data order and initialisation come from one seed.
 *
 * @param epochs     passes over the training images
 * @param batchSize  images per step
 * @param sgd        the weights' SGD
 * @param seed       the paths and the data order
 * @param torchThreads libtorch threads of the training thread (0 = default)
 */
public record SinglePathTraining(int epochs, int batchSize, SgdConfig sgd, long seed, int torchThreads) {
    private static final Loss LOSS = Loss.softmaxCrossEntropyLoss();

    /** Trains {@code supernet}; {@code epochDone} hears each epoch (from 1): train_loss, train_accuracy, seconds. */
    public void train(SinglePathNb201 supernet, Datasets.Split data,
                      BiConsumer<Integer, Map<String, Double>> epochDone) {
        if (torchThreads > 0) {
            Torch.pinThreads(torchThreads);
        }
        ImageSet train = data.train();
        int batch = Math.min(batchSize, train.size());
        int steps = train.size() / batch;
        Nb201Space space = new Nb201Space();
        SeededRandom rng = new SeededRandom(seed);
        WeightOptimizer optimizer = new WeightOptimizer(sgd, supernet);
        long total = (long) epochs * steps;
        long t = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            int[] perm = rng.permutation(train.size());
            BatchStats stats = BatchStats.EMPTY;
            for (int s = 0; s < steps; s++, t++) {
                int[] idx = Arrays.copyOfRange(perm, s * batch, (s + 1) * batch);
                double lr = sgd.learningRate() * 0.5 * (1 + Math.cos(Math.PI * t / total));
                stats = stats.plus(step(supernet, optimizer, space.sample(rng), data, idx, lr));
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("train_loss", stats.lossSum() / stats.count());
            m.put("train_accuracy", stats.accuracy());
            m.put("seconds", (System.nanoTime() - start) / 1e9);
            epochDone.accept(epoch, m);
        }
    }

    /** One step: {@code path} on the images {@code idx}, then SGD on the path's weights. */
    static BatchStats step(SinglePathNb201 supernet, WeightOptimizer sgd, Nb201Cell path, Datasets.Split data,
                                   int[] idx, double lr) {
        ImageSet train = data.train();
        try (NDManager step = supernet.manager().newSubManager()) {
            NDArray x = step.create(train.batch(idx, data.normalization()), new Shape(idx.length, train.channels(),
                    train.height(), train.width()));
            NDArray y = step.create(train.labelBatch(idx), new Shape(idx.length));
            BatchStats stats;
            try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
                NDArray logits = supernet.forward(path, x, Norm.batch());
                NDArray loss = LOSS.evaluate(new NDList(y), new NDList(logits));
                float l = Divergence.check(loss.getFloat(), "the single-path supernet's loss on " + path.text());
                gc.backward(loss);
                long correct = logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
                stats = new BatchStats(l * idx.length, correct, idx.length);
            }
            sgd.step(step, lr, supernet.onPath(path));
            return stats;
        }
    }
}
