package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.search.SearchLoop;
import io.sparknas.pipeline.search.SweepConfig;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Locale;

/**
 * {@code sparknas search --conf FILE [--set key=value ...] [--new-sweep]}: runs (or resumes) a sweep — rounds
 * of the configured strategy evaluated on Spark, committed to Parquet — then prints the winner and exports it.
 * Exit codes: 0 done, 1 failure, 2 bad configuration or a sweep path holding another configuration.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Run or resume a neural-architecture search sweep on Spark.")
public final class SearchJob extends SweepJob<SweepConfig> {
    @picocli.CommandLine.Option(names = "--extend", paramLabel = "N", description = "for scheduled sweeps: once the "
            + "stored sweep has spent its budget, raise it by N evaluations (a rerun of an unfinished one continues it "
            + "instead, so a retried night does not add twice); a new sweep starts with search.budget")
    int extend;

    @picocli.CommandLine.Option(names = "--id", paramLabel = "ID", description = "with --extend: the extension's id "
            + "(e.g. the scheduler's date or run id); an id applied before adds nothing, so a retried run never adds "
            + "twice, finished or not")
    String extensionId;

    public SearchJob() {
        super("search", JobConfig::sweep);
    }

    @Override
    List<String> overrides() {
        if (extend < 0) {
            throw new IllegalArgumentException("--extend must be a positive number of evaluations, got " + extend);
        }
        if (extensionId != null && extend == 0) {
            throw new IllegalArgumentException("--id names a budget extension: give it with --extend N");
        }
        if (extensionId != null && !extensionId.matches(SweepConfig.EXTENSION_ID)) {
            throw new IllegalArgumentException("--id must be 1-64 letters, digits, '.', '_', ':' or '-' (a date, a run "
                    + "id), got '" + extensionId + "'");
        }
        return List.of();
    }

    @Override
    String describe(SweepConfig cfg) {
        return "";
    }

    @Override
    Outcome run(SparkSession spark, SweepConfig given) {
        SweepConfig cfg = extend > 0 ? extended(spark, given) : given;
        SearchLoop.Result result = new SearchLoop(spark, cfg, System.out::println).run();
        boolean rungs = cfg.search().scheduler().enabled();
        return new Outcome(result.best(), String.format(Locale.ROOT, "done: %d evaluations (%d failed%s) in %d %s; "
                + "results: %s", result.counts().evaluated(), result.counts().failed(), rungs ? ", "
                + result.counts().pruned() + " paused before the top rung" : "", result.roundsCompleted(),
                rungs ? "rung events" : "rounds", result.sweep().store().path(ResultStore.CANDIDATES)),
                "no candidate was evaluated successfully; see the 'error' column of the results");
    }

    /** {@code --extend N}: the stored budget plus N once it is spent, else the stored budget (never below the given). */
    private SweepConfig extended(SparkSession spark, SweepConfig cfg) {
        ResultStore store = new ResultStore(spark, cfg.output());
        java.util.Optional<String> meta = store.metadata();
        if (meta.isEmpty() || !store.unreadable().isEmpty()) { // a new sweep; a damaged one is refused when opened
            return extensionId == null ? cfg : cfg.withBudget(cfg.budget(), extensionId); // its first night's id
        }
        int current;
        try {
            current = io.sparknas.pipeline.core.Sweep.currentBudget(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(meta.get()));
        } catch (java.io.IOException e) {
            return cfg; // an unreadable sweep.json is refused when the sweep is opened
        }
        long evaluated = store.committedRounds(ResultStore.CANDIDATES).isEmpty() ? 0 : store.candidates().count();
        if (extensionId != null) { // once per id: applied before (by a run that finished or not) adds nothing
            com.fasterxml.jackson.databind.JsonNode stored;
            try {
                stored = new com.fasterxml.jackson.databind.ObjectMapper().readTree(meta.get());
            } catch (java.io.IOException e) {
                return cfg;
            }
            boolean applied = io.sparknas.pipeline.core.Sweep.extendedBy(stored, extensionId);
            int budget = Math.max(cfg.budget(), applied ? current : current + extend);
            System.out.printf(Locale.ROOT, "--extend %d --id %s: %s; the sweep has %d of %d evaluations; budget "
                    + "now %d%n", extend, extensionId, applied ? "applied before, nothing added" : "not applied yet",
                    evaluated, current, budget);
            return applied ? cfg.withBudget(budget) : cfg.withBudget(budget, extensionId);
        }
        int budget = Math.max(cfg.budget(), evaluated >= current ? current + extend : current);
        System.out.printf(Locale.ROOT, "--extend %d: the sweep has %d of %d evaluations; budget now %d%n", extend,
                evaluated, current, budget);
        return cfg.withBudget(budget);
    }
}
