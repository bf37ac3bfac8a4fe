package io.sparknas.pipeline.score;

import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How well each proxy ranks NAS-Bench-201 cells as a table does: Spearman's rho and Kendall's tau-b (ties averaged,
 * commons-math) of the proxy against every column of the table, over the cells scored ({@value #WHOLE}), and
 * within cells of equal FLOPs ({@value #EQUAL_FLOPS}: rho and tau in each group of at least {@value #MIN_GROUP}
 * cells of the same FLOPs, averaged weighted by the group's size), where size says nothing.
 */
public final class ScoreRanks {
    public static final String WHOLE = "whole";
    public static final String EQUAL_FLOPS = "equal-flops";
    static final int MIN_GROUP = 20;

    private ScoreRanks() {
    }

    /** One proxy against one column over one band: how many cells, rho and tau. */
    public record Rank(String proxy, String column, String band, int cells, double spearman, double kendall) {
        public String line() {
            return String.format(Locale.ROOT, "%-9s vs %-14s %-11s %6d cells: Spearman %.3f, Kendall %.3f", proxy,
                    column, band, cells, spearman, kendall);
        }
    }

    public static List<Rank> of(List<ScoreSweep.ScoredCell> scored, Nb201Table table) {
        return of(scored, table, Nb201NetworkConfig.benchmark());
    }

    /** Ranks every proxy found in {@code scored} against every column of {@code table}; FLOPs at {@code network}. */
    public static List<Rank> of(List<ScoreSweep.ScoredCell> scored, Nb201Table table, Nb201NetworkConfig network) {
        TreeSet<String> proxies = new TreeSet<>();
        scored.forEach(s -> proxies.addAll(s.scores().keySet()));
        List<Nb201Cell> cells = scored.stream().map(s -> Nb201Cell.parse(s.genotype())).toList();
        long[] flops = cells.stream().mapToLong(c -> Nb201CostModel.of(c, network).flops()).toArray();
        List<Rank> out = new ArrayList<>();
        for (String proxy : proxies) {
            for (String column : table.columns()) {
                int col = table.column(column);
                List<double[]> pairs = new ArrayList<>();
                Map<Long, List<double[]>> byFlops = new TreeMap<>();
                for (int i = 0; i < cells.size(); i++) {
                    Double v = scored.get(i).scores().get(proxy);
                    double truth = table.value(cells.get(i), col);
                    if (v == null || !Double.isFinite(v) || !Double.isFinite(truth)) {
                        continue;
                    }
                    double[] pair = {v, truth};
                    pairs.add(pair);
                    byFlops.computeIfAbsent(flops[i], k -> new ArrayList<>()).add(pair);
                }
                if (pairs.size() >= 3) {
                    out.add(new Rank(proxy, column, WHOLE, pairs.size(), spearman(pairs), kendall(pairs)));
                }
                double rho = 0;
                double tau = 0;
                int n = 0;
                for (List<double[]> group : byFlops.values()) {
                    if (group.size() >= MIN_GROUP && !constant(group)) {
                        rho += group.size() * spearman(group);
                        tau += group.size() * kendall(group);
                        n += group.size();
                    }
                }
                if (n > 0) {
                    out.add(new Rank(proxy, column, EQUAL_FLOPS, n, rho / n, tau / n));
                }
            }
        }
        return out;
    }

    /** A group where the proxy does not vary (params within equal FLOPs) has no rank order: left out. */
    private static boolean constant(List<double[]> pairs) {
        return pairs.stream().mapToDouble(p -> p[0]).distinct().count() < 2
                || pairs.stream().mapToDouble(p -> p[1]).distinct().count() < 2;
    }

    private static double spearman(List<double[]> pairs) {
        return new SpearmansCorrelation().correlation(column(pairs, 0), column(pairs, 1));
    }

    private static double kendall(List<double[]> pairs) {
        return new KendallsCorrelation().correlation(column(pairs, 0), column(pairs, 1));
    }

    private static double[] column(List<double[]> pairs, int i) {
        return pairs.stream().mapToDouble(p -> p[i]).toArray();
    }
}
