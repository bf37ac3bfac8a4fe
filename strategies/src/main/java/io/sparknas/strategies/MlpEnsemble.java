package io.sparknas.strategies;

import io.sparknas.space.SeededRandom;

import java.util.Arrays;
import java.util.List;

/**
 * An ensemble of small feed-forward regressors, the predictor of BANANAS (White, Neiswanger and Savani, AAAI 2021):
 * every member is a ReLU perceptron with its own seeded initialisation and mini-batch order, trained by Adam on the
 * mean absolute error of the standardised targets, as BANANAS trains its meta network. The prediction is the
 * members' mean and the uncertainty their standard deviation, which Thompson sampling in {@link PredictorSearch}
 * draws from. Inputs given in blocks are concatenated. Pure Java: an architecture's encoding is a few hundred mostly
 * zero bits, so the first layer skips the zeros and a fit on 150 architectures takes a fraction of a second.
 */
public final class MlpEnsemble implements Surrogate {

    /**
     * @param members      networks in the ensemble (BANANAS: 5)
     * @param hiddenLayers hidden layers of each network (BANANAS: 10)
     * @param width        units per hidden layer (BANANAS: 20)
     * @param epochs       passes over the training set (BANANAS: 200)
     * @param batchSize    mini-batch size (BANANAS: 32)
     * @param learningRate Adam's step size (BANANAS: 0.01)
     */
    public record Settings(int members, int hiddenLayers, int width, int epochs, int batchSize, double learningRate) {
        public Settings {
            if (members < 2 || hiddenLayers < 1 || width < 1 || epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("an ensemble needs >= 2 members, >= 1 hidden layer, width, epochs "
                        + "and batch size >= 1 and a positive rate, got " + members + " members, " + hiddenLayers
                        + " hidden layers, width " + width + ", " + epochs + " epochs, batch size " + batchSize
                        + ", rate " + learningRate);
            }
        }

        /** BANANAS' settings but 3 hidden layers, not 10 (see docs/benchmarks.md for the two compared). */
        public static Settings defaults() {
            return new Settings(5, 3, 20, 200, 32, 0.01);
        }

        /** The same with another number of hidden layers. */
        public Settings withHiddenLayers(int layers) {
            return new Settings(members, layers, width, epochs, batchSize, learningRate);
        }
    }

    private final Network[] members;
    private final double mean;
    private final double scale;

    private MlpEnsemble(Network[] members, double mean, double scale) {
        this.members = members;
        this.mean = mean;
        this.scale = scale;
    }

    /** Trains {@code settings.members()} networks on the inputs (in blocks, concatenated) and their targets. */
    public static MlpEnsemble fit(List<List<double[]>> blocks, double[] targets, Settings settings, long seed) {
        int n = targets.length;
        if (n < 2 || blocks.isEmpty() || blocks.get(0).size() != n) {
            throw new IllegalArgumentException("an ensemble needs >= 2 inputs with one target each, got " + n);
        }
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            int row = i;
            x[i] = concat(blocks.stream().map(b -> b.get(row)).toArray(double[][]::new));
        }
        double m = Arrays.stream(targets).average().orElse(0);
        double var = Arrays.stream(targets).map(t -> (t - m) * (t - m)).sum() / (n - 1);
        double s = var > 0 ? Math.sqrt(var) : 1;
        double[] y = Arrays.stream(targets).map(t -> (t - m) / s).toArray();
        SeededRandom seeds = new SeededRandom(seed);
        Network[] members = new Network[settings.members()];
        for (int k = 0; k < members.length; k++) {
            SeededRandom rng = new SeededRandom(seeds.nextLong());
            members[k] = new Network(x[0].length, settings, rng);
            members[k].train(x, y, settings, rng);
        }
        return new MlpEnsemble(members, m, s);
    }

    @Override
    public double[] predict(double[]... blocks) {
        double[] x = concat(blocks);
        double sum = 0;
        double sum2 = 0;
        for (Network net : members) {
            double p = net.forward(x, null);
            sum += p;
            sum2 += p * p;
        }
        int k = members.length;
        double mu = sum / k;
        double sd = Math.sqrt(Math.max(0, sum2 / k - mu * mu));
        return new double[] {mean + scale * mu, scale * sd};
    }

    private static double[] concat(double[][] blocks) {
        if (blocks.length == 1) {
            return blocks[0];
        }
        double[] out = new double[Arrays.stream(blocks).mapToInt(b -> b.length).sum()];
        int at = 0;
        for (double[] b : blocks) {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    /** One ReLU perceptron with a linear output; its parameters and Adam's moments in flat arrays per layer. */
    private static final class Network {
        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final double EPSILON = 1e-8;

        final int[] sizes;
        final double[][] w; // w[l][o * in + i]
        final double[][] b;
        final double[][] gw;
        final double[][] gb;
        final double[][] mw;
        final double[][] vw;
        final double[][] mb;
        final double[][] vb;
        int steps;

        Network(int inputs, Settings s, SeededRandom rng) {
            sizes = new int[s.hiddenLayers() + 2];
            sizes[0] = inputs;
            Arrays.fill(sizes, 1, sizes.length - 1, s.width());
            sizes[sizes.length - 1] = 1;
            int layers = sizes.length - 1;
            w = new double[layers][];
            b = new double[layers][];
            for (int l = 0; l < layers; l++) {
                w[l] = new double[sizes[l + 1] * sizes[l]];
                b[l] = new double[sizes[l + 1]];
                double sd = Math.sqrt(2.0 / sizes[l]); // He initialisation for ReLU layers
                for (int j = 0; j < w[l].length; j++) {
                    w[l][j] = sd * rng.nextGaussian();
                }
            }
            gw = zerosLike(w);
            gb = zerosLike(b);
            mw = zerosLike(w);
            vw = zerosLike(w);
            mb = zerosLike(b);
            vb = zerosLike(b);
        }

        /** The output for {@code x}; with {@code acts} non-null, every layer's activations are kept in it. */
        double forward(double[] x, double[][] acts) {
            double[] in = x;
            for (int l = 0; l < w.length; l++) {
                int nIn = sizes[l];
                int nOut = sizes[l + 1];
                double[] out = acts == null ? new double[nOut] : acts[l + 1];
                for (int o = 0; o < nOut; o++) {
                    out[o] = b[l][o];
                }
                for (int i = 0; i < nIn; i++) {
                    double v = in[i];
                    if (v == 0) {
                        continue;
                    }
                    for (int o = 0; o < nOut; o++) {
                        out[o] += w[l][o * nIn + i] * v;
                    }
                }
                if (l < w.length - 1) {
                    for (int o = 0; o < nOut; o++) {
                        out[o] = Math.max(0, out[o]);
                    }
                }
                in = out;
            }
            return in[0];
        }

        void train(double[][] x, double[] y, Settings s, SeededRandom rng) {
            double[][] acts = new double[sizes.length][];
            double[][] deltas = new double[sizes.length][];
            for (int l = 1; l < sizes.length; l++) {
                acts[l] = new double[sizes[l]];
                deltas[l] = new double[sizes[l]];
            }
            for (int epoch = 0; epoch < s.epochs(); epoch++) {
                int[] order = rng.permutation(x.length);
                for (int start = 0; start < order.length; start += s.batchSize()) {
                    int end = Math.min(order.length, start + s.batchSize());
                    clear(gw);
                    clear(gb);
                    for (int k = start; k < end; k++) {
                        acts[0] = x[order[k]];
                        double out = forward(acts[0], acts);
                        double err = out - y[order[k]];
                        deltas[sizes.length - 1][0] = Math.signum(err) / (end - start); // d(mean |err|)
                        backward(acts, deltas);
                    }
                    adam(s.learningRate());
                }
            }
        }

        private void backward(double[][] acts, double[][] deltas) {
            for (int l = w.length - 1; l >= 0; l--) {
                int nIn = sizes[l];
                int nOut = sizes[l + 1];
                double[] d = deltas[l + 1];
                double[] a = acts[l];
                for (int o = 0; o < nOut; o++) {
                    gb[l][o] += d[o];
                }
                for (int i = 0; i < nIn; i++) {
                    if (a[i] == 0) {
                        continue; // no gradient to the weight, and a ReLU that is off passes none back
                    }
                    double back = 0;
                    for (int o = 0; o < nOut; o++) {
                        gw[l][o * nIn + i] += d[o] * a[i];
                        back += w[l][o * nIn + i] * d[o];
                    }
                    if (l > 0) {
                        deltas[l][i] = back;
                    }
                }
                if (l > 0) {
                    for (int i = 0; i < nIn; i++) {
                        if (a[i] == 0) {
                            deltas[l][i] = 0;
                        }
                    }
                }
            }
        }

        private void adam(double rate) {
            steps++;
            double c1 = 1 - Math.pow(BETA1, steps);
            double c2 = 1 - Math.pow(BETA2, steps);
            for (int l = 0; l < w.length; l++) {
                step(w[l], gw[l], mw[l], vw[l], rate, c1, c2);
                step(b[l], gb[l], mb[l], vb[l], rate, c1, c2);
            }
        }

        private static void step(double[] p, double[] g, double[] m, double[] v, double rate, double c1, double c2) {
            for (int j = 0; j < p.length; j++) {
                m[j] = BETA1 * m[j] + (1 - BETA1) * g[j];
                v[j] = BETA2 * v[j] + (1 - BETA2) * g[j] * g[j];
                p[j] -= rate * (m[j] / c1) / (Math.sqrt(v[j] / c2) + EPSILON);
            }
        }

        private static double[][] zerosLike(double[][] a) {
            double[][] out = new double[a.length][];
            for (int l = 0; l < a.length; l++) {
                out[l] = new double[a[l].length];
            }
            return out;
        }

        private static void clear(double[][] a) {
            for (double[] row : a) {
                Arrays.fill(row, 0);
            }
        }
    }
}
