package io.sparknas.oneshot.darts;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
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
        try (NDManager step = search.model().manager().newSubManager()) {
            List<NDArray> g = search.architect().gradient(step, order, val, train, lr);
            float[] a = g.get(0).toFloatArray();
            float[] b = g.get(1).toFloatArray();
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
                double[] norms = {Math.sqrt(SupernetModel.squaredNorm(SupernetModel.gradients(step, model.alphas()))),
                        Math.sqrt(SupernetModel.squaredNorm(SupernetModel.gradients(step, model.weights())))};
                model.zeroGradients();
                return norms;
            }
        }
    }

    @Test
    void alphaOfTheConvolutionRisesToTheTopOnATaskOnlyAConvolutionSolves() {
        try (DartsSearch search = new DartsSearch(tiny(10, 3e-3, 1), stripesSplit(), Device.cpu(), 1)) {
            List<DartsSearch.Epoch> epochs = search.run(e -> { });
            assertTrue(epochs.get(epochs.size() - 1).validationAccuracy() > 0.9, "the supernet learns the task");
            double[][] w = DartsSearch.softmax(search.alpha(0)); // normal cell: it sees the stem's 1x1 features
            double[] mean = new double[OPS.size()];
            for (double[] edge : w) {
                for (int k = 0; k < OPS.size(); k++) {
                    mean[k] += edge[k] / w.length;
                }
                for (int k = 1; k < OPS.size(); k++) {
                    assertTrue(k == SEP || edge[SEP] > edge[k], "sep_conv_3x3 leads on every edge: "
                            + Arrays.toString(edge));
                }
            }
            for (int k = 0; k < OPS.size(); k++) {
                assertTrue(k == SEP || mean[SEP] > mean[k] + 0.01, "sep_conv_3x3 clearly on top: " + Arrays.toString(mean));
            }
            DartsGenotype derived = epochs.get(epochs.size() - 1).genotype();
            assertTrue(derived.normal().edges().stream().allMatch(e -> e.op() == Operation.SEP_CONV_3X3),
                    derived.toString());
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

    @Test
    void firstAndSecondOrderStepsMoveAlphaInTheSameDirection() {
        Datasets.Split data = stripesSplit();
        float[][] val = null;
        double[] first;
        double[] second;
        try (DartsSearch search = new DartsSearch(tiny(1, 3e-4, 1), data, Device.cpu())) {
            val = search.batch(data.validation(), range(0, 32));
            float[][] train = search.batch(data.train(), range(0, 32));
            first = architectureGradient(search, 1, val, train, 0.05);
        }
        try (DartsSearch search = new DartsSearch(tiny(1, 3e-4, 2), data, Device.cpu())) {
            float[][] train = search.batch(data.train(), range(0, 32));
            second = architectureGradient(search, 2, val, train, 0.05);
        }
        double dot = 0;
        double n1 = 0;
        double n2 = 0;
        for (int i = 0; i < first.length; i++) {
            dot += first[i] * second[i];
            n1 += first[i] * first[i];
            n2 += second[i] * second[i];
        }
        double cosine = dot / Math.sqrt(n1 * n2);
        System.out.println("cosine(first-order, second-order alpha gradient) = " + cosine);
        assertTrue(n1 > 0 && n2 > 0);
        assertTrue(cosine > 0.5, "cosine " + cosine);
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
