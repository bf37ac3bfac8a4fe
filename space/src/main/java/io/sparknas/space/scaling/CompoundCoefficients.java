package io.sparknas.space.scaling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * EfficientNet's compound coefficients (Tan &amp; Le 2019): depth is scaled by alpha^phi, width by beta^phi and input
 * resolution by gamma^phi; FLOPs grow by about (alpha * beta^2 * gamma^2)^phi, so the constraint alpha * beta^2 *
 * gamma^2 ~ 2 makes each step of phi about double them. EfficientNet's grid search at phi = 1 found (1.2, 1.1, 1.15).
 */
public record CompoundCoefficients(double alpha, double beta, double gamma) {
    public static final CompoundCoefficients EFFICIENTNET = new CompoundCoefficients(1.2, 1.1, 1.15);

    public CompoundCoefficients {
        atLeastOne("alpha", alpha);
        atLeastOne("beta", beta);
        atLeastOne("gamma", gamma);
    }

    /** alpha * beta^2 * gamma^2: the FLOPs factor per step of phi before rounding. */
    public double flopsFactor() {
        return alpha * beta * beta * gamma * gamma;
    }

    /**
     * Every point of the grid {1, 1 + step, 1 + 2 step, ...} (up to {@code max}) in each coefficient whose
     * {@link #flopsFactor()} lies within {@code tolerance} of {@code target}, in (alpha, beta, gamma) order. An empty
     * grid is refused with the tolerance that would give a point.
     */
    public static List<CompoundCoefficients> grid(double step, double max, double target, double tolerance) {
        if (!(step > 0) || !(max >= 1) || !(target >= 1) || !(tolerance >= 0)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "scale.grid needs step > 0, max >= 1, "
                    + "target >= 1 and tolerance >= 0, got step %s, max %s, target %s, tolerance %s", step, max, target,
                    tolerance));
        }
        int n = (int) Math.floor((max - 1) / step + 1e-9);
        List<CompoundCoefficients> points = new ArrayList<>();
        double nearest = Double.POSITIVE_INFINITY;
        for (int a = 0; a <= n; a++) {
            for (int b = 0; b <= n; b++) {
                for (int g = 0; g <= n; g++) {
                    CompoundCoefficients c = new CompoundCoefficients(round(1 + a * step), round(1 + b * step),
                            round(1 + g * step));
                    double miss = Math.abs(c.flopsFactor() - target);
                    nearest = Math.min(nearest, miss);
                    if (miss <= tolerance) {
                        points.add(c);
                    }
                }
            }
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "scale.grid is empty: no point with step %s "
                    + "up to %s has alpha*beta^2*gamma^2 within %s of %s; a tolerance of %.4f would give one", step, max,
                    tolerance, target, Math.ceil(nearest * 1e4) / 1e4));
        }
        return points;
    }

    /** Grid values as written (1.05, not 1.0500000000000003), so they print and compare as the user typed them. */
    private static double round(double v) {
        return Math.round(v * 1e9) / 1e9;
    }

    private static void atLeastOne(String name, double v) {
        if (!(v >= 1) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be a number >= 1 (compound scaling only grows a network), "
                    + "got " + v);
        }
    }
}
