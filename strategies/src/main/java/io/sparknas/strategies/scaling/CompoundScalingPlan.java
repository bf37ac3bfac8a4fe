package io.sparknas.strategies.scaling;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.scaling.CompoundCoefficients;
import io.sparknas.space.scaling.CompoundScaling;
import io.sparknas.space.scaling.ScaledNetwork;
import io.sparknas.space.scaling.ScalingBase;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * EfficientNet's two stages as candidates: stage 1 is the coefficient grid at phi = 1 (the {@link #grid()}), kept
 * where the network, after rounding channels, cells and resolution, costs {@code flopsTarget} times the base within
 * {@code tolerance} (its actual FLOPs, not alpha * beta^2 * gamma^2: rounding moves a nominal 2x to between 1.7x and
 * 3.9x), one point per distinct network; the best of them by validation accuracy is chosen ({@link #choose}). Stage 2
 * ({@link #scaling}) trains the base (phi = 0) and scales it for phi = 1..maxPhi with the chosen coefficients and, as
 * baselines, in depth, width or resolution alone to the compound network's FLOPs, each with {@code seeds} seeds of
 * its own (never the grid's, so phi = 1 does not replay the grid's maximum), at a fixed budget or one that grows with
 * the FLOPs aimed at ({@link Settings#epochFactor}). EfficientNet's Figure 3 ({@link #saturation}) sweeps each
 * dimension alone far beyond the budget. Deterministic: the same settings give
 * the same candidates (a resumed sweep regenerates them). What each candidate is — its coefficients,
 * phi, FLOPs ratio to the base — is in {@link #describe}, for its row's metrics.
 */
public final class CompoundScalingPlan {
    /** Resolutions are rounded to multiples of 4: DARTS and NAS-Bench-201 networks halve the side twice. */
    public static final int RESOLUTION_MULTIPLE = 4;

    /**
     * @param gridStep    spacing of alpha, beta and gamma in the grid (EfficientNet: 0.05)
     * @param gridMax     the largest coefficient tried
     * @param flopsTarget the FLOPs ratio to the base aimed at phi = 1 (EfficientNet: alpha * beta^2 * gamma^2 = 2)
     * @param tolerance   how far a grid point's actual FLOPs ratio (after rounding) may be from the target
     * @param maxPhi      stage 2 scales for phi = 1..maxPhi
     * @param seeds       evaluations per stage-2 network (seeds {@code seed + 1}, {@code seed + 2}, ...)
     * @param seed        stage 1's seed; stage 2's start after it
     * @param budget      stage 2's training budget: {@code fixed} (every network the proxy's epochs) or {@code flops}
     *                    (epochs grow with the FLOPs aimed at: the proxy's epochs times {@code flopsTarget^phi}, the
     *                    same for every method at a phi, so methods compare at matched FLOPs and epochs)
     * @param saturation  EfficientNet's Figure 3: multipliers of one dimension alone, swept far beyond the budget
     *                    (empty: not run)
     */
    public record Settings(double gridStep, double gridMax, double flopsTarget, double tolerance, int maxPhi, int seeds,
                           long seed, String budget, Saturation saturation) implements Serializable {
        public static final String FIXED = "fixed";
        public static final String FLOPS = "flops";

        public Settings {
            budget = budget == null ? FIXED : budget;
            saturation = saturation == null ? new Saturation(null, null, null) : saturation;
            if (!budget.equals(FIXED) && !budget.equals(FLOPS)) {
                throw new IllegalArgumentException("scale.budget must be 'fixed' or 'flops' (epochs grow with the "
                        + "FLOPs target at each phi), got '" + budget + "'");
            }
            if (maxPhi < 1) {
                throw new IllegalArgumentException("maxPhi must be >= 1 (phi = 1..maxPhi), got " + maxPhi);
            }
            if (seeds < 1) {
                throw new IllegalArgumentException("seeds must be >= 1, got " + seeds);
            }
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("scale.tolerance must be >= 0, got " + tolerance);
            }
            CompoundCoefficients.grid(gridStep, gridMax, flopsTarget, Double.POSITIVE_INFINITY); // step, max, target
        }

        /** Settings of the first plan's shape: a fixed budget, no saturation sweep. */
        public Settings(double gridStep, double gridMax, double flopsTarget, double tolerance, int maxPhi, int seeds,
                        long seed) {
            this(gridStep, gridMax, flopsTarget, tolerance, maxPhi, seeds, seed, FIXED, null);
        }

        /**
         * The last round of stage 2: 1 with a fixed budget (one round of every network), 1 + maxPhi with a growing
         * one (a round per phi, as each phi trains its own epochs). The saturation sweep is the round after it.
         */
        public int lastScalingRound() {
            return budget.equals(FLOPS) ? 1 + maxPhi : 1;
        }

        /** How many times the proxy's epochs a stage-2 network at {@code phi} trains: 1, or flopsTarget^phi. */
        public double epochFactor(int phi) {
            return budget.equals(FLOPS) ? Math.pow(flopsTarget, phi) : 1;
        }
    }

    /**
     * EfficientNet's Figure 3 (Tan & Le 2019): the base scaled in depth, width or resolution alone by each multiplier
     * (EfficientNet-B0: width up to 5, depth up to 8, resolution up to 2.5), at the proxy's fixed budget, to show where
     * each dimension alone saturates. Multipliers are greater than 1; lists may be empty.
     */
    public record Saturation(List<Double> depth, List<Double> width, List<Double> resolution) implements Serializable {
        public Saturation {
            depth = checked("depth", depth);
            width = checked("width", width);
            resolution = checked("resolution", resolution);
        }

        private static List<Double> checked(String name, List<Double> multipliers) {
            List<Double> m = multipliers == null ? List.of() : List.copyOf(multipliers);
            for (double x : m) {
                if (!(x > 1 && x <= 64)) {
                    throw new IllegalArgumentException("scale.saturation." + name + ": multipliers must be in (1, 64] "
                            + "(1 is the base, trained in stage 2), got " + x);
                }
            }
            return m;
        }

        public boolean isEmpty() {
            return depth.isEmpty() && width.isEmpty() && resolution.isEmpty();
        }
    }

    private final ScalingBase cell;
    private final ScaledNetwork base;
    private final int inputChannels;
    private final int classes;
    private final Settings settings;
    private final long baseFlops;
    private final Map<String, Map<String, Double>> described = new HashMap<>();
    private final Map<String, Double> ratios = new HashMap<>();

    /** The base {@code cell} built as {@code base} (its size and resolution) on images of the given shape. */
    public CompoundScalingPlan(ScalingBase cell, ScaledNetwork base, int inputChannels, int classes,
                               Settings settings) {
        this.cell = cell;
        this.base = base;
        this.inputChannels = inputChannels;
        this.classes = classes;
        this.settings = settings;
        this.baseFlops = flops(base);
    }

    /** FLOPs of the base cell built as {@code n} (the cost model, equal to the DJL network's count). */
    public long flops(ScaledNetwork n) {
        return cell.cost(n, inputChannels, classes).flops();
    }

    /**
     * Stage 1: one candidate per distinct network of the grid at phi = 1 whose actual FLOPs ratio is within
     * {@code tolerance} of {@code flopsTarget} (the first point in (alpha, beta, gamma) order that makes it). None is
     * refused, naming the tolerance that would give one.
     */
    public List<Candidate> grid() {
        List<Candidate> out = new ArrayList<>();
        Set<String> networks = new HashSet<>();
        double nearest = Double.POSITIVE_INFINITY;
        for (CompoundCoefficients c : CompoundCoefficients.grid(settings.gridStep(), settings.gridMax(),
                settings.flopsTarget(), Double.POSITIVE_INFINITY)) {
            ScaledNetwork n = CompoundScaling.compound(base, c, 1, RESOLUTION_MULTIPLE);
            double miss = Math.abs(ratio(n) - settings.flopsTarget());
            nearest = Math.min(nearest, miss);
            if (miss <= settings.tolerance() && networks.add(cell.candidateKey(n))) {
                out.add(candidate(String.format(Locale.ROOT, "g%03d", out.size()), "grid", c, 1, n, settings.seed()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "scale: no grid point (step %s up to %s) "
                    + "gives a network within %s of %sx the base's FLOPs after rounding; a tolerance of %.4f would "
                    + "give one, or a larger base (estimator.proxy's channels and layers, estimator.data's resolution) "
                    + "rounds less", settings.gridStep(), settings.gridMax(), settings.tolerance(),
                    settings.flopsTarget(), Math.ceil(nearest * 1e4) / 1e4));
        }
        return out;
    }

    /** A network's FLOPs over the base's (cached: many grid points round to the same network). */
    private double ratio(ScaledNetwork n) {
        return ratios.computeIfAbsent(cell.candidateKey(n), k -> (double) flops(n) / baseFlops);
    }

    /**
     * The grid point whose network scored best (ties: the first in grid order); failed points never win. Reads the
     * coefficients from the rows' metrics ({@link #describe}), so committed rows serve as well as fresh ones.
     */
    public CompoundCoefficients choose(List<Evaluation> grid) {
        Evaluation best = grid.stream().filter(Evaluation::isOk)
                .sorted(Comparator.comparing((Evaluation e) -> -e.accuracy()).thenComparing(e -> e.candidate().id()))
                .findFirst().orElseThrow(() -> new IllegalStateException("no grid point was evaluated successfully"));
        return new CompoundCoefficients(best.metric("alpha"), best.metric("beta"), best.metric("gamma"));
    }

    /**
     * Stage 2: the base (phi = 0, origin {@code base}), then for each phi the compound network and the three
     * single-dimension baselines, each with every seed of stage 2.
     */
    public List<Candidate> scaling(CompoundCoefficients chosen) {
        List<Candidate> out = new ArrayList<>();
        for (int s = 0; s < settings.seeds(); s++) {
            out.add(candidate(String.format(Locale.ROOT, "p0-base-s%d", s), "base", null, 0, base, stageTwoSeed(s)));
        }
        for (int phi = 1; phi <= settings.maxPhi(); phi++) {
            ScaledNetwork compound = CompoundScaling.compound(base, chosen, phi, RESOLUTION_MULTIPLE);
            long target = flops(compound);
            Map<CompoundScaling.Method, ScaledNetwork> networks = new LinkedHashMap<>();
            networks.put(CompoundScaling.Method.COMPOUND, compound);
            for (CompoundScaling.Method m : List.of(CompoundScaling.Method.DEPTH, CompoundScaling.Method.WIDTH,
                    CompoundScaling.Method.RESOLUTION)) {
                networks.put(m, CompoundScaling.matchFlops(m, base, target, RESOLUTION_MULTIPLE, this::flops));
            }
            for (var e : networks.entrySet()) {
                for (int s = 0; s < settings.seeds(); s++) {
                    String id = String.format(Locale.ROOT, "p%d-%s-s%d", phi, e.getKey().text(), s);
                    out.add(candidate(id, e.getKey().text(), e.getKey() == CompoundScaling.Method.COMPOUND ? chosen
                            : null, phi, e.getValue(), stageTwoSeed(s)));
                }
            }
        }
        return out;
    }

    /**
     * EfficientNet's Figure 3: for each dimension and multiplier of {@code saturation}, the base scaled in that
     * dimension alone (origin {@code single-depth}, {@code single-width}, {@code single-resolution}; metric
     * {@code multiplier}), with stage 2's seeds; a multiplier that rounds to a network already listed for its dimension
     * is left out.
     */
    public List<Candidate> saturation() {
        List<Candidate> out = new ArrayList<>();
        Saturation sat = settings.saturation();
        for (CompoundScaling.Method m : List.of(CompoundScaling.Method.DEPTH, CompoundScaling.Method.WIDTH,
                CompoundScaling.Method.RESOLUTION)) {
            Set<String> networks = new HashSet<>();
            List<Double> multipliers = switch (m) {
                case DEPTH -> sat.depth();
                case WIDTH -> sat.width();
                default -> sat.resolution();
            };
            for (double x : multipliers) {
                ScaledNetwork n = CompoundScaling.scale(base, m == CompoundScaling.Method.DEPTH ? x : 1,
                        m == CompoundScaling.Method.WIDTH ? x : 1, m == CompoundScaling.Method.RESOLUTION ? x : 1,
                        RESOLUTION_MULTIPLE);
                if (!networks.add(cell.candidateKey(n))) {
                    continue;
                }
                for (int s = 0; s < settings.seeds(); s++) {
                    String id = String.format(Locale.ROOT, "f-%s-%.2f-s%d", m.text(), x, s);
                    Candidate c = candidate(id, "single-" + m.text(), null, Double.NaN, n, stageTwoSeed(s));
                    described.get(id).put("multiplier", x);
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Stage 2's seed {@code s}: after stage 1's, so no network of stage 2 replays a grid training. */
    private long stageTwoSeed(int s) {
        return settings.seed() + 1 + s;
    }

    /**
     * What the plan made a candidate as: {@code alpha}, {@code beta}, {@code gamma} (compound and grid rows),
     * {@code phi} (grid and stage 2), {@code multiplier} (the saturation sweep), {@code flops_ratio} (its FLOPs over
     * the base's), {@code channels}, {@code layers}, {@code resolution}.
     */
    public Map<String, Double> describe(String candidateId) {
        Map<String, Double> d = described.get(candidateId);
        if (d == null) {
            throw new IllegalArgumentException("candidate " + candidateId + " is not one of this plan's");
        }
        return d;
    }

    private Candidate candidate(String id, String origin, CompoundCoefficients c, double phi, ScaledNetwork n,
                                long seed) {
        Map<String, Double> d = new LinkedHashMap<>();
        if (c != null) {
            d.put("alpha", c.alpha());
            d.put("beta", c.beta());
            d.put("gamma", c.gamma());
        }
        if (!Double.isNaN(phi)) {
            d.put("phi", phi);
        }
        d.put("flops_ratio", (double) flops(n) / baseFlops);
        d.put("channels", (double) n.size().channels());
        d.put("layers", (double) n.size().layers());
        d.put("resolution", (double) n.resolution());
        described.put(id, d);
        return new Candidate(id, cell.space(), cell.candidateText(n), cell.candidateKey(n), origin, List.of(), seed);
    }
}
