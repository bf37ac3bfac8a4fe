package io.sparknas.space.latency;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A network's latency predicted from a lookup table: the sum of its operation instances' measured latencies plus a
 * constant for what every network of the space shares (stem, reductions, classifier, framework overhead), fitted on
 * networks measured end to end. An instance the table lacks is refused, naming it.
 *
 * <p>Calibrated ({@link #calibrated}), each operation kind's entries are also scaled by a factor fitted on the
 * measured networks: an operation timed alone runs slower or faster than inside a network (warm caches, no per-call
 * set-up, libtorch's fusion), and by an amount that differs per kind; a table of times alone cannot see that.
 *
 * @param table    median milliseconds per instance
 * @param constant milliseconds added to every network
 * @param scales   factor per operation kind ({@link OpInstance#op()}); a kind not named here has factor 1
 */
public record LatencyPredictor(Map<OpInstance, Double> table, double constant, Map<String, Double> scales)
        implements Serializable {
    public LatencyPredictor {
        table = Map.copyOf(table);
        scales = Map.copyOf(new java.util.TreeMap<>(scales));
    }

    public LatencyPredictor(Map<OpInstance, Double> table, double constant) {
        this(table, constant, Map.of());
    }

    /** The table's sum over {@code instances}, without the constant. */
    public double sum(List<OpInstance> instances) {
        double s = 0;
        for (OpInstance i : instances) {
            Double ms = table.get(i);
            if (ms == null) {
                throw new IllegalArgumentException("the latency table has no entry for " + i.text() + " (made for "
                        + "another space, size or channels, or by an older profile job that did not time it? run the "
                        + "profile job for this configuration)");
            }
            s += ms;
        }
        return s;
    }

    public double predict(List<OpInstance> instances) {
        double s = constant;
        for (OpInstance i : instances) {
            s += scaled(i);
        }
        return s;
    }

    /** What one instance adds to a prediction: its table entry times its kind's factor (checked as {@link #sum}). */
    public double scaled(OpInstance instance) {
        return scales.getOrDefault(instance.op(), 1.0) * sum(List.of(instance));
    }

    /** The table's sum over {@code instances} per operation kind (checked as {@link #sum}). */
    public Map<String, Double> sumsByKind(List<OpInstance> instances) {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (OpInstance i : instances) {
            out.merge(i.op(), sum(List.of(i)), Double::sum);
        }
        return out;
    }

    /** The same table with the constant that makes the mean error over measured networks zero. */
    public LatencyPredictor fitted(List<List<OpInstance>> networks, double[] measuredMs) {
        double gap = 0;
        for (int i = 0; i < networks.size(); i++) {
            gap += measuredMs[i] - sum(networks.get(i));
        }
        return new LatencyPredictor(table, gap / networks.size());
    }

    /**
     * The same table with a constant and a factor per operation kind fitted by least squares on measured networks
     * (ridge-pulled towards factor 1 with weight {@code 1e-3} of each kind's own sum of squares, so that a kind the
     * networks hardly vary in keeps its table value). A kind whose sum is the same in every network (absent, or 0 ms)
     * keeps factor 1: the constant absorbs it. With no more networks than unknowns, or a fitted factor that is not
     * positive (no operation runs in negative time: the fit followed timing noise), it is the additive
     * {@link #fitted} instead.
     */
    public LatencyPredictor calibrated(List<List<OpInstance>> networks, double[] measuredMs) {
        int n = networks.size();
        List<Map<String, Double>> sums = networks.stream().map(this::sumsByKind).toList();
        List<String> kinds = new java.util.ArrayList<>();
        for (String kind : new java.util.TreeSet<>(sums.stream().flatMap(m -> m.keySet().stream()).toList())) {
            double first = sums.get(0).getOrDefault(kind, 0.0);
            if (sums.stream().anyMatch(m -> Math.abs(m.getOrDefault(kind, 0.0) - first) > 1e-12)) {
                kinds.add(kind);
            }
        }
        int k = kinds.size() + 1;
        double[][] a = new double[k][k + 1];
        for (int i = 0; i < n; i++) {
            double[] x = new double[k];
            x[0] = 1;
            double fixed = 0;
            for (Map.Entry<String, Double> e : sums.get(i).entrySet()) {
                int j = kinds.indexOf(e.getKey());
                if (j >= 0) {
                    x[j + 1] = e.getValue();
                } else {
                    fixed += e.getValue();
                }
            }
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < k; c++) {
                    a[r][c] += x[r] * x[c];
                }
                a[r][k] += x[r] * (measuredMs[i] - fixed);
            }
        }
        for (int j = 1; j < k; j++) {
            double ridge = 1e-3 * a[j][j];
            a[j][j] += ridge;
            a[j][k] += ridge;
        }
        double[] w = solve(a);
        Map<String, Double> fitted = new java.util.TreeMap<>();
        for (int j = 1; j < k; j++) {
            fitted.put(kinds.get(j - 1), w[j]);
        }
        if (n <= k || fitted.values().stream().anyMatch(f -> !(f > 0))) {
            return fitted(networks, measuredMs);
        }
        return new LatencyPredictor(table, w[0], fitted);
    }

    /** Gaussian elimination with partial pivoting of an augmented k x (k+1) system. */
    private static double[] solve(double[][] a) {
        int k = a.length;
        for (int p = 0; p < k; p++) {
            int best = p;
            for (int r = p + 1; r < k; r++) {
                if (Math.abs(a[r][p]) > Math.abs(a[best][p])) {
                    best = r;
                }
            }
            double[] t = a[p];
            a[p] = a[best];
            a[best] = t;
            for (int r = p + 1; r < k; r++) {
                double f = a[r][p] / a[p][p];
                for (int c = p; c <= k; c++) {
                    a[r][c] -= f * a[p][c];
                }
            }
        }
        double[] w = new double[k];
        for (int r = k - 1; r >= 0; r--) {
            double s = a[r][k];
            for (int c = r + 1; c < k; c++) {
                s -= a[r][c] * w[c];
            }
            w[r] = s / a[r][r];
        }
        return w;
    }

    /**
     * Reads the {@code latency_table.csv} the profile job writes (a line per instance, a {@code scale:<op>} line per
     * calibrated kind, the constant last), refusing a table of another space.
     */
    public static LatencyPredictor fromCsv(List<String> lines, String space, String where) {
        Map<OpInstance, Double> table = new java.util.HashMap<>();
        Map<String, Double> scales = new java.util.HashMap<>();
        double constant = 0;
        if (lines.isEmpty() || !lines.get(0).startsWith("device,engine,threads,space,op,")) {
            throw new IllegalArgumentException(where + " is not a latency table of the profile job (no header "
                    + "'device,engine,threads,space,op,...')");
        }
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 10) {
                throw new IllegalArgumentException(where + ": a line of 10 fields expected, got '" + line + "'");
            }
            if (!f[3].equals(space)) {
                throw new IllegalArgumentException(where + " is a latency table of space '" + f[3] + "', not '" + space
                        + "'; make one with: ./sparknas profile --conf conf/profile-" + space + ".conf");
            }
            double ms = Double.parseDouble(f[9]);
            if (f[4].equals("constant")) {
                constant = ms;
            } else if (f[4].startsWith(SCALE)) {
                scales.put(f[4].substring(SCALE.length()), ms);
            } else {
                table.put(new OpInstance(f[4], Integer.parseInt(f[5]), Integer.parseInt(f[6]), Integer.parseInt(f[7]),
                        Integer.parseInt(f[8])), ms);
            }
        }
        return new LatencyPredictor(table, constant, scales);
    }

    /** The op field's prefix of a calibrated kind's factor in {@code latency_table.csv}. */
    public static final String SCALE = "scale:";

    /** Spearman's rank correlation of two samples (average ranks for ties). */
    public static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += ra[i] / a.length;
            mb += rb[i] / a.length;
        }
        double cov = 0;
        double va = 0;
        double vb = 0;
        for (int i = 0; i < a.length; i++) {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return cov / Math.sqrt(va * vb);
    }

    /** The share of predictions within {@code tolerance} (0.1 = 10 %) of their measurement. */
    public static double within(double[] predicted, double[] measured, double tolerance) {
        int n = 0;
        for (int i = 0; i < measured.length; i++) {
            if (Math.abs(predicted[i] - measured[i]) <= tolerance * measured[i]) {
                n++;
            }
        }
        return (double) n / measured.length;
    }

    /** Mean absolute percentage error of predictions against measurements. */
    public static double mape(double[] predicted, double[] measured) {
        double s = 0;
        for (int i = 0; i < measured.length; i++) {
            s += Math.abs(predicted[i] - measured[i]) / measured[i];
        }
        return s / measured.length;
    }

    private static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                r[order[k]] = (i + j) / 2.0 + 1;
            }
            i = j + 1;
        }
        return r;
    }
}
