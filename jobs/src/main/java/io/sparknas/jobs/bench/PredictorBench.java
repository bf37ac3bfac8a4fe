package io.sparknas.jobs.bench;

import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.pipeline.search.WarmStart;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.strategies.GaussianProcess;
import io.sparknas.strategies.MlpEnsemble;
import io.sparknas.strategies.Surrogate;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * How well the search's predictors (the Gaussian process of {@code predictor}, BANANAS' ensemble of {@code bananas})
 * rank NAS-Bench-201 cells they have not seen (the protocol of White et al., "How powerful are performance predictors
 * in NAS?", 2021): fitted on n cells drawn at random with their table signal, judged by Spearman's rho and Kendall's
 * tau over the other scored cells. Their inputs are the encoding, a score sweep's proxies (each as its rank among the
 * scored cells, in [0, 1]: the scores are free for every cell), or both, as blocks with their own length scales (the
 * ensemble concatenates them). Each proxy alone and the vote of a set's proxies (the mean of their ranks, Abdelfattah
 * et al.'s ensemble) are scored on the same held-out cells, with no fit.
 */
@Command(name = "bench-predictor", mixinStandardHelpOptions = true,
        description = "Held-out rank correlation of the search's predictors on NAS-Bench-201, fitted on n "
                + "cells, on the encoding and/or a score sweep's zero-cost proxies (no Spark job).")
public final class PredictorBench implements Callable<Integer> {
    static final String ENCODING = "encoding";

    @Option(names = "--table", defaultValue = Nb201Table.BUNDLED,
            description = "NAS-Bench-201 CSV (.csv or .csv.gz); default: ${DEFAULT-VALUE}")
    Path table;

    @Option(names = "--signal", defaultValue = "cifar10-val", description = "the column predicted (default: ${DEFAULT-VALUE})")
    String signal;

    @Option(names = "--scores", description = "a score sweep (./sparknas score) holding the proxies the feature "
            + "sets name")
    String scores;

    @Option(names = "--features", split = ",", defaultValue = "encoding,synflow+params,encoding+synflow+params",
            description = "feature sets, each proxies and/or 'encoding' joined by '+' (default: ${DEFAULT-VALUE})")
    List<String> features;

    @Option(names = "--train", split = ",", defaultValue = "50,100,200",
            description = "cells the predictor is fitted on (default: ${DEFAULT-VALUE})")
    List<Integer> train;

    @Option(names = "--models", split = ",", defaultValue = "gp",
            description = "predictors: gp (Gaussian process), ensemble (BANANAS' perceptrons); "
                    + "default: ${DEFAULT-VALUE}")
    List<String> models;

    @Option(names = "--ensemble-layers", defaultValue = "3",
            description = "hidden layers of each ensemble member (BANANAS: 10; the search's default: ${DEFAULT-VALUE})")
    int ensembleLayers;

    @Option(names = "--splits", defaultValue = "20", description = "random draws of the training cells (seeds 0..N-1)")
    int splits;

    @Option(names = "--test", defaultValue = "0", description = "held-out cells judged per split (0 = all the others)")
    int test;

    /** A scored cell: its table signal, encoding and proxies' ranks (in the order of {@code proxies}). */
    record Cell(String genotype, double signal, double[] encoding, double[] ranks) {
    }

    @Override
    public Integer call() throws IOException {
        List<String> proxies = proxies(features);
        if (ensembleLayers < 1) {
            throw new IllegalArgumentException("--ensemble-layers must be >= 1, got " + ensembleLayers);
        }
        for (String m : models) {
            if (!List.of("gp", "ensemble").contains(m)) {
                throw new IllegalArgumentException("--models: unknown predictor '" + m + "', give gp and/or ensemble");
            }
        }
        if (!proxies.isEmpty() && scores == null) {
            throw new IllegalArgumentException("--features " + String.join(",", features) + " names proxies "
                    + proxies + ": give --scores, a score sweep that holds them");
        }
        Nb201Table t = Nb201Table.load(table);
        int column = t.column(signal);
        List<Cell> cells = cells(t, column, proxies);
        int largest = train.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (largest >= cells.size()) {
            throw new IllegalArgumentException("--train " + largest + " leaves no held-out cells of the "
                    + cells.size() + " scored: give --train below " + cells.size());
        }
        System.out.printf(Locale.ROOT, "NAS-Bench-201 predictor benchmark: %s, signal %s, %d cells%s, %d splits%n%n",
                table.getFileName(), signal, cells.size(), scores == null ? "" : " scored in " + scores, splits);
        System.out.println("| predictor | features | train | Spearman rho, median (min-max) | Kendall tau, median "
                + "| seconds per fit |");
        System.out.println("|---|---|---|---|---|---|");
        for (String model : models) {
            for (String set : features) {
                for (int n : train) {
                    List<double[]> r = IntStream.range(0, splits).parallel()
                            .mapToObj(seed -> split(cells, proxies, model, set, n, seed)).toList();
                    System.out.println(row(label(model), set, String.valueOf(n), r));
                }
            }
        }
        Set<String> votes = new LinkedHashSet<>();
        for (String set : features) { // a proxy, or the vote of several, on the held-out cells of the smallest n
            votes.add(String.join("+", Arrays.stream(set.split("\\+")).filter(f -> !f.equals(ENCODING)).toList()));
        }
        votes.remove("");
        int smallest = train.stream().mapToInt(Integer::intValue).min().orElseThrow();
        for (String set : votes) {
            int[] idx = indices(proxies, set);
            List<double[]> r = IntStream.range(0, splits).parallel()
                    .mapToObj(seed -> vote(cells, idx, smallest, seed)).toList();
            System.out.println(row("-", (idx.length == 1 ? "" : "vote of ") + set + ", no fit", "-", r));
        }
        return 0;
    }

    private String label(String model) {
        return model.equals("gp") ? "Gaussian process" : "ensemble, " + ensembleLayers + " layers";
    }

    private static String row(String model, String set, String n, List<double[]> r) {
        double[] rho = r.stream().mapToDouble(v -> v[0]).sorted().toArray();
        double[] tau = r.stream().mapToDouble(v -> v[1]).sorted().toArray();
        double seconds = r.stream().mapToDouble(v -> v[2]).average().orElse(0);
        return String.format(Locale.ROOT, "| %s | %s | %s | %.3f (%.3f-%.3f) | %.3f | %.2f |", model, set, n,
                median(rho), rho[0], rho[rho.length - 1], median(tau), seconds);
    }

    /** One split: fit on {@code n} cells drawn with {@code seed}, then rho, tau and the fit's seconds. */
    private double[] split(List<Cell> cells, List<String> proxies, String model, String set, int n, long seed) {
        int[] order = new SeededRandom(seed).permutation(cells.size());
        boolean encoding = List.of(set.split("\\+")).contains(ENCODING);
        int[] idx = indices(proxies, set);
        List<List<double[]>> blocks = new ArrayList<>();
        if (encoding) {
            blocks.add(new ArrayList<>());
        }
        if (idx.length > 0) {
            blocks.add(new ArrayList<>());
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            Cell c = cells.get(order[i]);
            double[][] in = inputs(c, encoding, idx);
            for (int b = 0; b < in.length; b++) {
                blocks.get(b).add(in[b]);
            }
            y[i] = c.signal();
        }
        long start = System.nanoTime();
        Surrogate predictor = model.equals("gp") ? GaussianProcess.fitBlocks(blocks, y)
                : MlpEnsemble.fit(blocks, y, MlpEnsemble.Settings.defaults().withHiddenLayers(ensembleLayers), seed);
        double seconds = (System.nanoTime() - start) / 1e9;
        int end = test == 0 ? cells.size() : Math.min(cells.size(), n + test);
        double[] predicted = new double[end - n];
        double[] actual = new double[end - n];
        for (int i = n; i < end; i++) {
            Cell c = cells.get(order[i]);
            predicted[i - n] = predictor.predict(inputs(c, encoding, idx))[0];
            actual[i - n] = c.signal();
        }
        return new double[] {new SpearmansCorrelation().correlation(predicted, actual),
                new KendallsCorrelation().correlation(predicted, actual), seconds};
    }

    /** The vote of proxies {@code idx} (the mean of their ranks) on the cells {@link #split} holds out. */
    private double[] vote(List<Cell> cells, int[] idx, int n, long seed) {
        int[] order = new SeededRandom(seed).permutation(cells.size());
        int end = test == 0 ? cells.size() : Math.min(cells.size(), n + test);
        double[] predicted = new double[end - n];
        double[] actual = new double[end - n];
        for (int i = n; i < end; i++) {
            Cell c = cells.get(order[i]);
            for (int j : idx) {
                predicted[i - n] += c.ranks()[j] / idx.length;
            }
            actual[i - n] = c.signal();
        }
        return new double[] {new SpearmansCorrelation().correlation(predicted, actual),
                new KendallsCorrelation().correlation(predicted, actual), 0};
    }

    private static double[][] inputs(Cell c, boolean encoding, int[] idx) {
        List<double[]> in = new ArrayList<>();
        if (encoding) {
            in.add(c.encoding());
        }
        if (idx.length > 0) {
            in.add(Arrays.stream(idx).mapToDouble(j -> c.ranks()[j]).toArray());
        }
        return in.toArray(new double[0][]);
    }

    /** Every proxy the feature sets name, in order of first mention. */
    static List<String> proxies(List<String> sets) {
        Set<String> out = new LinkedHashSet<>();
        for (String set : sets) {
            for (String f : set.split("\\+")) {
                if (!f.equals(ENCODING)) {
                    out.add(f);
                }
            }
        }
        return List.copyOf(out);
    }

    private static int[] indices(List<String> proxies, String set) {
        return Arrays.stream(set.split("\\+")).filter(f -> !f.equals(ENCODING)).mapToInt(proxies::indexOf).toArray();
    }

    /** The table's cells, or the scored ones with a finite value of every proxy, their ranks among those. */
    private List<Cell> cells(Nb201Table t, int column, List<String> proxies) throws IOException {
        Nb201Space space = new Nb201Space();
        List<Cell> out = new ArrayList<>();
        if (proxies.isEmpty()) {
            t.all(column).forEach((cell, v) -> out.add(new Cell(cell.text(), v / 100, space.encode(cell),
                    new double[0])));
            return out;
        }
        List<WarmStart.Scored> rows;
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("bench-predictor")
                .config("spark.ui.enabled", "false").getOrCreate()) {
            rows = new WarmStart(scores, String.join("+", proxies), 0).read(spark, Nb201Space.NAME);
        }
        List<WarmStart.Scored> inTable = rows.stream().filter(r -> t.contains(Nb201Cell.parse(r.genotype())))
                .toList();
        Map<String, double[]> ranks = WarmStart.features(inTable);
        for (WarmStart.Scored r : inTable) {
            Nb201Cell cell = Nb201Cell.parse(r.genotype());
            out.add(new Cell(r.genotype(), t.value(cell, column) / 100, space.encode(cell), ranks.get(r.genotype())));
        }
        return out;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
