package io.sparknas.space.scaling;

import io.sparknas.space.NetworkSize;

import java.util.function.ToLongFunction;

/**
 * Scales a base network by EfficientNet's rules, with sparknas's rounding:
 * <ul>
 *   <li>depth: {@code ceil(layers * d)} cells (EfficientNet's {@code round_repeats});</li>
 *   <li>width: {@code channels * w} rounded to the nearest multiple of {@link #WIDTH_DIVISOR} (4), at least 4, and
 *       one step up if rounding lost more than 10% (EfficientNet's {@code round_filters}, with divisor 4 instead of 8
 *       for the small proxies here; DARTS cells need an even width);</li>
 *   <li>resolution: {@code side * r} rounded to the nearest multiple of {@code resolutionMultiple} (4 for a DARTS
 *       network with two reduction cells), at least {@link #MIN_RESOLUTION};</li>
 * </ul>
 * with {@code d, w, r = alpha^phi, beta^phi, gamma^phi} for compound scaling. The single-dimension baselines scale
 * one dimension alone to the FLOPs compound scaling targets ({@link #matchFlops}).
 */
public final class CompoundScaling {
    public static final int WIDTH_DIVISOR = 4;
    public static final int MIN_RESOLUTION = 8;

    /** What is scaled: all three dimensions by the coefficients, or one of them alone. */
    public enum Method {
        COMPOUND, DEPTH, WIDTH, RESOLUTION;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private CompoundScaling() {
    }

    /** The base scaled by {@code c} at {@code phi} (phi = 0 is the base itself, after rounding). */
    public static ScaledNetwork compound(ScaledNetwork base, CompoundCoefficients c, double phi, int resolutionMultiple) {
        if (!(phi >= 0)) {
            throw new IllegalArgumentException("phi must be >= 0, got " + phi);
        }
        return scale(base, Math.pow(c.alpha(), phi), Math.pow(c.beta(), phi), Math.pow(c.gamma(), phi),
                resolutionMultiple);
    }

    /** The base with its depth, width and resolution multiplied by {@code d}, {@code w}, {@code r}, then rounded. */
    public static ScaledNetwork scale(ScaledNetwork base, double d, double w, double r, int resolutionMultiple) {
        NetworkSize s = base.size();
        NetworkSize size = new NetworkSize(roundWidth(s.channels() * w), (int) Math.ceil(s.layers() * d - 1e-9),
                s.stemMultiplier());
        return new ScaledNetwork(size, roundResolution(base.resolution() * r, resolutionMultiple));
    }

    /** EfficientNet's round_filters with divisor {@link #WIDTH_DIVISOR}. */
    public static int roundWidth(double channels) {
        int d = WIDTH_DIVISOR;
        int rounded = Math.max(d, (int) ((channels + d / 2.0) / d) * d);
        if (rounded < 0.9 * channels) {
            rounded += d;
        }
        return rounded;
    }

    /** The nearest multiple of {@code multiple}, refused below {@link #MIN_RESOLUTION}. */
    public static int roundResolution(double side, int multiple) {
        if (multiple < 1) {
            throw new IllegalArgumentException("resolutionMultiple must be >= 1, got " + multiple);
        }
        int rounded = (int) Math.round(side / multiple) * multiple;
        if (rounded < MIN_RESOLUTION) {
            throw new IllegalArgumentException("resolution " + side + " rounds to " + rounded + " pixels, under the "
                    + "minimum of " + MIN_RESOLUTION + "; use a larger base resolution");
        }
        return rounded;
    }

    /**
     * A baseline: the base scaled in one dimension only, to the value whose FLOPs ({@code flops}, the cost model of
     * the genotype at hand) come closest to {@code targetFlops} (the FLOPs of the compound-scaled network it is
     * compared with). Depth moves in whole cells, width in steps of the divisor, resolution in steps of the multiple;
     * ties go to the smaller network.
     */
    public static ScaledNetwork matchFlops(Method method, ScaledNetwork base, long targetFlops, int resolutionMultiple,
                                           ToLongFunction<ScaledNetwork> flops) {
        NetworkSize s = base.size();
        ScaledNetwork best = base;
        long bestMiss = Math.abs(flops.applyAsLong(base) - targetFlops);
        for (int step = 1; step <= 4096; step++) {
            ScaledNetwork next = switch (method) {
                case DEPTH -> new ScaledNetwork(new NetworkSize(s.channels(), s.layers() + step, s.stemMultiplier()),
                        base.resolution());
                case WIDTH -> new ScaledNetwork(new NetworkSize(s.channels() + step * WIDTH_DIVISOR, s.layers(),
                        s.stemMultiplier()), base.resolution());
                case RESOLUTION -> new ScaledNetwork(s, base.resolution() + step * resolutionMultiple);
                case COMPOUND -> throw new IllegalArgumentException("matchFlops scales one dimension, not compound");
            };
            long f = flops.applyAsLong(next);
            long miss = Math.abs(f - targetFlops);
            if (miss < bestMiss) {
                best = next;
                bestMiss = miss;
            }
            if (f > targetFlops) {
                return best;
            }
        }
        throw new IllegalArgumentException(method.text() + " alone does not reach " + targetFlops + " FLOPs");
    }
}
