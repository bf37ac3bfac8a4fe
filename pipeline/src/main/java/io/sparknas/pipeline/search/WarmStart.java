package io.sparknas.pipeline.search;

import io.sparknas.estimators.zerocost.ZeroCostProxy;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.space.SeededRandom;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;

/**
 * A search warm-started by a cheap estimator ({@code search.warmStart}): the cells a score sweep scored (all of them,
 * or a {@code pool} drawn with the strategy's seed) ranked by one of its proxies, or by the mean of the ranks of several
 * ({@code synflow+params}: a rank ensemble), best first (ties broken by a seeded draw), replace the strategy's random draws until they run out ({@link io.sparknas.strategies.Strategy#warmStart}).
 * The scores are free in the budget: the budget counts the evaluations the search makes.
 *
 * @param scores the score sweep's output ({@code ./sparknas score}); empty = no warm start
 * @param proxy  the proxy to rank by ({@code synflow}, {@code params}, ...), larger first; {@code a+b} ranks by the
 *               mean of their ranks
 * @param pool   cells drawn from the scored ones before ranking (0 = all of them)
 */
public record WarmStart(String scores, String proxy, int pool) implements Serializable {

    public WarmStart {
        scores = scores == null ? "" : scores.strip();
        proxy = proxy == null ? "synflow" : proxy;
        for (String p : proxy.split("\\+", -1)) {
            try {
                ZeroCostProxy.parse(p);
            } catch (IllegalArgumentException e) { // bound from search.warmStart: the binder names the section
                throw new IllegalArgumentException("proxy: " + e.getMessage(), e);
            }
        }
        if (pool < 0) {
            throw new IllegalArgumentException("search.warmStart.pool must be >= 0 (0 = every scored cell), got "
                    + pool);
        }
    }

    public static WarmStart none() {
        return new WarmStart("", "synflow", 0);
    }

    public boolean enabled() {
        return !scores.isEmpty();
    }

    /** A scored cell as the ranking reads it: its id, text and the value of each proxy ranked by. */
    public record Scored(String id, String genotype, double[] values) implements Serializable {
    }

    private List<String> proxies() {
        return List.of(proxy.split("\\+"));
    }

    /**
     * The scored cells of {@code space}, best first by {@link #proxy}; refused in one line ({@link Sweep.Refused})
     * when the path holds no scores, no scores of this space, or none of this proxy.
     */
    public List<String> ranked(SparkSession spark, String space, long seed) {
        return rank(read(spark, space), seed);
    }

    /** The cells of {@code space} with a finite value of every proxy ranked by, by id. */
    public List<Scored> read(SparkSession spark, String space) {
        Dataset<Row> all;
        try {
            all = spark.read().parquet(scores + "/scores");
        } catch (Exception e) { // Spark's AnalysisException (path not found) is checked in Java's eyes
            throw new Sweep.Refused("search.warmStart.scores: " + scores + " holds no committed scores (run "
                    + "./sparknas score with sweep.output = " + scores + " first)");
        }
        List<String> names = proxies();
        Dataset<Row> cells = all.filter(col("space").equalTo(space)).select(col("id"), col("genotype"), col("scores"));
        for (String p : names) {
            cells = cells.filter(element_at(col("scores"), p).isNotNull()
                    .and(element_at(col("scores"), p).isNaN().unary_$bang()));
        }
        List<Scored> rows = new ArrayList<>();
        for (Row r : cells.orderBy("id").collectAsList()) {
            java.util.Map<String, Double> m = r.getJavaMap(r.fieldIndex("scores"));
            rows.add(new Scored(r.getAs("id"), r.getAs("genotype"), names.stream().mapToDouble(m::get).toArray()));
        }
        if (rows.isEmpty()) {
            throw new Sweep.Refused("search.warmStart: " + scores + " has no '" + proxy + "' scores of " + space
                    + " cells; score them (score.proxies, score.space) or choose another proxy");
        }
        return rows;
    }

    /**
     * Each row's values as its ranks among {@code rows} in [0, 1] (ties averaged), by genotype: the cheap scores a
     * predictor takes beside the encoding ({@link io.sparknas.strategies.Strategy#cheapScores}).
     */
    public static Map<String, double[]> features(List<Scored> rows) {
        int k = rows.isEmpty() ? 0 : rows.get(0).values().length;
        double[][] ranks = new double[k][];
        for (int j = 0; j < k; j++) {
            int col = j;
            ranks[j] = new NaturalRanking().rank(rows.stream().mapToDouble(r -> r.values()[col]).toArray());
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            double[] f = new double[k];
            for (int j = 0; j < k; j++) {
                f[j] = (ranks[j][i] - 1) / Math.max(1, rows.size() - 1);
            }
            out.put(rows.get(i).genotype(), f);
        }
        return out;
    }

    /** {@code rows} (a {@link #pool} of them drawn with {@code seed}), larger values first, ties by a seeded draw. */
    public List<String> rank(List<Scored> rows, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        List<Scored> picked = rows;
        if (pool > 0 && pool < rows.size()) {
            int[] order = rng.permutation(rows.size());
            picked = new ArrayList<>();
            for (int i = 0; i < pool; i++) {
                picked.add(rows.get(order[i]));
            }
        }
        record Ranked(String genotype, double value, double tie) {
        }
        double[] value = new double[picked.size()];
        int k = picked.get(0).values().length;
        for (int j = 0; j < k; j++) {
            int col = j;
            double[] ranks = new NaturalRanking().rank(picked.stream()
                    .mapToDouble(r -> r.values()[col]).toArray());
            for (int i = 0; i < value.length; i++) {
                value[i] += k == 1 ? picked.get(i).values()[0] : ranks[i] / k;
            }
        }
        List<Ranked> ranked = new ArrayList<>();
        for (int i = 0; i < value.length; i++) {
            ranked.add(new Ranked(picked.get(i).genotype(), value[i], rng.nextDouble()));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::value).reversed().thenComparingDouble(Ranked::tie));
        return ranked.stream().map(Ranked::genotype).toList();
    }
}
