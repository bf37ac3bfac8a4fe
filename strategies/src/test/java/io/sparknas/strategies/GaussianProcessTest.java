package io.sparknas.strategies;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussianProcessTest {
    @Test
    void theLogLikelihoodOfTwoPointsIsTheirBivariateNormalDensity() {
        List<double[]> x = List.of(new double[] {0}, new double[] {1.5});
        double[] t = {0.3, 0.9};
        double l2 = 2.0;
        double noise = 0.01;
        GaussianProcess gp = new GaussianProcess(x, t, l2, noise);
        // standardised targets: mean 0.6, sample standard deviation 0.6 / sqrt(2)
        double sd = Math.sqrt(((0.3 - 0.6) * (0.3 - 0.6) + (0.9 - 0.6) * (0.9 - 0.6)) / 1);
        double y1 = (0.3 - 0.6) / sd;
        double y2 = (0.9 - 0.6) / sd;
        double a = 1 + noise;
        double k = Math.exp(-0.5 * 1.5 * 1.5 / l2);
        double det = a * a - k * k;
        double quad = (a * y1 * y1 - 2 * k * y1 * y2 + a * y2 * y2) / det;
        double expected = -0.5 * quad - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
        assertEquals(expected, gp.logLikelihood(), 1e-9);
    }

    @Test
    void theFitFindsAShorterLengthScaleThanTheMedianWhenTheTargetsVaryFasterAndPredictsBetter() {
        List<double[]> train = new ArrayList<>();
        double[] t = new double[40];
        for (int i = 0; i < 40; i++) {
            double v = i * 0.25; // inputs 0 .. 9.75: median distance about 3.3, the targets' period 2
            train.add(new double[] {v});
            t[i] = Math.sin(Math.PI * v);
        }
        double median = GaussianProcess.medianDistance2(train.toArray(new double[0][]));
        GaussianProcess fitted = GaussianProcess.fit(train, t);
        GaussianProcess heuristic = new GaussianProcess(train, t, median, 1e-4);
        assertTrue(fitted.lengthScale2() < median, fitted.lengthScale2() + " against the median " + median);
        assertTrue(fitted.logLikelihood() > heuristic.logLikelihood());
        double fittedError = 0;
        double heuristicError = 0;
        for (int i = 0; i < 39; i++) {
            double v = i * 0.25 + 0.125; // halfway between training inputs
            fittedError += Math.pow(fitted.predict(new double[] {v})[0] - Math.sin(Math.PI * v), 2);
            heuristicError += Math.pow(heuristic.predict(new double[] {v})[0] - Math.sin(Math.PI * v), 2);
        }
        assertTrue(fittedError < heuristicError, fittedError + " against " + heuristicError);
    }

    @Test
    void noisyTargetsAreFittedWithNoiseRatherThanInterpolated() {
        java.util.Random rng = new java.util.Random(5);
        List<double[]> x = new ArrayList<>();
        double[] t = new double[60];
        for (int i = 0; i < 60; i++) {
            x.add(new double[] {rng.nextDouble() * 10});
            t[i] = 0.1 * x.get(i)[0] + rng.nextGaussian(); // a gentle trend under unit noise
        }
        GaussianProcess gp = GaussianProcess.fit(x, t);
        assertTrue(gp.noise() >= 0.1, "the noise the likelihood chose: " + gp.noise());
    }

    @Test
    void aBlockTheTargetsDoNotDependOnGetsALongLengthScaleAndTheOtherBlockPredicts() {
        java.util.Random rng = new java.util.Random(11);
        List<double[]> noise = new ArrayList<>();
        List<double[]> score = new ArrayList<>();
        double[] t = new double[60];
        for (int i = 0; i < 60; i++) {
            noise.add(new double[] {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()}); // unrelated to t
            score.add(new double[] {rng.nextDouble()});
            t[i] = Math.sin(3 * score.get(i)[0]);
        }
        GaussianProcess both = GaussianProcess.fitBlocks(List.of(noise, score), t);
        GaussianProcess noiseOnly = GaussianProcess.fit(noise, t);
        double median = GaussianProcess.medianDistance2(noise.toArray(new double[0][]));
        assertTrue(both.lengthScale2(0) > both.lengthScale2(1) && both.lengthScale2(0) >= 4 * median,
                "length scales " + both.lengthScale2(0) + " (unrelated) and " + both.lengthScale2(1));
        double bothError = 0;
        double noiseError = 0;
        for (int i = 0; i < 40; i++) {
            double[] n = {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()};
            double s = rng.nextDouble();
            bothError += Math.pow(both.predict(n, new double[] {s})[0] - Math.sin(3 * s), 2);
            noiseError += Math.pow(noiseOnly.predict(n)[0] - Math.sin(3 * s), 2);
        }
        assertTrue(bothError < 0.01 * noiseError, bothError + " against " + noiseError);
    }

    @Test
    void anInputWithTheWrongNumberOfBlocksIsRefused() {
        GaussianProcess gp = GaussianProcess.fit(List.of(new double[] {0}, new double[] {1}), new double[] {0, 1});
        assertThrows(IllegalArgumentException.class, () -> gp.predict(new double[] {0}, new double[] {0}));
    }
}
