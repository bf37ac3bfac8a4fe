package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.RungRows;
import io.sparknas.pipeline.darts.DartsSweep;
import io.sparknas.pipeline.ofa.OfaSweep;
import io.sparknas.pipeline.scale.ScaleSweep;
import io.sparknas.space.Evaluation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;

/**
 * What the report prints for a sweep of one kind, after what it prints for every sweep (rounds, status, the top-k,
 * the Pareto fronts); each kind's line in {@link SweepKinds} names its section.
 */
final class ReportSections {
    private ReportSections() {
    }

    /** A kind with nothing to add. */
    static void none(ResultStore store, List<Evaluation> all, JsonNode m, PrintStream out) {
    }

    /** A search: under a multi-fidelity scheduler, how many candidates each rung trained and promoted. */
    static void search(ResultStore store, List<Evaluation> all, JsonNode m, PrintStream out) {
        if (store.committedRounds(RungRows.DATASET).isEmpty()) {
            return;
        }
        JsonNode s = m.path("config").path("search").path("scheduler");
        Dataset<Row> results = store.read(RungRows.DATASET).filter(col("event").equalTo("result"));
        Dataset<Row> above = results.select(col("candidate_id").alias("id"), col("rung").minus(1).alias("below"));
        List<Row> rungs = results.join(above, results.col("candidate_id").equalTo(above.col("id"))
                        .and(results.col("rung").equalTo(above.col("below"))), "left")
                .groupBy("rung", "epochs")
                .agg(org.apache.spark.sql.functions.count("*").alias("trained"),
                        org.apache.spark.sql.functions.count("id").alias("promoted"),
                        org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.when(
                                col("status").equalTo("FAILED"), 1).otherwise(0)).alias("failed"),
                        org.apache.spark.sql.functions.max("accuracy").alias("best"))
                .orderBy("rung").collectAsList();
        out.printf(Locale.ROOT, "scheduler %s (eta %d, brackets %d): trained / promoted / failed per rung, best there:%n",
                s.path("kind").asText(), s.path("eta").asInt(), s.path("brackets").asInt());
        for (Row r : rungs) {
            Object best = r.getAs("best");
            out.printf(Locale.ROOT, "  rung %d (%2d epochs): %4d / %4d / %d  best %s%n", r.<Integer>getAs("rung"),
                    r.<Integer>getAs("epochs"), r.<Long>getAs("trained"), r.<Long>getAs("promoted"),
                    r.<Long>getAs("failed"), best == null ? "-" : String.format(Locale.ROOT, "%.4f", (Double) best));
        }
    }

    /**
     * A score sweep: per proxy how many cells it scored and failed and its median seconds per cell; with a table
     * configured, its rank correlations against the table over the cells and within equal FLOPs.
     */
    static void score(ResultStore store, List<Evaluation> all, JsonNode m, PrintStream out) {
        if (store.committedRounds(io.sparknas.pipeline.score.ScoreSweep.SCORES).isEmpty()) {
            return;
        }
        List<io.sparknas.pipeline.score.ScoreSweep.ScoredCell> cells = io.sparknas.pipeline.score.ScoreSweep.read(store);
        java.util.TreeSet<String> proxies = new java.util.TreeSet<>();
        cells.forEach(c -> { proxies.addAll(c.scores().keySet()); proxies.addAll(c.errors().keySet()); });
        out.printf(Locale.ROOT, "%d cells scored; per proxy: scored / failed (first reason)%n", cells.size());
        for (String p : proxies) {
            long ok = cells.stream().filter(c -> c.scores().containsKey(p)).count();
            String why = cells.stream().map(c -> c.errors().get(p)).filter(java.util.Objects::nonNull).findFirst()
                    .orElse("");
            out.printf(Locale.ROOT, "  %-9s %6d / %d%s%n", p, ok, cells.size() - ok, why.isEmpty() ? "" : " (" + why + ")");
        }
        String table = m.path("config").path("table").asText("");
        if (!table.isEmpty() && java.nio.file.Files.isReadable(java.nio.file.Path.of(table))) {
            out.println("rank correlations against " + table + ":");
            io.sparknas.pipeline.score.ScoreRanks.of(cells, io.sparknas.estimators.data.Nb201Table.load(
                    java.nio.file.Path.of(table))).forEach(r -> out.println("  " + r.line()));
        }
    }

    /** A scale sweep: the grid at phi = 1, the coefficients it chose, accuracy against FLOPs per method. */
    static void scaling(ResultStore store, List<Evaluation> all, JsonNode m, PrintStream out) {
        List<Integer> rounds = store.committedRounds(ResultStore.CANDIDATES);
        List<Evaluation> grid = store.readRound(0);
        out.println("grid at phi = 1 (alpha, beta, gamma) accuracy: " + ScaleSweep.gridSummary(grid));
        grid.stream().filter(Evaluation::isOk)
                .sorted(java.util.Comparator.comparing((Evaluation e) -> -e.accuracy())
                        .thenComparing(e -> e.candidate().id()))
                .findFirst().ifPresent(b -> out.printf(Locale.ROOT, "chosen: alpha %.2f, beta %.2f, gamma %.2f%n",
                        b.metric("alpha"), b.metric("beta"), b.metric("gamma")));
        List<Evaluation> later = rounds.stream().filter(r -> r > 0).flatMap(r -> store.readRound(r).stream())
                .toList();
        if (!later.isEmpty()) {
            out.println("accuracy against FLOPs (flops x: over the base network's):");
            ScaleSweep.table(later).forEach(out::println);
        }
        if (later.stream().anyMatch(e -> e.candidate().origin().startsWith("single-"))) {
            out.println("one dimension alone, far beyond the budget (EfficientNet's Figure 3):");
            ScaleSweep.saturationTable(later, later).forEach(out::println);
        }
    }

    /** An ofa sweep: the last epoch of each shrinking phase, then the choice per FLOP budget. */
    static void ofa(ResultStore store, List<Evaluation> all, JsonNode m, PrintStream out) {
        if (!store.committedRounds(OfaSweep.EPOCHS).isEmpty()) {
            out.println("progressive shrinking (last epoch of each phase: val accuracy of the largest and smallest):");
            for (Row r : store.read(OfaSweep.EPOCHS).orderBy("phase", "epoch").collectAsList()) {
                out.printf(Locale.ROOT, "  phase %d %-9s epoch %d  largest %.4f  smallest %.4f  %.0f s%n",
                        r.<Integer>getAs("phase"), r.<String>getAs("phase_name"), r.<Integer>getAs("epoch"),
                        r.<Double>getAs("val_accuracy_largest"), r.<Double>getAs("val_accuracy_smallest"),
                        r.<Double>getAs("seconds"));
            }
        }
        List<Double> budgets = new java.util.ArrayList<>();
        m.path("config").path("search").path("budgets").forEach(b -> budgets.add(b.asDouble()));
        out.println("chosen subnet per FLOP budget (val/test by weight inheritance; scratch: trained alone):");
        OfaSweep.table(all, budgets).forEach(out::println);
    }
    /** A darts sweep: its searches, how many epochs each ran, where the traces are. */
    static void darts(ResultStore store, List<Evaluation> all, JsonNode m, PrintStream out) {
    if (!store.committedRounds(DartsSweep.EPOCHS).isEmpty()) {
        Dataset<Row> e = store.read(DartsSweep.EPOCHS);
        List<Row> last = e.filter(col("status").equalTo("OK")).groupBy("search_id")
                .agg(org.apache.spark.sql.functions.max("epoch").alias("epochs")).orderBy("search_id")
                .collectAsList();
        out.printf(Locale.ROOT, "darts searches: %d ok, %d failed; epochs per search: %s; traces: %s, %s%n",
                last.size(), e.filter(col("status").equalTo("FAILED")).count(),
                last.stream().map(r -> r.getAs("search_id") + "=" + r.getAs("epochs")).toList(),
                store.path(DartsSweep.EPOCHS), store.path(DartsSweep.ALPHAS));
    }
    }
}
