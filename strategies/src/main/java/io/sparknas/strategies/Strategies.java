package io.sparknas.strategies;

import io.sparknas.space.SearchSpace;

import java.util.List;

/** Builds a strategy from its configuration. */
public final class Strategies {
    public static final List<String> NAMES = List.of(RandomSearch.NAME, RegularizedEvolution.NAME, LocalSearch.NAME,
            PredictorSearch.NAME, PredictorSearch.BANANAS, ReinforceSearch.NAME, ReinforceSearch.FACTORIZED_NAME,
            Nsga2.NAME);

    private Strategies() {
    }

    public static <G> Strategy create(StrategyConfig cfg, SearchSpace<G> space) {
        return switch (cfg.name()) {
            case RandomSearch.NAME -> new RandomSearch<>(space, cfg.seed());
            case RegularizedEvolution.NAME -> new RegularizedEvolution<>(space, cfg.seed(), cfg.populationSize(),
                    cfg.tournamentSize(), cfg.crossoverProbability(), cfg.deduplicate());
            case LocalSearch.NAME -> new LocalSearch<>(space, cfg.seed(), cfg.initialSamples());
            case PredictorSearch.NAME -> new PredictorSearch<>(space, cfg.seed(), cfg.initialSamples(),
                    cfg.candidatePool());
            case PredictorSearch.BANANAS -> new PredictorSearch<>(space, cfg.seed(), cfg.initialSamples(),
                    cfg.candidatePool(), MlpEnsemble.Settings.defaults());
            case ReinforceSearch.NAME -> new ReinforceSearch<>(space, cfg.seed(), true, ReinforceSearch.Settings.defaults());
            case ReinforceSearch.FACTORIZED_NAME -> new ReinforceSearch<>(space, cfg.seed(), false,
                    ReinforceSearch.Settings.defaults());
            case Nsga2.NAME -> new Nsga2<>(space, cfg.seed(), cfg.populationSize(), cfg.crossoverProbability(),
                    cfg.deduplicate(), new io.sparknas.space.pareto.Objectives(cfg.objectives()));
            default -> throw new IllegalArgumentException("strategy.name must be one of " + NAMES + ", got '"
                    + cfg.name() + "'");
        };
    }
}
