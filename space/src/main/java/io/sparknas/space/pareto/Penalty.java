package io.sparknas.space.pareto;

import io.sparknas.space.Evaluation;

import java.io.Serializable;

/**
 * MnasNet's reward (Tan et al. 2019) for a single-objective strategy that must respect a cost:
 * {@code accuracy * (cost / target)^w}, with {@code w = alpha} when the cost is within the target and
 * {@code w = beta} above it. MnasNet's soft constraint uses alpha = beta = -0.07; sparknas keeps the reward a fraction
 * in [0, 1] (the signal every strategy ranks), so alpha must be 0 (no bonus below the target) or the reward is cut at
 * 1. The evaluation told to the strategy carries the reward as its accuracy and the accuracy as {@code raw_accuracy}.
 *
 * @param cost   the metric that is penalised ({@code flops}, {@code latency_ms_b1}, ...)
 * @param target the cost the reward is neutral at
 */
public record Penalty(String cost, double target, double alpha, double beta) implements Serializable {
    public Penalty {
        if (!(target > 0)) {
            throw new IllegalArgumentException("the penalty's target " + cost + " must be positive, got " + target);
        }
        if (!(alpha <= 0 && beta <= 0)) {
            throw new IllegalArgumentException("the penalty's exponents must be <= 0, got " + alpha + " and " + beta);
        }
    }

    public double reward(double accuracy, double c) {
        return Math.min(1, accuracy * Math.pow(c / target, c <= target ? alpha : beta));
    }

    /** The evaluation with its reward as the signal (unchanged when it failed or lacks the cost). */
    public Evaluation apply(Evaluation e) {
        Double c = e.metrics().get(cost);
        if (!e.isOk() || c == null) {
            return e;
        }
        java.util.Map<String, Double> m = new java.util.TreeMap<>(e.metrics());
        m.put("raw_accuracy", e.accuracy());
        return new Evaluation(e.candidate(), e.status(), reward(e.accuracy(), c), m, e.device(), e.error(),
                e.startMillis(), e.endMillis());
    }
}
