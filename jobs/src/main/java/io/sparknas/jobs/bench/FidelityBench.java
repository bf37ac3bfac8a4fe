package io.sparknas.jobs.bench;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.SeededRandom;
import io.sparknas.strategies.Strategy;
import io.sparknas.strategies.fidelity.FidelityLoop;
import io.sparknas.strategies.fidelity.SchedulerConfig;
import io.sparknas.strategies.fidelity.Simulator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The multi-fidelity schedulers' code run against a sweep's recorded learning curves (its candidates trained to the
 * top rung, every epoch's validation accuracy and seconds an epoch): ASHA, synchronous successive halving and
 * Hyperband under random search over the recorded candidates, on simulated slots, for many seeds. Slot utilisation
 * over the whole sweep and while candidates are still started, core-seconds to reach the recorded best, and the
 * best found: a scheduler change measured in seconds before it is confirmed on real training.
 */
@Command(name = "bench-fidelity", mixinStandardHelpOptions = true,
        description = "Multi-fidelity schedulers simulated on a sweep's recorded learning curves.")
public final class FidelityBench implements Callable<Integer> {
    @Option(names = "--sweep", required = true, description = "a sweep whose candidates trained maxEpochs epochs each")
    List<Path> sweeps;

    @Option(names = "--slots", split = ",", defaultValue = "2,64")
    List<Integer> slots;

    @Option(names = "--budget", split = ",", defaultValue = "64,1024", description = "candidates per simulated sweep, "
            + "one figure per slot count (drawn from the recorded ones, again once they are used up)")
    List<Integer> budgets;

    @Option(names = "--seeds", defaultValue = "200")
    int seeds;

    @Option(names = "--min-epochs", defaultValue = "1")
    int minEpochs;

    @Option(names = "--max-epochs", defaultValue = "8")
    int maxEpochs;

    @Option(names = "--eta", defaultValue = "2")
    int eta;

    @Option(names = "--resume-overhead", defaultValue = "0", description = "seconds added to each continued job "
            + "(the measured pause/resume cost)")
    double resumeOverhead;

    @Override
    public Integer call() {
        List<Simulator.Curve> curves = read();
        double best = curves.stream().mapToDouble(c -> c.accuracy()[maxEpochs - 1]).max().orElseThrow();
        System.out.printf(Locale.ROOT, "%d recorded curves of %d epochs; best final accuracy %.4f%n", curves.size(),
                maxEpochs, best);
        int rungs = new SchedulerConfig("asha", minEpochs, maxEpochs, eta, 1).rungs().size();
        for (int i = 0; i < slots.size(); i++) {
            int n = slots.get(i);
            int budget = budgets.get(Math.min(i, budgets.size() - 1));
            for (SchedulerConfig s : List.of(new SchedulerConfig("asha", minEpochs, maxEpochs, eta, 1),
                    new SchedulerConfig("sh", minEpochs, maxEpochs, eta, 1),
                    new SchedulerConfig("hyperband", minEpochs, maxEpochs, eta, rungs),
                    new SchedulerConfig("asha", minEpochs, maxEpochs, eta, rungs))) {
                double[] whole = new double[seeds];
                double[] steady = new double[seeds];
                double[] found = new double[seeds];
                double[] cost = new double[seeds];
                for (int seed = 0; seed < seeds; seed++) {
                    Pool pool = new Pool(curves.size(), seed);
                    Simulator.Run run = Simulator.run(new FidelityLoop(pool, s.create(budget), budget),
                            c -> curves.get(pool.curveOf(c)), n, resumeOverhead);
                    whole[seed] = run.utilisation();
                    steady[seed] = run.utilisationWhileStarting();
                    found[seed] = run.outcomes().stream().filter(Evaluation::isOk).mapToDouble(Evaluation::accuracy)
                            .max().orElse(Double.NaN);
                    cost[seed] = run.jobs().stream().mapToDouble(j -> j.end() - j.start()).sum();
                }
                System.out.printf(Locale.ROOT, "%-9s brackets %d  slots %3d  budget %5d  utilisation %.3f [%.3f, %.3f]  "
                        + "while starting %.3f [%.3f, %.3f]  best %.4f [%.4f, %.4f]  core-s %.0f [%.0f, %.0f]%n",
                        s.kind(), s.brackets(), n, budget, median(whole), min(whole), max(whole), median(steady),
                        min(steady), max(steady), median(found), min(found), max(found), median(cost), min(cost),
                        max(cost));
            }
        }
        return 0;
    }

    /** Each recorded candidate's curve: validation accuracy per epoch and its mean seconds per epoch. */
    private List<Simulator.Curve> read() {
        SparkSession spark = SparkSessions.create("bench-fidelity-read", "local[1]", Map.of("spark.ui.enabled", "false"));
        List<Simulator.Curve> out = new ArrayList<>();
        try {
            for (Path sweep : sweeps) {
                for (Row r : new ResultStore(spark, sweep.toString()).candidates().where("status = 'OK'")
                        .select("metrics").collectAsList()) {
                    Map<String, Double> m = r.getJavaMap(0);
                    double[] acc = new double[maxEpochs];
                    boolean whole = true;
                    for (int e = 1; e <= maxEpochs; e++) {
                        Double v = m.get(Metrics.epoch(e, Metrics.VAL_ACCURACY));
                        whole &= v != null;
                        acc[e - 1] = v == null ? Double.NaN : v;
                    }
                    if (whole) {
                        out.add(new Simulator.Curve(acc, m.get(Metrics.TRAIN_SECONDS) / maxEpochs));
                    }
                }
            }
        } finally {
            spark.stop();
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no candidate of " + sweeps + " has " + maxEpochs + " epochs of "
                    + "validation accuracy; give a sweep trained with estimator.proxy.epochs = " + maxEpochs);
        }
        return out;
    }

    /** Random search over the recorded curves: each candidate a recorded curve, in a seeded random order. */
    private static final class Pool implements Strategy {
        private final int size;
        private final SeededRandom rng;
        private final Map<String, Integer> curve = new HashMap<>();
        private int[] order;
        private int next;
        private int told;
        private Evaluation best;

        Pool(int size, long seed) {
            this.size = size;
            this.rng = new SeededRandom(seed);
            this.order = rng.permutation(size);
        }

        int curveOf(Candidate c) {
            return curve.get(c.id());
        }

        public String name() {
            return "pool";
        }

        public List<Candidate> ask(int n) {
            List<Candidate> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (next % size == 0 && next > 0) {
                    order = rng.permutation(size);
                }
                String id = String.format("p%06d", next);
                curve.put(id, order[next % size]);
                out.add(new Candidate(id, "recorded", "curve-" + order[next % size], "k" + next, "random",
                        List.of(), next));
                next++;
            }
            return out;
        }

        public void tell(List<Evaluation> evaluations) {
            for (Evaluation e : evaluations) {
                told++;
                if (e.isOk() && (best == null || e.accuracy() > best.accuracy())) {
                    best = e;
                }
            }
        }

        public String snapshot() {
            throw new UnsupportedOperationException("a simulation is not resumed");
        }

        public void restore(String snapshot) {
            throw new UnsupportedOperationException("a simulation is not resumed");
        }

        public Optional<Evaluation> best() {
            return Optional.ofNullable(best);
        }

        public int told() {
            return told;
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
