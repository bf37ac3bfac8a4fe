package io.sparknas.pipeline.search;

import io.sparknas.space.Metrics;
import io.sparknas.space.pareto.Penalty;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * What a search optimises beyond validation accuracy, bound by name from {@code search.objective}: a latency table
 * whose prediction every candidate records ({@value Metrics#LATENCY_PREDICTED}), MnasNet's penalised reward for single-objective
 * strategies, and a hard constraint on a cost known before training (the space is cut to the candidates that meet
 * it). The default is none of them.
 *
 * @param latencyTable a profile job's {@code latency_table.csv} of the space's network (a Hadoop path); "" = none
 * @param penalty      the strategy is told {@code accuracy * (cost / target)^w} instead of the accuracy
 * @param constraint   only candidates with {@code cost <= max} are proposed
 */
public record SearchObjective(String latencyTable, PenaltySettings penalty, Constraint constraint)
        implements Serializable {

    /** MnasNet's reward; {@code cost} "" = no penalty. */
    public record PenaltySettings(String cost, double target, double alpha, double beta) implements Serializable {
        public PenaltySettings {
            cost = cost == null ? "" : cost;
            if (!cost.isEmpty()) {
                try {
                    new Penalty(cost, target, alpha, beta);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("search.objective.penalty: " + e.getMessage(), e);
                }
            }
        }

        Optional<Penalty> penalty() {
            return cost.isEmpty() ? Optional.empty() : Optional.of(new Penalty(cost, target, alpha, beta));
        }
    }

    /** {@code cost <= max}; {@code cost} "" = no constraint. */
    public record Constraint(String cost, double max) implements Serializable {
        public Constraint {
            cost = cost == null ? "" : cost;
            if (!cost.isEmpty() && !Metrics.PRIOR_COSTS.contains(cost)) {
                throw new IllegalArgumentException("search.objective.constraint.cost must be one of " + Metrics.PRIOR_COSTS
                        + " (known before training), got '" + cost + "'");
            }
            if (!cost.isEmpty() && !(max > 0)) {
                throw new IllegalArgumentException("search.objective.constraint.max must be positive, got " + max);
            }
        }

        boolean active() {
            return !cost.isEmpty();
        }

        String text() {
            return cost + " <= " + max;
        }
    }

    public static final SearchObjective NONE = new SearchObjective("", new PenaltySettings("", 0, 0, 0),
            new Constraint("", 0));

    public SearchObjective {
        latencyTable = latencyTable == null ? "" : latencyTable;
        penalty = penalty == null ? NONE.penalty() : penalty;
        constraint = constraint == null ? NONE.constraint() : constraint;
        if (latencyTable.isBlank() && (penalty.cost().equals(Metrics.LATENCY_PREDICTED) || constraint.cost().equals(Metrics.LATENCY_PREDICTED))) {
            throw new IllegalArgumentException("search.objective.latencyTable is empty, but the objective names "
                    + Metrics.LATENCY_PREDICTED + ", the latency table's prediction: set it to the profile job's latency_table.csv of "
                    + "this device (make one with: ./sparknas profile --conf conf/profile-nb201.conf, or "
                    + "conf/profile-darts.conf)");
        }
    }

    /** Whether anything is set (a sweep without an objective keeps the hash it had before objectives existed). */
    public boolean isSet() {
        return !latencyTable.isBlank() || !penalty.cost().isEmpty() || constraint.active();
    }

    /** Refuses a strategy objective on the table's prediction when there is no table. */
    void checkNames(List<String> strategyObjectives) {
        if (latencyTable.isBlank() && strategyObjectives.contains(Metrics.LATENCY_PREDICTED)) {
            throw new IllegalArgumentException("strategy.objectives names " + Metrics.LATENCY_PREDICTED + " but "
                    + "search.objective.latencyTable is empty: set it to the profile job's latency_table.csv of this "
                    + "device (make one with: ./sparknas profile --conf conf/profile-nb201.conf)");
        }
    }
}
