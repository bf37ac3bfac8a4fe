package io.sparknas.pipeline.search;

import io.sparknas.pipeline.core.AskStage;
import io.sparknas.pipeline.core.CommitListener;
import io.sparknas.pipeline.core.Counts;
import io.sparknas.pipeline.core.FailureLimit;
import io.sparknas.pipeline.core.LatencyTable;
import io.sparknas.pipeline.core.Pacing;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.SweepRun;
import io.sparknas.pipeline.core.SweepTrainingStage;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.space.ConstrainedSpace;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.SearchSpace;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.pareto.Penalty;
import io.sparknas.strategies.Strategies;
import org.apache.spark.sql.SparkSession;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The search kind: one {@link AskStage} that asks the configured strategy over the configured space (cut to a
 * constraint where there is one) until the budget is spent, in rounds or asynchronously; the core resumes it, commits
 * every result before the strategy hears of it, and checkpoints the strategy. An estimator that trains once per sweep
 * (a weight-sharing supernet) is trained first, in a stage of its own. Driver-side hooks add the latency
 * table's prediction to each result; a penalty makes MnasNet's reward what the strategy is told.
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
        io.sparknas.strategies.Strategy strategy;
        try { // the objective's table and constraint, checked before anything is written
            Optional<LatencyPredictor> table = objective.latencyTable().isBlank() ? Optional.empty()
                    : Optional.of(LatencyTable.read(spark, objective.latencyTable(), cfg.space().name(),
                    "search.objective.latencyTable").predictor());
            costs = new CandidateCosts(cfg.space().name(), cfg.estimator(), table);
            space = constrained(cfg.space().create(), objective.constraint(), costs);
            strategy = Strategies.create(cfg.strategy(), space);
            WarmStart warm = cfg.search().warmStart();
            if (warm.enabled()) { // before a resume restores the strategy's place in it
                List<WarmStart.Scored> scored = warm.read(spark, cfg.space().name());
                strategy.warmStart(warm.rank(scored, cfg.strategy().seed()));
                strategy.cheapScores(WarmStart.features(scored));
            }
        } catch (UnsupportedOperationException e) {
            throw new Sweep.Refused("search.warmStart: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Sweep.Refused(e.getMessage());
        }
        Optional<Penalty> penalty = objective.penalty().penalty();
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES);
        SweepRun run = SweepRun.of(spark, sweep, log, listener);
        EstimatorSpec estimator = SweepTrainingStage.prepare(run, cfg.estimator());
        SearchSettings s = cfg.search();
        Pacing pacing = s.scheduler().enabled() ? new Pacing.Rungs(s.inFlight(), s.scheduler())
                : s.async() ? new Pacing.Async(s.inFlight()) : new Pacing.Rounds(s.roundSize(), s.partitions());
        AskStage stage = AskStage.of(strategy, cfg.budget(), pacing, estimator)
                .withHook(e -> withPrediction(e, costs))
                .telling(e -> penalty.map(p -> p.apply(e)).orElse(e))
                .limitedBy(new FailureLimit(cfg.name(), s.maxFailedFraction(), "search.maxFailedFraction"),
                        s.maxAttempts());
        AskStage.Result r = stage.run(run);
        return new Result(sweep, r.best(), r.rounds(), r.counts(), r.resumed());
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
    private static Evaluation withPrediction(Evaluation e, CandidateCosts costs) {
        if (costs.latency().isEmpty() || !e.isOk()) {
            return e;
        }
        return e.withMetrics(Map.of(Metrics.LATENCY_PREDICTED,
                costs.of(e.candidate().genotype()).get(Metrics.LATENCY_PREDICTED)));
    }
}
