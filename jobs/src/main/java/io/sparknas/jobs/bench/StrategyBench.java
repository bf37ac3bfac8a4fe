package io.sparknas.jobs.bench;

import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.estimators.tabular.TabularEstimator;
import io.sparknas.pipeline.search.WarmStart;
import org.apache.spark.sql.SparkSession;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.Strategy;
import io.sparknas.strategies.StrategyConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * The strategy benchmark on NAS-Bench-201 (NATS-Bench protocol): each strategy runs against the tabular
 * estimator with the validation column as its only signal; after each budget the architecture with the best
 * signal so far is the run's pick, reported by its test column. Seeds run in parallel (a strategy run is
 * single-threaded and deterministic). Writes every pick to a CSV so the picks can be re-scored on any table.
 */
@Command(name = "bench-strategies", mixinStandardHelpOptions = true,
        description = "Benchmark search strategies on a NAS-Bench-201 table (no Spark needed).")
public final class StrategyBench implements Callable<Integer> {

    @Option(names = "--table", defaultValue = Nb201Table.BUNDLED,
            description = "NAS-Bench-201 CSV (.csv or .csv.gz); default: the project's 12-epoch table, ${DEFAULT-VALUE}")
    Path table;

    @Option(names = "--signal", defaultValue = "cifar10-val", description = "column the strategies see (default: ${DEFAULT-VALUE})")
    String signal;

    @Option(names = "--report", defaultValue = "cifar10-test", description = "column reported for the pick (default: ${DEFAULT-VALUE})")
    String report;

    @Option(names = "--strategies", split = ",",
            defaultValue = "random,evolution-paper,evolution,local,predictor,bananas",
            description = "strategies to run; evolution-paper evaluates duplicate children as Real et al. do")
    List<String> strategies;

    @Option(names = "--budgets", split = ",", defaultValue = "50,100,150")
    List<Integer> budgets;

    @Option(names = "--seeds", defaultValue = "300", description = "runs per strategy (seeds 0..N-1)")
    int seeds;

    @Option(names = "--population", defaultValue = "10")
    int population;

    @Option(names = "--tournament", defaultValue = "3")
    int tournament;

    @Option(names = "--crossover", defaultValue = "0.0")
    double crossover;

    @Option(names = "--initial", defaultValue = "10", description = "local, predictor, bananas: random samples first")
    int initialSamples;

    @Option(names = "--picks", description = "CSV file for every run's picks (default: no file)")
    Path picks;

    @Option(names = "--warm-start", description = "a score sweep (./sparknas score): every strategy also runs "
            + "warm-started by each of --warm-proxies (random + params is the size baseline)")
    String warmScores;

    @Option(names = "--warm-proxies", split = ",", defaultValue = "params,synflow",
            description = "proxies to warm-start by (default: ${DEFAULT-VALUE})")
    List<String> warmProxies;

    @Option(names = "--warm-features", defaultValue = "true", arity = "1",
            description = "warm-started runs also give the predictor the proxies as features (default: ${DEFAULT-VALUE})")
    boolean warmFeatures;

    @Override
    public Integer call() throws IOException {
        Nb201Table t = Nb201Table.load(table);
        TabularEstimator estimator = new TabularEstimator(t, signal, report, 12);
        Nb201Space space = new Nb201Space();
        int maxBudget = budgets.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Map<String, List<List<Pick>>> results = new LinkedHashMap<>();
        Map<String, WarmStart> warm = new LinkedHashMap<>();
        Map<String, List<WarmStart.Scored>> scored = new LinkedHashMap<>();
        Map<String, Map<String, double[]>> features = new LinkedHashMap<>();
        if (warmScores != null) {
            try (SparkSession spark = SparkSession.builder().master("local[1]").appName("bench-strategies")
                    .config("spark.ui.enabled", "false").getOrCreate()) {
                for (String p : warmProxies) {
                    warm.put(p, new WarmStart(warmScores, p, 0));
                    scored.put(p, warm.get(p).read(spark, Nb201Space.NAME));
                    features.put(p, WarmStart.features(scored.get(p)));
                }
            }
        }
        List<String> runsOf = new ArrayList<>();
        for (String name : strategies) {
            runsOf.add(name);
            warm.keySet().forEach(p -> runsOf.add(name + "+" + p));
        }
        double bestSignal = t.all(t.column(signal)).values().stream().mapToDouble(Double::doubleValue).max()
                .orElseThrow() / 100;
        long start = System.nanoTime();
        for (String run : runsOf) {
            String name = run.contains("+") ? run.substring(0, run.indexOf('+')) : run;
            String proxy = run.contains("+") ? run.substring(run.indexOf('+') + 1) : null;
            List<List<Pick>> runs = IntStream.range(0, seeds).parallel().mapToObj(seed -> {
                StrategyConfig cfg = new StrategyConfig(base(name), seed, population, tournament, crossover,
                        !name.equals("evolution-paper"), initialSamples, 1000);
                Strategy s = Strategies.create(cfg, space);
                if (proxy != null) {
                    s.warmStart(warm.get(proxy).rank(scored.get(proxy), seed));
                    if (warmFeatures) {
                        s.cheapScores(features.get(proxy));
                    }
                }
                List<Pick> out = new ArrayList<>();
                Evaluation best = null;
                for (int evals = 1; evals <= maxBudget; evals++) {
                    Candidate c = s.ask(1).get(0);
                    Evaluation e = estimator.evaluate(c, EvaluationContext.defaults());
                    s.tell(List.of(e));
                    if (e.isOk() && (best == null || e.accuracy() > best.accuracy())) {
                        best = e;
                    }
                    if (budgets.contains(evals)) {
                        out.add(new Pick(run, evals, seed, best.candidate().genotype(), best.accuracy(),
                                best.metric(Metrics.TEST_ACCURACY)));
                    }
                }
                return out;
            }).toList();
            results.put(run, runs);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "NAS-Bench-201 strategy benchmark: %s, signal %s, report %s, %d seeds, %.1f s%n%n",
                table.getFileName(), signal, report, seeds, seconds);
        table(results, picks -> {
            double[] acc = picks.stream().mapToDouble(p -> p.report() * 100).toArray();
            return String.format(Locale.ROOT, "%.2f ± %.2f", mean(acc), std(acc));
        });
        System.out.printf(Locale.ROOT, "%nruns that found the cell of the best %s (%.3f), %% of seeds:%n%n",
                signal, bestSignal * 100);
        table(results, picks -> String.format(Locale.ROOT, "%.1f %%", 100.0 * picks.stream()
                .filter(p -> p.signal() >= bestSignal - 1e-12).count() / seeds));
        if (picks != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(picks))) {
                w.println("strategy,budget,seed,cellstr,signal,reported");
                results.values().forEach(runs -> runs.forEach(r -> r.forEach(p -> w.printf(Locale.ROOT,
                        "%s,%d,%d,%s,%.6f,%.6f%n", p.strategy, p.budget, p.seed, p.cellstr, p.signal * 100,
                        p.report * 100))));
            }
            System.out.println("\npicks: " + picks.toAbsolutePath());
        }
        return 0;
    }

    /** A markdown table: a row per run, a column per budget, each cell {@code cell} of that budget's picks. */
    private void table(Map<String, List<List<Pick>>> results, java.util.function.Function<List<Pick>, String> cell) {
        StringBuilder header = new StringBuilder("| strategy |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int b : budgets) {
            header.append(" @").append(b).append(" |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (var entry : results.entrySet()) {
            StringBuilder row = new StringBuilder("| " + entry.getKey() + " |");
            for (int bi = 0; bi < budgets.size(); bi++) {
                int b = bi;
                row.append(' ').append(cell.apply(entry.getValue().stream().map(r -> r.get(b)).toList())).append(" |");
            }
            System.out.println(row);
        }
    }

    /** {@code evolution-paper} is regularized evolution evaluating duplicate children, as the paper does. */
    static String base(String name) {
        return name.equals("evolution-paper") ? "evolution" : name;
    }

    record Pick(String strategy, int budget, int seed, String cellstr, double signal, double report) {
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Population standard deviation, as NATS-Bench reports. */
    static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }
}
