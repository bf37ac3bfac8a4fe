package io.sparknas.pipeline.search;

import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.space.Metrics;
import io.sparknas.space.cost.Cost;
import io.sparknas.space.darts.DartsCostModel;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.latency.DartsOps;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.latency.Nb201Ops;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A search candidate's costs known before it is trained, for the network its estimator builds: FLOPs and parameters
 * from the cost model, and with a latency table the table's prediction ({@value Metrics#LATENCY_PREDICTED}). The
 * costs a constraint bounds and a latency objective ranks; equal to what the estimator records for the same network.
 */
record CandidateCosts(String space, EstimatorSpec estimator, Optional<LatencyPredictor> latency) {

    Map<String, Double> of(String genotype) {
        Map<String, Double> costs = new TreeMap<>();
        Cost cost;
        if (space.equals(DartsSpace.NAME)) {
            DartsGenotype g = DartsText.parse(genotype);
            var net = estimator.dartsNetworkShape().orElseThrow(() -> new IllegalArgumentException(
                    "estimator.kind = " + estimator.kind() + " builds no DARTS network to cost"));
            cost = DartsCostModel.of(g, net);
            latency.ifPresent(t -> costs.put(Metrics.LATENCY_PREDICTED, t.predict(DartsOps.of(g, net))));
        } else {
            Nb201Cell cell = Nb201Cell.parse(genotype);
            Nb201NetworkConfig net = estimator.nb201NetworkShape().orElseGet(Nb201NetworkConfig::benchmark);
            cost = Nb201CostModel.of(cell, net);
            latency.ifPresent(t -> costs.put(Metrics.LATENCY_PREDICTED, t.predict(Nb201Ops.of(cell, net))));
        }
        costs.put(Metrics.FLOPS, (double) cost.flops());
        costs.put(Metrics.PARAMS, (double) cost.params());
        return costs;
    }
}
