package io.sparknas.jobs.bench;

import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.estimators.tabular.TabularEstimator;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.latency.Nb201Ops;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.space.pareto.Objectives;
import io.sparknas.space.pareto.Pareto;
import io.sparknas.space.pareto.Penalty;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.Strategy;
import io.sparknas.strategies.StrategyConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * {@code sparknas bench-pareto}: multi-objective search on the NAS-Bench-201 table (no Spark): the hypervolume of the
 * accuracy-cost front each strategy found after N evaluations, as a fraction of the true front's (every cell of the
 * table), with the true front's nadir as the reference point, and the share of the true front's members found; mean
 * and standard deviation over seeds. Strategies: {@code nsga2}, {@code random}, and {@code evolution-penalised}
 * (regularized evolution on MnasNet's reward, its target the space's median cost).
 */
@Command(name = "bench-pareto", mixinStandardHelpOptions = true,
        description = "Hypervolume of the accuracy-cost front found on the NAS-Bench-201 table, per strategy.")
public final class ParetoBench implements Callable<Integer> {
    @Option(names = "--table", defaultValue = Nb201Table.BUNDLED, description = "NAS-Bench-201 CSV (default: ${DEFAULT-VALUE})")
    Path table;

    @Option(names = "--signal", defaultValue = "cifar10-val")
    String signal;

    @Option(names = "--cost", defaultValue = "flops", description = "the cost objective: flops, params, or latency "
            + "(predicted from --latency-table) (default: ${DEFAULT-VALUE})")
    String cost;

    @Option(names = "--latency-table", description = "the profile job's latency_table.csv for the benchmark's network "
            + "(C=16, N=5, 32x32): --cost latency")
    Path latencyTable;

    @Option(names = "--strategies", split = ",", defaultValue = "nsga2,random,evolution-penalised")
    List<String> strategies;

    @Option(names = "--budgets", split = ",", defaultValue = "100,300")
    List<Integer> budgets;

    @Option(names = "--seeds", defaultValue = "30")
    int seeds;

    @Option(names = "--population", defaultValue = "20")
    int population;

    @Option(names = "--crossover", defaultValue = "0.2")
    double crossover;

    @Option(names = "--penalty-exponent", defaultValue = "-0.07", description = "MnasNet's beta above the target")
    double beta;

    @Override
    public Integer call() throws IOException {
        Nb201Table t = Nb201Table.load(table);
        TabularEstimator estimator = new TabularEstimator(t, signal, signal, 12);
        Nb201Space space = new Nb201Space();
        LatencyPredictor latency = null;
        if (cost.equals("latency")) {
            if (latencyTable == null) {
                System.err.println("sparknas bench-pareto: --cost latency needs --latency-table (make one with: "
                        + "./sparknas profile --conf conf/profile-nb201.conf)");
                return 2;
            }
            latency = LatencyPredictor.fromCsv(java.nio.file.Files.readAllLines(latencyTable), Nb201Space.NAME,
                    latencyTable.toString());
            cost = "latency_pred_ms";
        }
        LatencyPredictor predictor = latency;
        java.util.function.UnaryOperator<Evaluation> withCost = e -> predictor == null || !e.isOk() ? e
                : e.withMetrics(java.util.Map.of(Metrics.LATENCY_PREDICTED, predictor.predict(Nb201Ops.of(
                        Nb201Cell.parse(e.candidate().genotype()), Nb201NetworkConfig.benchmark()))));
        Objectives objectives = new Objectives(List.of(Objectives.ACCURACY, cost));
        // the true front over every distinct cell of the table
        List<Evaluation> all = new ArrayList<>();
        for (int i = 0; i < 15_625; i++) {
            Nb201Cell cell = Nb201Cell.fromOrdinal(i);
            all.add(withCost.apply(estimator.evaluate(new Candidate("t" + i, Nb201Space.NAME, cell.text(),
                    space.canonicalKey(cell), "table", List.of(), 0), EvaluationContext.defaults())));
        }
        double[][] points = all.stream().map(objectives::minimised).toArray(double[][]::new);
        List<Integer> front = Pareto.front(points);
        double[] reference = Pareto.nadir(points, front);
        double truth = Pareto.hypervolume2d(points, new double[] {reference[0] + 1e-12, reference[1] + 1e-12});
        Set<String> frontKeys = new HashSet<>();
        front.forEach(i -> frontKeys.add(all.get(i).candidate().key()));
        double[] costs = Arrays.stream(points).mapToDouble(p -> p[1]).sorted().toArray();
        Penalty penalty = new Penalty(cost, costs[costs.length / 2], 0, beta);
        int maxBudget = budgets.stream().mapToInt(Integer::intValue).max().orElseThrow();
        long start = System.nanoTime();
        System.out.printf(Locale.ROOT, "NAS-Bench-201 accuracy (%s) against %s: true front %d cells (of %d distinct "
                + "keys), reference (nadir) accuracy %.2f%%, %s %.4g; hypervolume fraction and share of the front "
                + "found, mean ± std over %d seeds; penalised reward: accuracy x (%s / %.4g)^%s above the median%n%n",
                signal, cost, front.size(), all.stream().map(e -> e.candidate().key()).distinct().count(),
                -reference[0] * 100, cost, reference[1], seeds, cost, penalty.target(), beta);
        StringBuilder header = new StringBuilder("| strategy |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int b : budgets) {
            header.append(" HV @").append(b).append(" | front @").append(b).append(" |");
            rule.append("---|---|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (String name : strategies) {
            double[][][] runs = IntStream.range(0, seeds).parallel().mapToObj(seed -> {
                Strategy s = Strategies.create(new StrategyConfig(name.equals("evolution-penalised") ? "evolution"
                        : name, seed, population, 3, crossover, true, 10, 1000, objectives.names()), space);
                List<double[]> seen = new ArrayList<>();
                Set<String> found = new HashSet<>();
                double[][] out = new double[budgets.size()][];
                for (int evals = 1; evals <= maxBudget; evals++) {
                    Candidate c = s.ask(1).get(0);
                    Evaluation e = withCost.apply(estimator.evaluate(c, EvaluationContext.defaults()));
                    s.tell(List.of(name.equals("evolution-penalised") ? penalty.apply(e) : e));
                    double[] v = objectives.minimised(e);
                    if (v != null) {
                        seen.add(v);
                        if (frontKeys.contains(c.key())) {
                            found.add(c.key());
                        }
                    }
                    int bi = budgets.indexOf(evals);
                    if (bi >= 0) {
                        out[bi] = new double[] {Pareto.hypervolume2d(seen.toArray(double[][]::new), new double[] {
                            reference[0] + 1e-12, reference[1] + 1e-12}) / truth, found.size() / (double) frontKeys.size()};
                    }
                }
                return out;
            }).toArray(double[][][]::new);
            StringBuilder row = new StringBuilder("| " + name + " |");
            for (int bi = 0; bi < budgets.size(); bi++) {
                int b = bi;
                double[] hv = Arrays.stream(runs).mapToDouble(r -> r[b][0]).toArray();
                double[] share = Arrays.stream(runs).mapToDouble(r -> r[b][1]).toArray();
                row.append(String.format(Locale.ROOT, " %.3f ± %.3f | %.2f ± %.2f |", StrategyBench.mean(hv),
                        StrategyBench.std(hv), StrategyBench.mean(share), StrategyBench.std(share)));
            }
            System.out.println(row);
        }
        System.out.printf(Locale.ROOT, "%n%.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
