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
import io.sparknas.space.Operation;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * SPOS's supernet training (Guo et al., 2020): each step draws one cell uniformly from the space and trains that
 * path on one batch (cross-entropy, SGD with momentum, the learning rate on a cosine over all steps); the other
 * paths' weights are left as they are. Paths, data order and initialisation come from one seed.
 *
 * <p>{@code fair} is FairNAS's strict fairness (Chu et al., 2021) instead: each step draws a permutation of the
 * operations per edge and trains, on the same batch, as many cells as an edge has operations, the k-th taking each
 * edge's k-th operation, their gradients summed into one update. Every operation of every edge is then trained on
 * every step, so parameter-free operations get no head start over the convolutions (uniform sampling's known bias);
 * a step costs as many forward and backward passes as there are operations.
 *
 * @param epochs     passes over the training images
 * @param fair       strict-fairness sampling (FairNAS) rather than one uniformly drawn cell per step
 * @param batchSize  images per step
 * @param sgd        the weights' SGD
 * @param seed       the paths and the data order
 * @param torchThreads libtorch threads of the training thread (0 = default)
 */
public record SinglePathTraining(int epochs, boolean fair, int batchSize, SgdConfig sgd, long seed, int torchThreads) {
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
                List<Nb201Cell> paths = fair ? fairPaths(rng) : List.of(space.sample(rng));
                stats = stats.plus(step(supernet, optimizer, paths, data, idx, lr));
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("train_loss", stats.lossSum() / stats.count());
            m.put("train_accuracy", stats.accuracy());
            m.put("seconds", (System.nanoTime() - start) / 1e9);
            epochDone.accept(epoch, m);
        }
    }

    /** FairNAS's cells of one step: per edge a permutation of the operations; cell k takes each edge's k-th. */
    static List<Nb201Cell> fairPaths(SeededRandom rng) {
        List<Operation> ops = Operation.NB201;
        int[][] perm = new int[Nb201Cell.EDGES][];
        for (int e = 0; e < perm.length; e++) {
            perm[e] = rng.permutation(ops.size());
        }
        List<Nb201Cell> out = new ArrayList<>();
        for (int k = 0; k < ops.size(); k++) {
            List<Operation> cell = new ArrayList<>();
            for (int[] p : perm) {
                cell.add(ops.get(p[k]));
            }
            out.add(new Nb201Cell(cell));
        }
        return out;
    }

    /**
     * One step: each of {@code paths} on the images {@code idx}, their gradients summed, then one SGD update of the
     * weights on any of them.
     */
    static BatchStats step(SinglePathNb201 supernet, WeightOptimizer sgd, List<Nb201Cell> paths, Datasets.Split data,
                           int[] idx, double lr) {
        ImageSet train = data.train();
        try (NDManager step = supernet.manager().newSubManager()) {
            NDArray x = step.create(train.batch(idx, data.normalization()), new Shape(idx.length, train.channels(),
                    train.height(), train.width()));
            NDArray y = step.create(train.labelBatch(idx), new Shape(idx.length));
            BatchStats stats = BatchStats.EMPTY;
            boolean[] active = null;
            for (Nb201Cell path : paths) {
                try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
                    NDArray logits = supernet.forward(path, x, Norm.batch());
                    NDArray loss = LOSS.evaluate(new NDList(y), new NDList(logits));
                    float l = Divergence.check(loss.getFloat(), "the single-path supernet's loss on " + path.text());
                    gc.backward(loss);
                    long correct = logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
                    stats = stats.plus(new BatchStats(l * idx.length, correct, idx.length));
                }
                boolean[] on = supernet.onPath(path);
                if (active == null) {
                    active = on;
                } else {
                    for (int i = 0; i < on.length; i++) {
                        active[i] |= on[i];
                    }
                }
            }
            sgd.step(step, lr, active);
            return stats;
        }
    }
}
