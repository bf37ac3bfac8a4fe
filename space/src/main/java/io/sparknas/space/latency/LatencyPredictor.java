package io.sparknas.space.latency;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A network's latency predicted from a lookup table: the sum of its operation instances' measured latencies plus a
 * constant for what every network of the space shares (stem, reductions, classifier, framework overhead), fitted on
 * networks measured end to end. An instance the table lacks is refused, naming it.
 *
 * @param table    median milliseconds per instance
 * @param constant milliseconds added to every network
 */
public record LatencyPredictor(Map<OpInstance, Double> table, double constant) implements Serializable {
    public LatencyPredictor {
        table = Map.copyOf(table);
    }

    /** The table's sum over {@code instances}, without the constant. */
    public double sum(List<OpInstance> instances) {
        double s = 0;
        for (OpInstance i : instances) {
            Double ms = table.get(i);
            if (ms == null) {
                throw new IllegalArgumentException("the latency table has no entry for " + i.text() + " (made for "
                        + "another space, size or channels? run the profile job for this configuration)");
            }
            s += ms;
        }
        return s;
    }

    public double predict(List<OpInstance> instances) {
        return sum(instances) + constant;
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
     * Reads the {@code latency_table.csv} the profile job writes (a line per instance, the constant last), refusing a
     * table of another space.
     */
    public static LatencyPredictor fromCsv(List<String> lines, String space, String where) {
        Map<OpInstance, Double> table = new java.util.HashMap<>();
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
            } else {
                table.put(new OpInstance(f[4], Integer.parseInt(f[5]), Integer.parseInt(f[6]), Integer.parseInt(f[7]),
                        Integer.parseInt(f[8])), ms);
            }
        }
        return new LatencyPredictor(table, constant);
    }

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
