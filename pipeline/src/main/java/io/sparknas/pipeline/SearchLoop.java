package io.sparknas.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.Strategy;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The search loop on the driver: rounds of ask(n) -&gt; evaluate on Spark -&gt; commit to Parquet -&gt; tell.
 * Results are committed before the strategy hears of them, and the strategy's state is checkpointed after
 * every round. Started on a path that holds a sweep with the same configuration, it resumes: the strategy is
 * restored from the latest checkpoint, committed rounds after it are replayed (asked again, which must give
 * the same candidates, and told the stored results), and the search continues; nothing is evaluated twice.
 */
public final class SearchLoop {
    private final SparkSession spark;
    private final SweepConfig cfg;
    private final Consumer<String> log;
    private final IntConsumer afterRoundCommitted;

    /** The outcome of {@link #run()}. */
    public record Result(ResultStore store, Optional<Evaluation> best, int roundsCompleted, int evaluated, int failed,
                         int resumedRounds) {
    }

    /** @param afterRoundCommitted called after each committed round (tests inject driver failures here) */
    public SearchLoop(SparkSession spark, SweepConfig cfg, Consumer<String> log, IntConsumer afterRoundCommitted) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
        this.afterRoundCommitted = afterRoundCommitted;
    }

    public SearchLoop(SparkSession spark, SweepConfig cfg, Consumer<String> log) {
        this(spark, cfg, log, r -> { });
    }

    /** Thrown when the sweep path holds a sweep made with another configuration. */
    public static final class SweepMismatch extends IllegalStateException {
        SweepMismatch(String message) {
            super(message);
        }
    }

    public Result run() {
        ResultStore store = new ResultStore(spark, cfg.output());
        Provenance provenance = Provenance.current(cfg.hash());
        openSweep(store, provenance);
        Strategy strategy = Strategies.create(cfg.strategy(), cfg.space().create());
        int[] counts = new int[2];
        int resumed = restore(store, strategy, counts);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkEvaluator evaluator = new SparkEvaluator(jsc, cfg.estimator(), cfg.failFirstTaskAttempt());
        String estimatorName = cfg.estimator().kind();
        String budget = budgetJson();
        long start = System.nanoTime();
        for (int round = resumed; round < cfg.rounds(); round++) {
            List<Candidate> asked = strategy.ask(cfg.roundSize(round));
            List<TaskResult> results = inAskedOrder(asked, evaluator.evaluate(asked, cfg.partitions()));
            List<Row> rows = new ArrayList<>();
            List<Evaluation> evaluations = new ArrayList<>();
            for (TaskResult r : results) {
                rows.add(ResultSchema.toRow(cfg.name(), estimatorName, budget, r, provenance));
                evaluations.add(r.evaluation());
                counts[0]++;
                counts[1] += r.evaluation().isOk() ? 0 : 1;
            }
            store.commitRound(round, rows);
            afterRoundCommitted.accept(round);
            strategy.tell(evaluations);
            store.commitCheckpoint(round, cfg.name(), strategy.name(), strategy.told(), strategy.snapshot());
            log.accept(progress(round, resumed, counts, strategy.best(), start));
        }
        return new Result(store, strategy.best(), cfg.rounds(), counts[0], counts[1], resumed);
    }

    private void openSweep(ResultStore store, Provenance provenance) {
        openSweep(store, cfg.name(), "search", cfg, cfg.semantics(), provenance, ResultStore.CANDIDATES);
    }

    /**
     * Writes a new sweep's {@code sweep.json} (name, kind, configuration, its semantics and hash, provenance), or
     * checks that the sweep stored at the path was made with the same configuration hash. Refuses a path that holds
     * committed {@code datasets} but no {@code sweep.json}.
     */
    static void openSweep(ResultStore store, String name, String kind, Object config, String semantics,
                          Provenance provenance, String... datasets) {
        Optional<String> meta = store.metadata();
        if (meta.isEmpty()) {
            for (String dataset : datasets) {
                if (store.exists() && !store.committedRounds(dataset).isEmpty()) {
                    throw new SweepMismatch(store.root() + " holds results but no sweep.json; refusing to mix sweeps "
                            + "(choose another sweep.output)");
                }
            }
            Map<String, Object> m = new HashMap<>();
            m.put("sweep", name);
            m.put("kind", kind);
            m.put("configHash", provenance.configHash());
            m.put("config", config);
            m.put("semantics", semantics);
            m.put("createdAt", System.currentTimeMillis());
            m.put("provenance", provenance);
            store.create(SweepConfig.JSON.valueToTree(m).toPrettyString());
            return;
        }
        JsonNode stored;
        try {
            stored = new ObjectMapper().readTree(meta.get());
        } catch (Exception e) {
            throw new SweepMismatch(store.root() + "/sweep.json is not valid JSON: " + e.getMessage());
        }
        String storedHash = stored.path("configHash").asText();
        if (!storedHash.equals(provenance.configHash())) {
            throw new SweepMismatch("the sweep at " + store.root() + " was made with another configuration (hash "
                    + storedHash + ", this one " + provenance.configHash() + "):\n  stored: "
                    + stored.path("semantics").asText() + "\n  given:  " + semantics + "\nResume with the stored "
                    + "configuration, choose another sweep.output, or pass --new-sweep to move the old sweep aside and "
                    + "start a new one.");
        }
    }

    /** Restores the strategy from committed rounds; returns the number of rounds already done. */
    private int restore(ResultStore store, Strategy strategy, int[] counts) {
        List<Integer> rounds = store.committedRounds(ResultStore.CANDIDATES);
        for (int i = 0; i < rounds.size(); i++) {
            if (rounds.get(i) != i) {
                throw new IllegalStateException(store.path(ResultStore.CANDIDATES) + " has rounds " + rounds
                        + "; expected 0.." + (rounds.size() - 1) + " without gaps");
            }
        }
        if (rounds.isEmpty()) {
            return 0;
        }
        int fromRound = 0;
        List<Integer> checkpoints = store.committedRounds(ResultStore.CHECKPOINTS);
        for (int c = checkpoints.size() - 1; c >= 0; c--) {
            if (checkpoints.get(c) < rounds.size()) {
                strategy.restore(store.checkpoint(checkpoints.get(c)).orElseThrow());
                fromRound = checkpoints.get(c) + 1;
                break;
            }
        }
        for (int r = 0; r < rounds.size(); r++) {
            List<Evaluation> stored = store.readRound(r);
            for (Evaluation e : stored) {
                counts[0]++;
                counts[1] += e.isOk() ? 0 : 1;
            }
            if (r < fromRound) {
                continue;
            }
            List<Candidate> asked = strategy.ask(stored.size());
            for (int i = 0; i < asked.size(); i++) {
                if (!asked.get(i).id().equals(stored.get(i).candidate().id())
                        || !asked.get(i).key().equals(stored.get(i).candidate().key())) {
                    throw new IllegalStateException("replaying round " + r + ": the strategy proposed "
                            + asked.get(i).id() + " " + asked.get(i).key() + " but the store holds "
                            + stored.get(i).candidate().id() + " " + stored.get(i).candidate().key()
                            + " (did the code of the strategy or space change?)");
                }
            }
            strategy.tell(stored);
        }
        log.accept(String.format(Locale.ROOT, "resuming sweep %s at round %d/%d (%d evaluations committed; strategy "
                + "restored from %s)", cfg.name(), rounds.size() + 1, cfg.rounds(), counts[0],
                fromRound == 0 ? "a replay of every round" : "the checkpoint of round " + fromRound));
        return rounds.size();
    }

    private static List<TaskResult> inAskedOrder(List<Candidate> asked, List<TaskResult> results) {
        Map<String, TaskResult> byId = new HashMap<>();
        results.forEach(r -> byId.put(r.evaluation().candidate().id(), r));
        List<TaskResult> out = new ArrayList<>();
        for (Candidate c : asked) {
            TaskResult r = byId.get(c.id());
            if (r == null) {
                throw new IllegalStateException("Spark returned no result for candidate " + c.id());
            }
            out.add(r);
        }
        return out;
    }

    private String budgetJson() {
        return SweepConfig.JSON.valueToTree(cfg.estimator()).toString();
    }

    private String progress(int round, int resumed, int[] counts, Optional<Evaluation> best, long start) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        int doneHere = round + 1 - resumed;
        double eta = elapsed / doneHere * (cfg.rounds() - round - 1);
        String b = best.map(e -> String.format(Locale.ROOT, "best %.4f (%s %s)", e.accuracy(), e.candidate().id(),
                e.candidate().key())).orElse("best -");
        return String.format(Locale.ROOT, "round %d/%d  evaluated %d  failed %d  %s  elapsed %s  eta %s",
                round + 1, cfg.rounds(), counts[0], counts[1], b, duration(elapsed), duration(eta));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
