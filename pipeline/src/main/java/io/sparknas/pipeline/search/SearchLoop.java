package io.sparknas.pipeline.search;

import io.sparknas.pipeline.core.CommitListener;
import io.sparknas.pipeline.core.Counts;
import io.sparknas.pipeline.core.Durations;
import io.sparknas.pipeline.core.LatencyTable;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SparkEvaluator;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.TaskResult;
import io.sparknas.space.Metrics;
import io.sparknas.space.Candidate;
import io.sparknas.space.ConstrainedSpace;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.pareto.Penalty;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.Strategy;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
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
    private final CommitListener listener;

    /** The outcome of {@link #run()}. */
    public record Result(Sweep sweep, Optional<Evaluation> best, int roundsCompleted, Counts counts,
                         int resumedRounds) {
    }

    /** @param listener hears each commit (durable, before the strategy is told) */
    public SearchLoop(SparkSession spark, SweepConfig cfg, Consumer<String> log, CommitListener listener) {
        this.spark = spark;
        this.cfg = cfg;
        this.log = log;
        this.listener = listener;
    }

    public SearchLoop(SparkSession spark, SweepConfig cfg, Consumer<String> log) {
        this(spark, cfg, log, CommitListener.NONE);
    }

    public Result run() {
        SearchObjective objective = cfg.objective();
        CandidateCosts costs;
        SearchSpace<?> space;
        try { // the objective's table and constraint, checked before anything is written
            Optional<LatencyPredictor> table = objective.latencyTable().isBlank() ? Optional.empty()
                    : Optional.of(LatencyTable.read(spark, objective.latencyTable(), cfg.space().name(),
                    "search.objective.latencyTable").predictor());
            costs = new CandidateCosts(cfg.space().name(), cfg.estimator(), table);
            space = constrained(cfg.space().create(), objective.constraint(), costs);
        } catch (IllegalArgumentException e) {
            throw new Sweep.Refused(e.getMessage());
        }
        Optional<Penalty> penalty = objective.penalty().penalty();
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES);
        Strategy strategy = Strategies.create(cfg.strategy(), space);
        if (cfg.search().async()) {
            return runAsync(sweep, strategy, penalty, costs);
        }
        List<Integer> committed = committedRounds(sweep.store());
        Counts counts = restore(sweep, strategy, committed, penalty);
        int resumed = committed.size();
        SparkEvaluator evaluator = new SparkEvaluator(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                cfg.estimator())
                .withMaxAttempts(cfg.search().maxAttempts());
        long start = System.nanoTime();
        int evaluated = counts.evaluated();
        int round = resumed;
        if (evaluated < cfg.budget()) {
            checkFailures(counts, round - 1);
        }
        // rounds of roundSize until the budget is spent (a raised budget continues where the sweep stopped)
        for (; evaluated < cfg.budget(); round++) {
            List<Candidate> asked = strategy.ask(Math.min(cfg.roundSize(), cfg.budget() - evaluated));
            List<TaskResult> results = inAskedOrder(asked, evaluator.evaluate(asked, cfg.partitions())).stream()
                    .map(r -> withPrediction(r, costs)).toList();
            List<Evaluation> evaluations = results.stream().map(TaskResult::evaluation).toList();
            sweep.commitCandidates(round, cfg.estimator(), results);
            counts = counts.plusAll(evaluations);
            listener.committed(round, evaluations);
            strategy.tell(told(evaluations, penalty));
            sweep.commitCheckpoint(round, strategy.name(), strategy.told(), strategy.snapshot());
            evaluated += evaluations.size();
            log.accept(progress(round, resumed, counts, strategy.best(), start));
            checkFailures(counts, round);
        }
        return new Result(sweep, strategy.best(), round, counts, resumed);
    }

    /**
     * The asynchronous search: {@code inFlight} candidates run at once, each its own Spark job (an asynchronous
     * action); as each finishes it is committed on its own with its place in the order of tells, told to the
     * strategy, and the strategy is asked for the next. A resume replays the committed tells in that order, asking
     * the strategy as often as it had been asked before each, so it continues from the same state; candidates that
     * were running when the driver stopped are evaluated first (the strategy proposes the same ones again).
     */
    private Result runAsync(Sweep sweep, Strategy strategy, Optional<Penalty> penalty, CandidateCosts costs) {
        List<ResultStore.Told> committed = sweep.store().readTold();
        List<Candidate> asked = new ArrayList<>();
        java.util.Set<String> toldIds = new java.util.HashSet<>();
        Counts counts = Counts.ZERO;
        for (ResultStore.Told t : committed) {
            Candidate c = t.evaluation().candidate();
            if (t.tellSeq() != toldIds.size()) {
                throw new Sweep.Mismatch(sweep.store().path(ResultStore.CANDIDATES) + " lacks tell " + toldIds.size()
                        + " (the next committed is " + t.tellSeq() + "); run ./sparknas repair --sweep "
                        + sweep.store().root());
            }
            while (asked.size() < t.askedBefore()) {
                asked.addAll(strategy.ask(1));
            }
            if (asked.stream().noneMatch(a -> a.id().equals(c.id()) && a.key().equals(c.key()))) {
                throw new Sweep.Mismatch("replaying tell " + t.tellSeq() + ": the strategy had not proposed " + c.id()
                        + " " + c.key() + " (did the code of the strategy or the space change since the sweep was "
                        + "made? Resume with the version that made it, or pass --new-sweep)");
            }
            strategy.tell(told(List.of(t.evaluation()), penalty));
            toldIds.add(c.id());
            counts = counts.plus(t.evaluation());
        }
        java.util.ArrayDeque<Candidate> pending = new java.util.ArrayDeque<>(asked.stream()
                .filter(c -> !toldIds.contains(c.id())).toList());
        int resumed = toldIds.size();
        if (resumed > 0) {
            log.accept(String.format(Locale.ROOT, "resuming asynchronous sweep %s: %d of %d candidates told, "
                    + "replayed in their order; %d that were running are evaluated again first", cfg.name(), resumed,
                    cfg.budget(), pending.size()));
            checkFailures(counts, resumed - 1);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int inFlight = cfg.search().inFlight() > 0 ? cfg.search().inFlight() : jsc.defaultParallelism();
        jsc.setLocalProperty("spark.scheduler.pool", "sparknas-" + cfg.name()); // a FAIR pool where FAIR is on
        SparkEvaluator evaluator = new SparkEvaluator(jsc, cfg.estimator()).withMaxAttempts(cfg.search().maxAttempts());
        Map<String, Integer> attempts = new HashMap<>();
        Map<Candidate, org.apache.spark.api.java.JavaFutureAction<List<TaskResult>>> running =
                new java.util.LinkedHashMap<>();
        long start = System.nanoTime();
        try (SparkEvaluator.Async async = evaluator.async()) {
            while (toldIds.size() < cfg.budget()) {
                while (running.size() < inFlight) {
                    Candidate next;
                    if (!pending.isEmpty()) {
                        next = pending.poll();
                    } else if (asked.size() < cfg.budget()) {
                        next = strategy.ask(1).get(0);
                        asked.add(next);
                    } else {
                        break;
                    }
                    running.put(next, async.submit(next));
                }
                Candidate done = firstDone(running);
                Optional<TaskResult> result = async.result(done, running.remove(done),
                        attempts.merge(done.id(), 1, Integer::sum));
                if (result.isEmpty()) { // its job failed and it has attempts left: it runs again
                    running.put(done, async.submit(done));
                    continue;
                }
                TaskResult r = withPrediction(result.get(), costs);
                int seq = toldIds.size();
                sweep.commitTold(cfg.estimator(), r, seq, asked.size());
                listener.committed(seq, List.of(r.evaluation()));
                strategy.tell(told(List.of(r.evaluation()), penalty));
                toldIds.add(done.id());
                counts = counts.plus(r.evaluation());
                log.accept(progressAsync(r.evaluation(), counts, running.size(), strategy.best(), start,
                        toldIds.size() - resumed));
                checkFailures(counts, seq);
            }
        } finally {
            running.values().forEach(f -> f.cancel(true)); // a sweep stopped early leaves nothing running
        }
        int merged = sweep.store().compact(ResultStore.CANDIDATES, 0);
        if (merged > 0) {
            log.accept("compacted " + merged + " files of " + sweep.store().path(ResultStore.CANDIDATES) + " into one");
        }
        return new Result(sweep, strategy.best(), toldIds.size(), counts, resumed);
    }

    /** The first of the running candidates whose job is done, waiting for one. */
    private static Candidate firstDone(Map<Candidate, ? extends java.util.concurrent.Future<?>> running) {
        while (true) {
            for (Map.Entry<Candidate, ? extends java.util.concurrent.Future<?>> e : running.entrySet()) {
                if (e.getValue().isDone()) {
                    return e.getKey();
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while candidates ran", e);
            }
        }
    }

    /** A line per told candidate: the result, the best so far, failures, throughput and an ETA from it. */
    private String progressAsync(Evaluation e, Counts counts, int running, Optional<Evaluation> best, long start,
                                 int toldHere) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double perMinute = toldHere / Math.max(elapsed, 1e-9) * 60;
        double eta = (cfg.budget() - counts.evaluated()) / Math.max(perMinute, 1e-9) * 60;
        String b = best.map(x -> String.format(Locale.ROOT, "best %.4f (%s)", x.accuracy(), x.candidate().id()))
                .orElse("best -");
        return String.format(Locale.ROOT, "told %d/%d  %s %s%s  %s  failed %d  running %d  %.1f/min  elapsed %s  "
                + "eta %s", counts.evaluated(), cfg.budget(), e.candidate().id(), e.isOk() ? "ok" : "FAILED",
                e.isOk() ? String.format(Locale.ROOT, " %.4f", e.accuracy()) : "", b, counts.failed(), running,
                perMinute, Durations.format(elapsed), Durations.format(eta));
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

    /**
     * The space the strategy searches: the configured one, or with a constraint the part of it that meets the
     * constraint ({@link ConstrainedSpace}); a constraint no network among {@value #FEASIBILITY_DRAWS} random ones
     * meets is refused, naming the cheapest drawn.
     */
    static <G> SearchSpace<G> constrained(SearchSpace<G> inner, SearchObjective.Constraint c, CandidateCosts costs) {
        if (!c.active()) {
            if (costs.latency().isPresent()) { // a table that lacks the space's instances fails here, not later
                costs.of(inner.format(inner.sample(new SeededRandom(0))));
            }
            return inner;
        }
        Predicate<G> feasible = g -> costs.of(inner.format(g)).get(c.cost()) <= c.max();
        SeededRandom rng = new SeededRandom(0);
        double cheapest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < FEASIBILITY_DRAWS; i++) {
            double v = costs.of(inner.format(inner.sample(rng))).get(c.cost());
            if (v <= c.max()) {
                return new ConstrainedSpace<>(inner, feasible, c.text());
            }
            cheapest = Math.min(cheapest, v);
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "search.objective.constraint: no network of "
                + "the space meets %s among %,d drawn at random (the cheapest: %.6g); raise "
                + "search.objective.constraint.max", c.text(), FEASIBILITY_DRAWS, cheapest));
    }

    static final int FEASIBILITY_DRAWS = 10_000;

    /** A successful evaluation with the latency table's prediction of its network, where there is a table. */
    private static TaskResult withPrediction(TaskResult r, CandidateCosts costs) {
        Evaluation e = r.evaluation();
        if (costs.latency().isEmpty() || !e.isOk()) {
            return r;
        }
        double predicted = costs.of(e.candidate().genotype()).get(Metrics.LATENCY_PREDICTED);
        return new TaskResult(e.withMetrics(Map.of(Metrics.LATENCY_PREDICTED, predicted)), r.executor(), r.host(),
                r.attempt());
    }

    /** What the strategy is told: the evaluations, or with a penalty their MnasNet reward as the signal. */
    private static List<Evaluation> told(List<Evaluation> evaluations, Optional<Penalty> penalty) {
        return penalty.map(p -> evaluations.stream().map(p::apply).toList()).orElse(evaluations);
    }

    /** Restores the strategy from the committed rounds; returns what they hold. */
    private Counts restore(Sweep sweep, Strategy strategy, List<Integer> rounds, Optional<Penalty> penalty) {
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
            strategy.tell(told(stored, penalty));
        }
        log.accept(String.format(Locale.ROOT, "resuming sweep %s at round %d/%d (%d evaluations committed; strategy "
                + "restored from %s)", cfg.name(), rounds.size() + 1, plannedRounds(rounds.size(), counts),
                counts.evaluated(),
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

    /** Too many candidates failed: the sweep stops, keeping what it committed. */
    public static final class TooManyFailures extends IllegalStateException {
        TooManyFailures(String message) {
            super(message);
        }
    }

    /** Stops the sweep once more than {@code search.maxFailedFraction} of its candidates failed. */
    private void checkFailures(Counts counts, int round) {
        if (counts.evaluated() > 0 && counts.failed() > cfg.maxFailedFraction() * counts.evaluated()) {
            throw new TooManyFailures(String.format(Locale.ROOT, "sweep %s stopped after round %d: %d of %d "
                    + "candidates failed (%.0f%%), more than search.maxFailedFraction = %s allows; what is committed "
                    + "is kept. See the 'error' column of %s, fix the cause, and raise search.maxFailedFraction to "
                    + "continue", cfg.name(), round + 1, counts.failed(), counts.evaluated(),
                    100.0 * counts.failed() / counts.evaluated(), cfg.maxFailedFraction(),
                    ResultStore.CANDIDATES));
        }
    }

    /** The rounds a sweep will have: those done, and the budget left in rounds of roundSize. */
    private int plannedRounds(int done, Counts counts) {
        return done + Math.max(0, (cfg.budget() - counts.evaluated() + cfg.roundSize() - 1) / cfg.roundSize());
    }

    private String progress(int round, int resumed, Counts counts, Optional<Evaluation> best, long start) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        int doneHere = round + 1 - resumed;
        int planned = plannedRounds(round + 1, counts);
        double eta = elapsed / doneHere * (planned - round - 1);
        String b = best.map(e -> String.format(Locale.ROOT, "best %.4f (%s %s)", e.accuracy(), e.candidate().id(),
                e.candidate().key())).orElse("best -");
        return String.format(Locale.ROOT, "round %d/%d  evaluated %d  failed %d  %s  elapsed %s  eta %s",
                round + 1, planned, counts.evaluated(), counts.failed(), b, Durations.format(elapsed), Durations.format(eta));
    }

}
