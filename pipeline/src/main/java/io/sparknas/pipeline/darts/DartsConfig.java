package io.sparknas.pipeline.darts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.oneshot.darts.DartsSearchConfig;
import io.sparknas.oneshot.darts.LatencyObjective;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.Sweep;

import java.io.Serializable;
import java.util.List;

/**
 * @param searches       independent searches (Spark tasks) per latency weight, seeds {@code search.seed() + i}
 * @param estimator      the proxy estimator that trains each derived genotype (its data also feeds the search:
 *                       w and alpha on the two halves of the training split, per class)
 * @param latencyWeights latency-aware DARTS: one set of searches per weight lambda, each minimising
 *                       cross-entropy + lambda * E[latency] / E0 ({@link LatencyObjective}); empty = plain DARTS
 * @param latencyTable   the profile job's {@code latency_table.csv} of space darts for the network the estimator
 *                       trains (a Hadoop path); required with latency weights
 */
public record DartsConfig(String name, String output, DartsSearchConfig search, int searches,
                     EstimatorSpec estimator, List<Double> latencyWeights, String latencyTable)
        implements Sweep.Evaluated, Serializable {
    public DartsConfig {
        Json.checkName(name);
        if (searches < 1) {
            throw new IllegalArgumentException("darts.searches must be >= 1, got " + searches);
        }
        latencyWeights = latencyWeights == null ? List.of() : List.copyOf(latencyWeights);
        latencyTable = latencyTable == null ? "" : latencyTable;
        for (double w : latencyWeights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("darts.latencyWeights must be finite and >= 0 (0 = plain "
                        + "DARTS), got " + w);
            }
        }
        if (latencyWeights.size() != latencyWeights.stream().distinct().count()) {
            throw new IllegalArgumentException("darts.latencyWeights repeats a value: " + latencyWeights);
        }
        if (!latencyWeights.isEmpty() && latencyTable.isBlank()) {
            throw new IllegalArgumentException("darts.latencyWeights needs darts.latencyTable, a latency table of "
                    + "this device for the network estimator.proxy trains; make one with: ./sparknas profile "
                    + "--conf conf/profile-darts.conf");
        }
        ProxySpec.required(estimator, "darts");
    }

    @Override
    public String kind() {
        return "darts";
    }

    /** Without a latency objective: plain DARTS. */
    public DartsConfig(String name, String output, DartsSearchConfig search, int searches, EstimatorSpec estimator) {
        this(name, output, search, searches, estimator, List.of(), "");
    }

    boolean latencyAware() {
        return !latencyWeights.isEmpty();
    }

    /**
     * The proxy estimator's settings: its data's training images, halved, are what the searches learn from (w on
     * one half, alpha on the other); its validation split scores the derived genotypes, unseen by the searches.
     */
    ProxySpec proxy() {
        return ProxySpec.required(estimator, kind());
    }

    @Override
    public String semantics() {
        ObjectNode n = Json.semanticsOf(kind());
        n.set("search", Json.MAPPER.valueToTree(search));
        n.put("searches", searches);
        n.set("estimator", Json.MAPPER.valueToTree(estimator));
        if (latencyAware()) { // absent otherwise: plain DARTS sweeps keep their hash
            n.set("latencyWeights", Json.MAPPER.valueToTree(latencyWeights));
            n.put("latencyTable", latencyTable);
        }
        return Json.canonical(n);
    }
}
