package io.sparknas.jobs.bench;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.space.SeededRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Rounds against the asynchronous search on the same sweep, interleaved (rounds, async, rounds, async, ...): the
 * whole-sweep utilisation of each run, the sum of candidate evaluation times over (first start to last end) x slots.
 * Then a simulation of both schedules, fed with the measured candidate times and the asynchronous mode's measured
 * overhead per candidate, for a 2-slot machine with rounds of 8 and a 64-slot cluster with rounds of 64; and the same
 * simulation with costs drawn from {1, 2, 3, 4} and no overhead, to check it against the reference values.
 */
@Command(name = "bench-async", mixinStandardHelpOptions = true,
        description = "Utilisation of rounds against asynchronous evaluation, measured and simulated.")
public final class AsyncBench implements Callable<Integer> {
    @Option(names = "--conf", defaultValue = "conf/quickstart.conf", description = "the sweep (default: ${DEFAULT-VALUE})")
    String conf;

    @Option(names = "--budget", defaultValue = "32")
    int budget;

    @Option(names = "--epochs-up-to", defaultValue = "4", description = "each candidate trains 1..N epochs, drawn by its "
            + "seed (estimator.proxy.epochsUpTo): costs that vary about N-fold; 0 = the configuration's epochs "
            + "(default: ${DEFAULT-VALUE})")
    int epochsUpTo;

    @Option(names = "--round-size", defaultValue = "8")
    int roundSize;

    @Option(names = "--slots", defaultValue = "2", description = "local[N]: task slots")
    int slots;

    @Option(names = "--repeats", defaultValue = "2", description = "runs of each mode")
    int repeats;

    @Option(names = "--set", description = "more key=value settings for every run")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", defaultValue = "/tmp/sparknas-bench-async")
    Path out;

    @Option(names = "--launcher", defaultValue = "./sparknas", description = "runs each sweep as a user does, in a "
            + "JVM of its own (default: ${DEFAULT-VALUE})")
    String launcher;

    /** One run: its mode, utilisation, wall seconds and the candidates' evaluation seconds. */
    record Run(String mode, double utilisation, double wall, double[] seconds) {
    }

    @Override
    public Integer call() throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int rep = 0; rep < repeats; rep++) {
            for (String mode : List.of("rounds", "async")) {
                Path sweep = out.resolve(mode + "-" + rep);
                if (Files.exists(sweep)) {
                    throw new IllegalArgumentException(sweep + " exists; remove " + out + " or give --out");
                }
                List<String> args = new ArrayList<>(List.of(launcher, "search", "--conf", conf, "--set", "sweep.output=" + sweep,
                        "--set", "search.budget=" + budget, "--set", "search.roundSize=" + roundSize, "--set",
                        "search.mode=" + mode, "--set", "search.inFlight=" + slots, "--set",
                        "spark.master=local[" + slots + "]", "--set", "export.retrain=false"));
                if (epochsUpTo > 0) {
                    args.addAll(List.of("--set", "estimator.proxy.epochs=1", "--set",
                            "estimator.proxy.epochsUpTo=" + epochsUpTo));
                }
                sets.forEach(s -> args.addAll(List.of("--set", s)));
                Process p = new ProcessBuilder(args).inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("the " + mode + " run failed: " + String.join(" ", args));
                }
                Run r = measure(mode, sweep);
                runs.add(r);
                System.out.printf(Locale.ROOT, "{\"mode\": \"%s\", \"repeat\": %d, \"utilisation\": %.3f, \"wall_s\": "
                        + "%.1f, \"candidate_s_median\": %.2f, \"candidate_s_min\": %.2f, \"candidate_s_max\": %.2f}%n",
                        mode, rep, r.utilisation(), r.wall(), median(r.seconds()), min(r.seconds()),
                        max(r.seconds()));
            }
        }
        for (String mode : List.of("rounds", "async")) {
            double[] u = runs.stream().filter(r -> r.mode().equals(mode)).mapToDouble(Run::utilisation).toArray();
            System.out.printf(Locale.ROOT, "%s: utilisation median %.3f (min %.3f, max %.3f) over %d runs%n", mode,
                    median(u), min(u), max(u), u.length);
        }
        double[] costs = runs.stream().flatMapToDouble(r -> Arrays.stream(r.seconds())).toArray();
        // the asynchronous mode's own cost per candidate: slot time not spent inside an evaluation, per candidate
        double overhead = median(runs.stream().filter(r -> r.mode().equals("async"))
                .mapToDouble(r -> Math.max(0, (r.wall() * slots - Arrays.stream(r.seconds()).sum())
                        / r.seconds().length)).toArray());
        System.out.printf(Locale.ROOT, "measured candidate times: median %.2f s, min %.2f, max %.2f (%.1fx); async "
                + "overhead per candidate %.2f s%n", median(costs), min(costs), max(costs), max(costs) / min(costs),
                overhead);
        double[] reference = {1, 2, 3, 4};
        for (int[] sr : new int[][] {{2, 8}, {64, 64}}) {
            System.out.printf(Locale.ROOT, "simulated, %d slots, rounds of %d: measured costs: rounds %.3f, async %.3f "
                    + "(%.2fx); costs {1,2,3,4}, no overhead: rounds %.3f, async %.3f (%.2fx)%n", sr[0], sr[1],
                    simulate(costs, 0, sr[0], sr[1], false), simulate(costs, overhead, sr[0], sr[1], true),
                    simulate(costs, overhead, sr[0], sr[1], true) / simulate(costs, 0, sr[0], sr[1], false),
                    simulate(reference, 0, sr[0], sr[1], false), simulate(reference, 0, sr[0], sr[1], true),
                    simulate(reference, 0, sr[0], sr[1], true) / simulate(reference, 0, sr[0], sr[1], false));
        }
        return 0;
    }

    /** Utilisation of a committed sweep: sum of evaluation times over (first start to last end) x slots. */
    Run measure(String mode, Path sweep) {
        SparkSession spark = SparkSessions.create("bench-async-read", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            List<Row> rows = new ResultStore(spark, sweep.toString()).candidates().select("start_time", "end_time")
                    .collectAsList();
            double[] seconds = new double[rows.size()];
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int i = 0; i < rows.size(); i++) {
                long s = rows.get(i).<Timestamp>getAs("start_time").getTime();
                long e = rows.get(i).<Timestamp>getAs("end_time").getTime();
                seconds[i] = (e - s) / 1000.0;
                first = Math.min(first, s);
                last = Math.max(last, e);
            }
            double wall = (last - first) / 1000.0;
            return new Run(mode, Arrays.stream(seconds).sum() / (wall * slots), wall, seconds);
        } finally {
            spark.stop();
        }
    }

    /**
     * Utilisation of 4 rounds' worth of candidates with costs drawn from {@code costs} (plus {@code overhead} each in
     * the asynchronous schedule) on {@code slots} slots: rounds of {@code roundSize} with a barrier after each, or one
     * queue; a candidate goes to the first free slot in order. Mean over 2,000 draws.
     */
    static double simulate(double[] costs, double overhead, int slots, int roundSize, boolean async) {
        SeededRandom rng = new SeededRandom(1);
        int n = 4 * roundSize;
        double total = 0;
        int draws = 2000;
        for (int d = 0; d < draws; d++) {
            double[] c = new double[n];
            for (int i = 0; i < n; i++) {
                c[i] = costs[rng.nextInt(costs.length)];
            }
            double work = Arrays.stream(c).sum();
            double wall = 0;
            if (async) {
                wall = makespan(c, 0, n, slots, overhead);
            } else {
                for (int r = 0; r < n; r += roundSize) {
                    wall += makespan(c, r, Math.min(n, r + roundSize), slots, 0);
                }
            }
            total += work / (wall * slots);
        }
        return total / draws;
    }

    /** List scheduling of candidates {@code from..to} in order onto {@code slots} free slots. */
    private static double makespan(double[] c, int from, int to, int slots, double overhead) {
        double[] free = new double[slots];
        for (int i = from; i < to; i++) {
            int s = 0;
            for (int k = 1; k < slots; k++) {
                if (free[k] < free[s]) {
                    s = k;
                }
            }
            free[s] += c[i] + overhead;
        }
        return max(free);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
