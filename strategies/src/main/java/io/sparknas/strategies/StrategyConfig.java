package io.sparknas.strategies;

import io.sparknas.space.Metrics;
import java.io.Serializable;
import java.util.List;

/**
 * Configuration of a strategy; fields a strategy does not use are ignored.
 *
 * @param name                 {@code random}, {@code evolution}, {@code local}, {@code predictor} (Gaussian process),
 *                             {@code bananas} (BANANAS' ensemble), {@code reinforce} (LSTM controller),
 *                             {@code reinforce-factorized} or {@code nsga2} (multi-objective)
 * @param seed                 the seed of every random choice the strategy makes
 * @param populationSize       evolution: P (Real et al. use 100; NB201 benchmarks 10)
 * @param tournamentSize       evolution: S, in [1, P]
 * @param crossoverProbability evolution: share of children made by crossover
 * @param deduplicate          evolution: re-draw children that repeat an architecture proposed before (Real et al.
 *                             evaluate duplicates; on expensive estimators re-drawing saves evaluations)
 * @param initialSamples       local, predictor and bananas: random architectures before the first model-guided step
 * @param candidatePool        predictor and bananas: architectures scored by the predictor per proposal
 * @param objectives           nsga2: {@code accuracy} then the costs to minimise ({@code flops}, {@code params},
 *                             {@code latency_ms_b1}, ...)
 */
public record StrategyConfig(String name, long seed, int populationSize, int tournamentSize,
                             double crossoverProbability, boolean deduplicate, int initialSamples, int candidatePool,
                             List<String> objectives)
        implements Serializable {
    public static final List<String> DEFAULT_OBJECTIVES = List.of(Metrics.ACCURACY, Metrics.FLOPS);

    public StrategyConfig {
        objectives = objectives == null ? DEFAULT_OBJECTIVES : List.copyOf(objectives);
        new io.sparknas.space.pareto.Objectives(objectives); // refuses a bad list
        if (!Strategies.NAMES.contains(name)) {
            throw new IllegalArgumentException("strategy.name must be one of " + Strategies.NAMES + ", got '" + name + "'");
        }
        if (populationSize < 2) {
            throw new IllegalArgumentException("strategy.populationSize must be >= 2, got " + populationSize);
        }
        if (tournamentSize < 1 || tournamentSize > populationSize) {
            throw new IllegalArgumentException("strategy.tournamentSize must be in [1, populationSize=" + populationSize
                    + "], got " + tournamentSize);
        }
        if (!(crossoverProbability >= 0 && crossoverProbability <= 1)) {
            throw new IllegalArgumentException("strategy.crossoverProbability must be in [0, 1], got " + crossoverProbability);
        }
        if (initialSamples < 1 || candidatePool < 1) {
            throw new IllegalArgumentException("strategy.initialSamples and strategy.candidatePool must be >= 1, got "
                    + initialSamples + " and " + candidatePool);
        }
    }

    /** Without objectives: accuracy and FLOPs (what only nsga2 reads). */
    public StrategyConfig(String name, long seed, int populationSize, int tournamentSize, double crossoverProbability,
                          boolean deduplicate, int initialSamples, int candidatePool) {
        this(name, seed, populationSize, tournamentSize, crossoverProbability, deduplicate, initialSamples,
                candidatePool, DEFAULT_OBJECTIVES);
    }

    public static StrategyConfig of(String name, long seed) {
        return new StrategyConfig(name, seed, 10, 3, 0.0, true, 10, 1000);
    }

    /** The same with another seed. */
    public StrategyConfig withSeed(long newSeed) {
        return new StrategyConfig(name, newSeed, populationSize, tournamentSize, crossoverProbability, deduplicate,
                initialSamples, candidatePool, objectives);
    }
}
