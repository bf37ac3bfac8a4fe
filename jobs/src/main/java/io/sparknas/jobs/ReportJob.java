package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.space.Metrics;
import io.sparknas.space.pareto.Objectives;
import io.sparknas.space.pareto.Pareto;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;

/**
 * {@code sparknas report --sweep PATH [--top K]}: a sweep's summary for a terminal or a cluster gateway without
 * Python: rounds completed, candidates by status and origin, the top-k (key, accuracy, parameters, FLOPs, latency),
 * DARTS searches where there are any, and where the figures are. Reads the Parquet results with a local Spark
 * session (any Hadoop URI works). Exit codes: 0 done, 2 not a sweep.
 */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Print a sweep's summary.")
public final class ReportJob implements Callable<Integer> {
    @Option(names = "--sweep", required = true, description = "the sweep folder or URI (sweep.output)")
    String sweep;

    @Option(names = "--top", defaultValue = "10", description = "candidates listed")
    int top;

    @Option(names = "--hv-reference", paramLabel = "COST=VALUE", description = "a fixed reference point for the "
            + "hypervolume of the accuracy-COST front (accuracy's is 0), so that two sweeps' hypervolumes compare: "
            + "flops, latency_ms_b1 or latency_ms_timed, e.g. --hv-reference flops=2e6 (repeatable)")
    Map<String, Double> hvReference = new java.util.LinkedHashMap<>();

    /** The costs whose accuracy-cost front the report prints. */
    private static final List<String> COSTS = List.of(Metrics.FLOPS, Metrics.LATENCY_MS_B1, Metrics.LATENCY_TIMED);

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        for (Map.Entry<String, Double> r : hvReference.entrySet()) {
            if (!COSTS.contains(r.getKey()) || !(r.getValue() > 0) || r.getValue().isInfinite()) {
                System.err.println("sparknas report: --hv-reference " + r.getKey() + "=" + r.getValue() + " must name "
                        + "one of " + COSTS + " with a positive finite value, e.g. --hv-reference flops=2e6");
                return 2;
            }
        }
        SparkSession spark = SparkSessions.forTool("sparknas-report",
                Map.of("spark.sql.files.ignoreCorruptFiles", "true"));
        try {
            ResultStore store = new ResultStore(spark, sweep);
            Optional<String> meta = store.metadata();
            if (meta.isEmpty()) {
                System.err.println("sparknas report: " + sweep + " is not a sweep (no sweep.json); give the "
                        + "sweep.output of a search or darts job");
                return 2;
            }
            JsonNode m = new ObjectMapper().readTree(meta.get());
            String kind = m.path("kind").asText("search");
            out.printf(Locale.ROOT, "sweep %s (%s%s) at %s, config hash %s%n", m.path("sweep").asText(), kind,
                    kind.equals("search") ? ", strategy " + m.path("config").path("strategy").path("name").asText() : "",
                    store.root(), m.path("configHash").asText());
            for (ResultStore.Unreadable u : store.unreadable()) {
                out.println("skipped an unreadable file (" + u.reason() + "): " + u.file() + "; ./sparknas repair "
                        + "--sweep " + store.root() + " moves it aside and the next run evaluates its round again");
            }
            List<Integer> rounds = store.committedRounds(ResultStore.CANDIDATES);
            out.printf(Locale.ROOT, "rounds completed: %d%s%n", rounds.size(), kind.equals("search")
                    ? " of " + roundsPlanned(m) : "");
            if (rounds.isEmpty()) { // a score sweep has none by nature: its section reads its own dataset
                out.println(kind.equals("score") ? "no candidates (a score sweep scores cells)"
                        : "no committed candidates yet");
                SweepKinds.named(kind).ifPresent(k -> k.report().print(store, List.of(), m, out));
                return 0;
            }
            Dataset<Row> c = store.candidates().cache();
            out.println("candidates: " + c.count());
            out.println("by status: " + counts(c, "status"));
            out.println("by origin: " + counts(c, "origin"));
            out.printf(Locale.ROOT, "top %d by validation accuracy:%n", top);
            out.printf(Locale.ROOT, "  %-4s %-14s %-16s %9s %10s %12s %11s%n", "rank", "candidate", "key", "accuracy",
                    "params", "flops", "latency_ms");
            List<Row> best = c.filter(col("status").equalTo("OK")).orderBy(col("accuracy").desc(),
                    col("candidate_id")).limit(top).collectAsList();
            int rank = 1;
            for (Row r : best) {
                out.printf(Locale.ROOT, "  %-4d %-14s %-16s %9.4f %10s %12s %11s%n", rank++, r.getAs("candidate_id"),
                        r.getAs("canonical_key"), r.<Double>getAs(Metrics.ACCURACY), str(r.getAs(Metrics.PARAMS)),
                        str(r.getAs(Metrics.FLOPS)), r.getAs(Metrics.LATENCY_MS_B1) == null ? "-"
                                : String.format(Locale.ROOT, "%.2f", r.<Double>getAs(Metrics.LATENCY_MS_B1)));
            }
            List<io.sparknas.space.Evaluation> all = store.readAllCandidates();
            for (String cost : COSTS) {
                pareto(all, out, cost, Optional.ofNullable(hvReference.get(cost)));
            }
            SweepKinds.named(kind).ifPresent(k -> k.report().print(store, all, m, out));
            out.println(figures());
            out.println("live page: ./sparknas serve --sweep " + sweep + " (then http://localhost:8642/)");
            return 0;
        } finally {
            spark.stop();
        }
    }

    /**
     * The accuracy-{@code cost} Pareto front of the sweep's successful candidates that record the cost: its members
     * (cheapest first, with the latency weight of a latency-aware DARTS search) and its hypervolume against a fixed
     * reference (accuracy 0, the given cost), which two sweeps share, or else against the front's own nadir (worst
     * accuracy and worst cost of the front), which depends on the front and so compares nothing between sweeps.
     */
    private static void pareto(List<io.sparknas.space.Evaluation> rows, PrintStream out, String cost,
                               Optional<Double> reference) {
        Objectives objectives = new Objectives(List.of(Objectives.ACCURACY, cost));
        long usable = rows.stream().filter(e -> objectives.minimised(e) != null).count();
        if (usable < 2) {
            return;
        }
        List<io.sparknas.space.Evaluation> front = objectives.front(rows);
        double[][] points = front.stream().map(objectives::minimised).toArray(double[][]::new);
        if (reference.isPresent()) {
            long within = java.util.Arrays.stream(points).filter(p -> p[1] < reference.get()).count();
            out.printf(Locale.ROOT, "pareto front, accuracy against %s: %d of %d candidates; hypervolume %.6g against "
                    + "the fixed reference (accuracy 0, %s %.4g; %d of the front within it)%n", cost, front.size(),
                    usable, Pareto.hypervolume2d(points, new double[] {0, reference.get()}), cost, reference.get(),
                    within);
        } else {
            double[] nadir = Pareto.nadir(points, java.util.stream.IntStream.range(0, points.length).boxed().toList());
            double hv = Pareto.hypervolume2d(points, new double[] {nadir[0] + 1e-12, nadir[1] + 1e-12});
            out.printf(Locale.ROOT, "pareto front, accuracy against %s: %d of %d candidates; hypervolume %.6g against "
                    + "its nadir (accuracy %.4f, %s %.4g; not comparable between sweeps: --hv-reference %s=VALUE fixes "
                    + "one)%n", cost, front.size(), usable, hv, -nadir[0], cost, nadir[1], cost);
        }
        for (io.sparknas.space.Evaluation e : front) {
            Double lambda = e.metrics().get(Metrics.LATENCY_WEIGHT);
            out.printf(Locale.ROOT, "  %-14s accuracy %.4f  %s %.4g%s%n", e.candidate().id(), e.accuracy(), cost,
                    e.metrics().get(cost), lambda == null ? "" : "  lambda " + lambda);
        }
    }

    private static String roundsPlanned(JsonNode m) {
        JsonNode search = m.path("config").has("search") ? m.path("config").path("search") : m.path("config");
        int budget = io.sparknas.pipeline.core.Sweep.currentBudget(m);
        int roundSize = search.path("roundSize").asInt();
        if (search.path("mode").asText("rounds").equals("async")) {
            return budget + " evaluations, asynchronous";
        }
        return roundSize > 0 ? Integer.toString((budget + roundSize - 1) / roundSize) : "?";
    }

    private static String counts(Dataset<Row> c, String column) {
        Map<String, Long> n = new TreeMap<>();
        c.groupBy(column).count().collectAsList().forEach(r -> n.put(r.getString(0), r.getLong(1)));
        StringBuilder sb = new StringBuilder();
        n.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String str(Object o) {
        return o == null ? "-" : o.toString();
    }

    private String figures() {
        File dir = new File(sweep.replaceFirst("^file:(//)?", ""), "report");
        String[] png = dir.isDirectory() ? dir.list((d, n) -> n.endsWith(".png")) : null;
        if (png == null || png.length == 0) {
            return "figures: none yet; make them with `python notebooks/sparknas_report.py " + sweep
                    + "` or the notebooks in notebooks/ (they write " + dir + ")";
        }
        Arrays.sort(png);
        return "figures: " + dir + " " + Arrays.toString(png) + " (also as .svg)";
    }
}
