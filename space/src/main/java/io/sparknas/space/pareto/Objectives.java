package io.sparknas.space.pareto;

import io.sparknas.space.Metrics;
import io.sparknas.space.Evaluation;

import java.io.Serializable;
import java.util.List;

/**
 * What a multi-objective search optimises: validation accuracy (maximised) and costs a candidate's row records
 * (minimised): {@code flops}, {@code params}, {@code latency_ms_b1} or any other metric. As a vector to minimise,
 * accuracy is negated. An evaluation without one of the metrics, or failed, has no vector.
 */
public record Objectives(List<String> names) implements Serializable {
    public static final String ACCURACY = Metrics.ACCURACY;

    public Objectives {
        names = List.copyOf(names);
        if (names.size() < 2 || !names.get(0).equals(ACCURACY)) {
            throw new IllegalArgumentException("objectives must be 'accuracy' then one or more costs (flops, params, "
                    + "latency_ms_b1, ...), got " + names);
        }
        if (names.subList(1, names.size()).contains(ACCURACY)) {
            throw new IllegalArgumentException("objectives name accuracy twice: " + names);
        }
    }

    /** The vector to minimise ({@code -accuracy, cost...}), or null where the evaluation failed or lacks a cost. */
    public double[] minimised(Evaluation e) {
        if (!e.isOk()) {
            return null;
        }
        double[] v = new double[names.size()];
        v[0] = -e.accuracy();
        for (int i = 1; i < names.size(); i++) {
            Double c = e.metrics().get(names.get(i));
            if (c == null || !Double.isFinite(c)) {
                return null;
            }
            v[i] = c;
        }
        return v;
    }

    /**
     * The evaluations on the Pareto front of these objectives (among those with a vector), cheapest first by the
     * first cost, ties by candidate id.
     */
    public List<Evaluation> front(List<Evaluation> evaluations) {
        List<Evaluation> usable = evaluations.stream().filter(e -> minimised(e) != null).toList();
        double[][] points = usable.stream().map(this::minimised).toArray(double[][]::new);
        return Pareto.front(points).stream().map(usable::get)
                .sorted(java.util.Comparator.comparingDouble((Evaluation e) -> minimised(e)[1])
                        .thenComparing(e -> e.candidate().id()))
                .toList();
    }
}
