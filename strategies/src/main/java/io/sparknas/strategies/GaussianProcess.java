package io.sparknas.strategies;

import java.util.Arrays;
import java.util.List;

/**
 * Exact Gaussian-process regression with a squared-exponential kernel on architecture encodings, used as the
 * surrogate of {@link PredictorSearch}. Targets are standardised (unit signal variance). The length scale and the
 * noise are the pair of a grid that maximises the log marginal likelihood of the targets (Rasmussen and Williams,
 * eq. 2.30): length scales at 1/8 to 8 times the median pairwise distance (the classic heuristic, which fixes it
 * whatever the data), noise variances from 1e-4 (near interpolation) to 0.3 (mostly noise), 35 fits of O(n^3) each;
 * n is at most a few hundred evaluations here. A grid rather than gradient ascent: the likelihood is multimodal in
 * the length scale and a grid is deterministic and cannot diverge.
 */
final class GaussianProcess {
    static final double[] LENGTH_FACTORS = {0.125, 0.25, 0.5, 1, 2, 4, 8};
    static final double[] NOISES = {1e-4, 1e-3, 1e-2, 0.1, 0.3};

    private final double[][] x;
    private final double[] alpha;
    private final double[][] chol;
    private final double lengthScale2;
    private final double noise;
    private final double logLikelihood;
    private final double mean;
    private final double scale;

    /** The fit whose length scale and noise maximise the marginal likelihood over the grid. */
    static GaussianProcess fit(List<double[]> inputs, double[] targets) {
        double median = medianDistance2(inputs.toArray(new double[0][]));
        GaussianProcess best = null;
        for (double f : LENGTH_FACTORS) {
            for (double noise : NOISES) {
                GaussianProcess gp = new GaussianProcess(inputs, targets, median * f * f, noise);
                if (best == null || gp.logLikelihood > best.logLikelihood) {
                    best = gp;
                }
            }
        }
        return best;
    }

    /** A fit with the given squared length scale and noise variance (in standardised units). */
    GaussianProcess(List<double[]> inputs, double[] targets, double lengthScale2, double noise) {
        int n = inputs.size();
        x = inputs.toArray(new double[0][]);
        mean = Arrays.stream(targets).average().orElse(0);
        double var = Arrays.stream(targets).map(t -> (t - mean) * (t - mean)).sum() / Math.max(1, n - 1);
        scale = var > 0 ? Math.sqrt(var) : 1;
        double[] y = Arrays.stream(targets).map(t -> (t - mean) / scale).toArray();
        this.lengthScale2 = lengthScale2;
        this.noise = noise;
        double[][] kmat = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = kernel(x[i], x[j]);
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

    /** The median squared distance between two distinct inputs (1 when there is none or it is 0). */
    static double medianDistance2(double[][] x) {
        int n = x.length;
        double[] d = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                d[k++] = dist2(x[i], x[j]);
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
        return lengthScale2;
    }

    double noise() {
        return noise;
    }

    private double kernel(double[] a, double[] b) {
        return Math.exp(-0.5 * dist2(a, b) / lengthScale2);
    }

    private static double dist2(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }

    /** Posterior mean and standard deviation at {@code q}, in the targets' units. */
    double[] predict(double[] q) {
        int n = x.length;
        double[] ks = new double[n];
        double mu = 0;
        for (int i = 0; i < n; i++) {
            ks[i] = kernel(q, x[i]);
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
