package io.sparknas.pipeline;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.Strategy;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(SearchLoop.class);

    private final SparkSession spark;
    private final SweepConfig cfg;
    private final Consumer<String> log;
    private final Faults faults;

    /**
     * Faults that resilience tests inject (never set from a configuration): a driver failure after a round is
     * committed, and a first attempt of every Spark task that throws after its first candidate (so Spark must retry
     * it; {@code spark.task.maxFailures} &gt; 1), and poison candidates whose every task attempt fails (a candidate
     * that kills its executor).
     */
    public record Faults(IntConsumer afterRoundCommitted, boolean failFirstTaskAttempt, java.util.Set<String> poison) {
        public static final Faults NONE = new Faults(r -> { }, false, java.util.Set.of());

        public Faults(IntConsumer afterRoundCommitted, boolean failFirstTaskAttempt) {
            this(afterRoundCommitted, failFirstTaskAttempt, java.util.Set.of());
        }

        public static Faults afterRound(IntConsumer hook) {
            return new Faults(hook, false);
        }
    }

    /** The outcome of {@link #run()}. */
    public record Result(Sweep sweep, Optional<Evaluation> best, int roundsCompleted, Counts counts,
                         int resumedRounds) {
    }

    /** With faults injected (tests). */
    public SearchLoop(SparkSession spark, SweepConfig cfg, Consumer<String> log, Faults faults) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
        this.faults = faults;
    }

    public SearchLoop(SparkSession spark, SweepConfig cfg, Consumer<String> log) {
        this(spark, cfg, log, Faults.NONE);
    }

    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES);
        Strategy strategy = Strategies.create(cfg.strategy(), cfg.space().create());
        List<Integer> committed = committedRounds(sweep.store());
        Counts counts = restore(sweep, strategy, committed);
        int resumed = committed.size();
        SparkEvaluator evaluator = new SparkEvaluator(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                cfg.estimator(), faults.failFirstTaskAttempt(), SearchLoop::logEpoch, faults.poison());
        long start = System.nanoTime();
        for (int round = resumed; round < cfg.rounds(); round++) {
            List<Candidate> asked = strategy.ask(cfg.roundSize(round));
            List<TaskResult> results = inAskedOrder(asked, evaluator.evaluate(asked, cfg.partitions()));
            List<Evaluation> evaluations = results.stream().map(TaskResult::evaluation).toList();
            sweep.commitCandidates(round, cfg.estimator(), results);
            counts = counts.plusAll(evaluations);
            faults.afterRoundCommitted().accept(round);
            strategy.tell(evaluations);
            sweep.commitCheckpoint(round, strategy.name(), strategy.told(), strategy.snapshot());
            log.accept(progress(round, resumed, counts, strategy.best(), start));
        }
        return new Result(sweep, strategy.best(), cfg.rounds(), counts, resumed);
    }

    /** A trained candidate's epoch as it happens (the log, not the progress lines: there are many). */
    static void logEpoch(EpochReport r) {
        LOG.info(String.format(Locale.ROOT, "%s epoch %d: %s", r.candidateId(), r.epoch(), r.metrics()));
    }

    /** The committed rounds, which must be 0..n-1 without gaps. */
    private static List<Integer> committedRounds(ResultStore store) {
        List<Integer> rounds = store.committedRounds(ResultStore.CANDIDATES);
        for (int i = 0; i < rounds.size(); i++) {
            if (rounds.get(i) != i) {
                throw new IllegalStateException(store.path(ResultStore.CANDIDATES) + " has rounds " + rounds
                        + "; expected 0.." + (rounds.size() - 1) + " without gaps");
            }
        }
        return rounds;
    }

    /** Restores the strategy from the committed rounds; returns what they hold. */
    private Counts restore(Sweep sweep, Strategy strategy, List<Integer> rounds) {
        Counts counts = Counts.ZERO;
        if (rounds.isEmpty()) {
            return counts;
        }
        int fromRound = 0;
        List<Integer> checkpoints = sweep.store().committedRounds(ResultStore.CHECKPOINTS);
        for (int c = checkpoints.size() - 1; c >= 0; c--) {
            if (checkpoints.get(c) < rounds.size()) {
                strategy.restore(sweep.store().checkpoint(checkpoints.get(c)).orElseThrow());
                fromRound = checkpoints.get(c) + 1;
                break;
            }
        }
        for (int r = 0; r < rounds.size(); r++) {
            List<Evaluation> stored = sweep.candidates(r);
            counts = counts.plusAll(stored);
            if (r < fromRound) {
                continue;
            }
            List<Candidate> asked = strategy.ask(stored.size());
            for (int i = 0; i < asked.size(); i++) {
                if (!asked.get(i).id().equals(stored.get(i).candidate().id())
                        || !asked.get(i).key().equals(stored.get(i).candidate().key())) {
                    throw new Sweep.Mismatch("replaying round " + r + ": the strategy proposed "
                            + asked.get(i).id() + " " + asked.get(i).key() + " but the store holds "
                            + stored.get(i).candidate().id() + " " + stored.get(i).candidate().key()
                            + " (did the code of the strategy or the space change since the sweep was made? Resume "
                            + "with the version that made it, or pass --new-sweep)");
                }
            }
            strategy.tell(stored);
        }
        log.accept(String.format(Locale.ROOT, "resuming sweep %s at round %d/%d (%d evaluations committed; strategy "
                + "restored from %s)", cfg.name(), rounds.size() + 1, cfg.rounds(), counts.evaluated(),
                fromRound == 0 ? "a replay of every round" : "the checkpoint of round " + fromRound));
        return counts;
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

    private String progress(int round, int resumed, Counts counts, Optional<Evaluation> best, long start) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        int doneHere = round + 1 - resumed;
        double eta = elapsed / doneHere * (cfg.rounds() - round - 1);
        String b = best.map(e -> String.format(Locale.ROOT, "best %.4f (%s %s)", e.accuracy(), e.candidate().id(),
                e.candidate().key())).orElse("best -");
        return String.format(Locale.ROOT, "round %d/%d  evaluated %d  failed %d  %s  elapsed %s  eta %s",
                round + 1, cfg.rounds(), counts.evaluated(), counts.failed(), b, duration(elapsed), duration(eta));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
