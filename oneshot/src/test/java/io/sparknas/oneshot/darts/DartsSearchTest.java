package io.sparknas.oneshot.darts;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.training.GradientClip;
import io.sparknas.oneshot.StepArrays;
import io.sparknas.oneshot.WeightOptimizer;
import io.sparknas.space.Operation;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.Settings;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsJson;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DartsSearchTest {
    private static final List<Operation> OPS = List.of(Operation.NONE, Operation.MAX_POOL_3X3, Operation.AVG_POOL_3X3,
            Operation.SKIP_CONNECT, Operation.SEP_CONV_3X3);
    private static final int SEP = OPS.indexOf(Operation.SEP_CONV_3X3);

    /**
     * 8x8 images of period-2 stripes, horizontal (class 0) or vertical (class 1), random phase, noise. Their mean
     * is the same, 3x3 max pooling turns both into bright planes and 3x3 averages differ only at the border; a
     * 3x3 convolution tells them apart at every pixel.
     */
    static ImageSet stripes(int n, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        byte[] px = new byte[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            int phase = rng.nextInt(2);
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    int bright = ((labels[i] == 0 ? r : c) + phase) % 2;
                    int v = (bright == 1 ? 150 : 105) + rng.nextInt(161) - 80;
                    px[i * 64 + r * 8 + c] = (byte) v;
                }
            }
        }
        return new ImageSet("stripes", px, labels, 1, 8, 8, 2);
    }

    static Datasets.Split stripesSplit() {
        ImageSet train = stripes(256, 1);
        ImageSet val = stripes(256, 2);
        return new Datasets.Split(train, val, stripes(2, 3), train.statistics());
    }

    /**
     * A throwaway pass through every shape the tests use: libtorch 2.7.1 on this CPU has given wrong results the
     * first time a network's shapes ran in a JVM (docs/benchmarks.md), and the tests below compare runs.
     */
    @BeforeAll
    static void warmUp() {
        Datasets.Split data = stripesSplit();
        for (int order : new int[] {1, 2}) {
            try (DartsSearch search = new DartsSearch(tiny(1, 3e-4, order), data, Device.cpu(), 1)) {
                architectureGradient(search, order, search.batch(data.validation(), range(0, 32)),
                        search.batch(data.train(), range(0, 32)), 0.05);
            }
            try (DartsSearch search = new DartsSearch(tiny(1, 3e-4, order), data, Device.cpu())) {
                architectureGradient(search, order, search.batch(data.validation(), range(0, 32)),
                        search.batch(data.train(), range(0, 32)), 0.05);
            }
        }
    }

    static DartsSearchConfig tiny(int epochs, double archLr, int order) {
        return Settings.override(DartsSearchConfig.defaults(), "ops: ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', "
                + "'sep_conv_3x3'], nodes: 2, channels: 4, layers: 3, stemMultiplier: 1, epochs: " + epochs
                + ", batchSize: 32, learningRate: 0.05, learningRateMin: 0.001, archLearningRate: " + archLr
                + ", order: " + order + ", maxSkips: -1, seed: 7");
    }

    /** The architecture gradient of {@code order} on fixed batches, flattened (normal then reduce), not applied. */
    static double[] architectureGradient(DartsSearch search, int order, float[][] val, float[][] train, double lr) {
        return flat(search.model(), search.architect(), order, val, train, lr);
    }

    static double[] flat(SupernetModel model, Architect architect, int order, float[][] val, float[][] train, double lr) {
        try (NDManager step = model.manager().newSubManager()) {
            List<NDArray> g = architect.gradient(step, order, val, train, lr);
            double[] a = g.get(0).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] b = g.get(1).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] flat = new double[a.length + b.length];
            for (int i = 0; i < a.length; i++) {
                flat[i] = a[i];
            }
            for (int i = 0; i < b.length; i++) {
                flat[a.length + i] = b[i];
            }
            return flat;
        }
    }

    /** Norms of the gradients one training-mode pass gives alpha and w; zeroed again. */
    static double[] gradientNorms(DartsSearch search, float[][] batch) {
        SupernetModel model = search.model();
        try (NDManager step = model.manager().newSubManager()) {
            model.forwardBackward(step, batch);
            try (Torch.NoGrad ng = Torch.noGrad()) {
                double[] norms = {Math.sqrt(GradientClip.squaredNorm(StepArrays.gradients(step, model.alphas()))),
                        Math.sqrt(GradientClip.squaredNorm(StepArrays.gradients(step, model.weights())))};
                model.zeroGradients();
                return norms;
            }
        }
    }

    /**
     * On average over the normal cell's edges sep_conv_3x3 ends clearly on top, and the derived cell (the top two
     * edges per node by their strongest operation other than {@code none}) is sep_conv_3x3 throughout. Not on every
     * single edge: with PyTorch's initialisation {@code none} keeps the most weight on an edge the derivation drops,
     * as in DARTS itself, where {@code none} only scales an edge and is never chosen.
     */
    @Test
    void alphaOfTheConvolutionRisesToTheTopOnATaskOnlyAConvolutionSolves() {
        try (DartsSearch search = new DartsSearch(tiny(20, 3e-3, 1), stripesSplit(), Device.cpu(), 1)) {
            List<DartsSearch.Epoch> epochs = search.run(e -> { });
            assertTrue(epochs.get(epochs.size() - 1).validationAccuracy() > 0.9, "the supernet learns the task");
            double[][] w = DartsSearch.softmax(search.alpha(0)); // normal cell: it sees the stem's 1x1 features
            double[] mean = new double[OPS.size()];
            for (double[] edge : w) {
                for (int k = 0; k < OPS.size(); k++) {
                    mean[k] += edge[k] / w.length;
                }
            }
            for (int k = 0; k < OPS.size(); k++) {
                assertTrue(k == SEP || mean[SEP] > mean[k] + 0.01, "sep_conv_3x3 clearly on top: " + Arrays.toString(mean));
            }
            DartsGenotype derived = epochs.get(epochs.size() - 1).genotype();
            assertTrue(derived.normal().edges().stream().allMatch(e -> e.op() == Operation.SEP_CONV_3X3),
                    derived + " from " + Arrays.deepToString(w));
        }
    }

    @Test
    void gradientsReachAlphaAndTheNetworkWeights() {
        Datasets.Split data = stripesSplit();
        try (DartsSearch search = new DartsSearch(tiny(1, 3e-4, 1), data, Device.cpu())) {
            double[] norms = gradientNorms(search, search.batch(data.train(), range(0, 32)));
            assertTrue(norms[0] > 0 && Double.isFinite(norms[0]), "alpha's gradient: " + norms[0]);
            assertTrue(norms[1] > 0 && Double.isFinite(norms[1]), "w's gradient: " + norms[1]);
        }
    }

    /**
     * The second-order architecture gradient is the derivative of the unrolled validation loss
     * L_val(w'(alpha), alpha), w'(alpha) = w - xi * (dL_train(w, alpha)/dw + wd * w): checked coordinate by coordinate
     * against central finite differences of that loss, in double precision (a ReLU network's weight gradient jumps
     * where a unit crosses zero, so the unrolled loss is only piecewise smooth in alpha and float32 differences are
     * noise), with the Hessian-vector product's radius made infinitesimal (DARTS's R = 0.01/|g| crosses such kinks
     * itself: with it the search's gradient is 8% off at xi = 0.01, by design). The first-order gradient, which drops
     * the Hessian term, must be clearly further off.
     */
    @Test
    void theSecondOrderGradientIsTheDerivativeOfTheUnrolledValidationLoss() {
        Datasets.Split data = stripesSplit();
        double xi = 0.1;
        DartsSearchConfig cfg = tiny(1, 3e-4, 2);
        try (DartsSearch search = new DartsSearch(cfg, data, Device.cpu(), 1, DataType.FLOAT64)) {
            float[][] val = search.batch(data.validation(), range(0, 32));
            float[][] train = search.batch(data.train(), range(32, 64));
            Architect exact = new Architect(cfg.architect(), search.model(), new WeightOptimizer(cfg.sgd(),
                    search.model()), 1e-7, Optional.empty());
            double[] second = flat(search.model(), exact, 2, val, train, xi);
            double[] first = flat(search.model(), exact, 1, val, train, xi);
            double[] numeric = unrolledLossGradient(search.model(), val, train, xi, 1e-6);
            double errSecond = distance(second, numeric) / norm(numeric);
            double errFirst = distance(first, numeric) / norm(numeric);
            System.out.printf("relative error against finite differences: second order %.6f, first order %.6f%n",
                    errSecond, errFirst);
            assertTrue(errSecond < 1e-3, "second-order gradient off by " + errSecond);
            assertTrue(errFirst > 0.1, "the Hessian term is measurable here: first order off by " + errFirst);
        }
    }

    /** d/d alpha of L_val(w'(alpha), alpha) by central differences, every coordinate of both alphas. */
    static double[] unrolledLossGradient(SupernetModel model, float[][] val, float[][] train, double xi, double eps) {
        List<double[]> grad = new java.util.ArrayList<>();
        for (NDArray alpha : model.alphas()) {
            double[] a0 = alpha.toDoubleArray();
            double[] g = new double[a0.length];
            for (int i = 0; i < a0.length; i++) {
                double[] plus = a0.clone();
                plus[i] += eps;
                double[] minus = a0.clone();
                minus[i] -= eps;
                double up = unrolledLoss(model, alpha, plus, val, train, xi);
                double down = unrolledLoss(model, alpha, minus, val, train, xi);
                g[i] = (up - down) / (2 * eps);
            }
            alpha.set(a0);
            grad.add(g);
        }
        double[] flat = new double[grad.get(0).length + grad.get(1).length];
        System.arraycopy(grad.get(0), 0, flat, 0, grad.get(0).length);
        System.arraycopy(grad.get(1), 0, flat, grad.get(0).length, grad.get(1).length);
        return flat;
    }

    /** L_val after one unrolled SGD step of size xi from the current weights (restored afterwards), at alpha = a. */
    static double unrolledLoss(SupernetModel model, NDArray alpha, double[] a, float[][] val, float[][] train, double xi) {
        try (NDManager step = model.manager().newSubManager()) {
            alpha.set(a);
            List<NDArray> saved = io.sparknas.oneshot.StepArrays.copies(step, model.weights());
            model.forwardBackward(step, train);
            try (Torch.NoGrad ng = Torch.noGrad()) {
                List<NDArray> g = io.sparknas.oneshot.StepArrays.gradients(step, model.weights());
                for (int i = 0; i < g.size(); i++) {
                    NDArray w = model.weights().get(i);
                    NDArray d = g.get(i).add(w.mul(3e-4));
                    d.attach(step);
                    w.subi(d.muli(xi));
                }
                model.zeroGradients();
            }
            double loss = model.forwardBackward(step, val).lossSum();
            try (Torch.NoGrad ng = Torch.noGrad()) {
                model.zeroGradients();
                model.setWeights(saved, saved, 0);
            }
            return loss;
        }
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    static double norm(double[] a) {
        return distance(a, new double[a.length]);
    }

    @Test
    void theDerivedGenotypeIsInTheSpaceAndRoundTrips() {
        try (DartsSearch search = new DartsSearch(tiny(1, 3e-4, 2), stripesSplit(), Device.cpu())) {
            DartsGenotype g = search.run(e -> { }).get(0).genotype();
            new DartsSpace(OPS.stream().filter(op -> op != Operation.NONE).toList(), 2).check(g);
            assertEquals(g, DartsText.parse(DartsText.format(g)));
            assertEquals(g, DartsJson.parse(DartsJson.format(g)));
        }
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
