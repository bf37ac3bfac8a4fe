package io.sparknas.strategies;

import java.util.Arrays;
import java.util.List;

/**
 * Exact Gaussian-process regression with a squared-exponential kernel on architecture encodings, used as the
 * surrogate of {@link PredictorSearch} (and of the predictor bench). Targets are standardised (unit signal variance). The length scale and the
 * noise are the pair of a grid that maximises the log marginal likelihood of the targets (Rasmussen and Williams,
 * eq. 2.30): length scales at 1/8 to 8 times the median pairwise distance (the classic heuristic, which fixes it
 * whatever the data), noise variances from 1e-4 (near interpolation) to 0.3 (mostly noise), 35 fits of O(n^3) each;
 * n is at most a few hundred evaluations here. A grid rather than gradient ascent: the likelihood is multimodal in
 * the length scale and a grid is deterministic and cannot diverge.
 *
 * <p>An input may come in blocks (the encoding, then cheap scores such as zero-cost proxies), each with its own
 * length scale: the kernel is the product of one squared exponential per block (automatic relevance determination
 * over blocks), so the likelihood decides how much the scores count against the encoding; every combination of the
 * blocks' grids is tried.
 */
public final class GaussianProcess implements Surrogate {
    static final double[] LENGTH_FACTORS = {0.125, 0.25, 0.5, 1, 2, 4, 8};
    static final double[] NOISES = {1e-4, 1e-3, 1e-2, 0.1, 0.3};

    private final double[][][] x;
    private final double[] alpha;
    private final double[][] chol;
    private final double[] lengthScale2;
    private final double noise;
    private final double logLikelihood;
    private final double mean;
    private final double scale;

    /** The fit whose length scale and noise maximise the marginal likelihood over the grid. */
    public static GaussianProcess fit(List<double[]> inputs, double[] targets) {
        return fitBlocks(List.of(inputs), targets);
    }

    /**
     * The fit over inputs in blocks ({@code blocks.get(b).get(i)}: block b of input i) whose per-block length scales
     * and noise maximise the marginal likelihood over the grid ({@code 7^blocks x 5} fits).
     */
    public static GaussianProcess fitBlocks(List<List<double[]>> blocks, double[] targets) {
        double[][][] x = blocks.stream().map(b -> b.toArray(new double[0][])).toArray(double[][][]::new);
        double[][][] d2 = new double[x.length][][];
        double[] median = new double[x.length];
        for (int b = 0; b < x.length; b++) {
            d2[b] = distances2(x[b]);
            median[b] = median(d2[b]);
        }
        int combinations = (int) Math.pow(LENGTH_FACTORS.length, x.length);
        GaussianProcess best = null;
        for (int c = 0; c < combinations; c++) {
            double[] l2 = new double[x.length];
            for (int b = 0, rest = c; b < x.length; b++, rest /= LENGTH_FACTORS.length) {
                double f = LENGTH_FACTORS[rest % LENGTH_FACTORS.length];
                l2[b] = median[b] * f * f;
            }
            for (double noise : NOISES) {
                GaussianProcess gp = new GaussianProcess(x, d2, targets, l2, noise);
                if (best == null || gp.logLikelihood > best.logLikelihood) {
                    best = gp;
                }
            }
        }
        return best;
    }

    /** A fit with the given squared length scale and noise variance (in standardised units). */
    GaussianProcess(List<double[]> inputs, double[] targets, double lengthScale2, double noise) {
        this(new double[][][] {inputs.toArray(new double[0][])},
                new double[][][] {distances2(inputs.toArray(new double[0][]))}, targets, new double[] {lengthScale2},
                noise);
    }

    private GaussianProcess(double[][][] x, double[][][] d2, double[] targets, double[] lengthScale2, double noise) {
        int n = targets.length;
        this.x = x;
        mean = Arrays.stream(targets).average().orElse(0);
        double var = Arrays.stream(targets).map(t -> (t - mean) * (t - mean)).sum() / Math.max(1, n - 1);
        scale = var > 0 ? Math.sqrt(var) : 1;
        double[] y = Arrays.stream(targets).map(t -> (t - mean) / scale).toArray();
        this.lengthScale2 = lengthScale2;
        this.noise = noise;
        double[][] kmat = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double e = 0;
                for (int b = 0; b < x.length; b++) {
                    e += d2[b][i][j] / lengthScale2[b];
                }
                double v = Math.exp(-0.5 * e);
                kmat[i][j] = v;
                kmat[j][i] = v;
            }
            kmat[i][i] += noise;
        }
        chol = cholesky(kmat);
        alpha = solveUpper(chol, solveLower(chol, y));
        double fitTerm = 0;
        double logDet = 0;
        for (int i = 0; i < n; i++) {
            fitTerm += y[i] * alpha[i];
            logDet += Math.log(chol[i][i]);
        }
        logLikelihood = -0.5 * fitTerm - logDet - 0.5 * n * Math.log(2 * Math.PI);
    }

    private static double[][] distances2(double[][] x) {
        double[][] d = new double[x.length][x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < i; j++) {
                d[i][j] = dist2(x[i], x[j]);
                d[j][i] = d[i][j];
            }
        }
        return d;
    }

    /** The median squared distance between two distinct inputs (1 when there is none or it is 0). */
    static double medianDistance2(double[][] x) {
        return median(distances2(x));
    }

    /** The median of a distance matrix's entries below the diagonal (1 when there is none or it is 0). */
    private static double median(double[][] d2) {
        int n = d2.length;
        double[] d = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                d[k++] = d2[i][j];
            }
        }
        Arrays.sort(d);
        return d.length == 0 || d[d.length / 2] == 0 ? 1 : d[d.length / 2];
    }

    /** The log marginal likelihood of the standardised targets under this fit's hyperparameters. */
    double logLikelihood() {
        return logLikelihood;
    }

    double lengthScale2() {
        return lengthScale2[0];
    }

    /** The squared length scale of block {@code b}. */
    double lengthScale2(int b) {
        return lengthScale2[b];
    }

    double noise() {
        return noise;
    }

    private double kernel(double[][] q, int i) {
        double e = 0;
        for (int b = 0; b < x.length; b++) {
            e += dist2(q[b], x[b][i]) / lengthScale2[b];
        }
        return Math.exp(-0.5 * e);
    }

    private static double dist2(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }

    /** Posterior mean and standard deviation at {@code q} (its blocks, in order), in the targets' units. */
    @Override
    public double[] predict(double[]... q) {
        if (q.length != x.length) {
            throw new IllegalArgumentException("an input of " + q.length + " blocks for a fit of " + x.length);
        }
        int n = alpha.length;
        double[] ks = new double[n];
        double mu = 0;
        for (int i = 0; i < n; i++) {
            ks[i] = kernel(q, i);
            mu += ks[i] * alpha[i];
        }
        double[] v = solveLower(chol, ks);
        double var = 1;
        for (double t : v) {
            var -= t * t;
        }
        return new double[] {mean + scale * mu, scale * Math.sqrt(Math.max(0, var))};
    }

    private static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    l[i][i] = Math.sqrt(Math.max(s, 1e-12));
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    private static double[] solveLower(double[][] l, double[] b) {
        int n = b.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        return y;
    }

    private static double[] solveUpper(double[][] l, double[] y) {
        int n = y.length;
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }
}
