package io.sparknas.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.strategies.StrategyConfig;

import java.io.Serializable;

/**
 * Everything a search sweep needs. The {@link #hash()} covers what determines its results (space, strategy,
 * evaluations, round size, estimator); a resumed sweep must have the same hash.
 *
 * @param name       sweep id recorded in every row
 * @param output     result store path (local or a Hadoop URI)
 * @param budget     total evaluations ({@code search.budget})
 * @param roundSize  candidates per round (one Spark job each)
 * @param partitions Spark partitions per round (0 = one per candidate, the best spread)
 */
public record SweepConfig(String name, String output, SpaceConfig space, StrategyConfig strategy,
                          EstimatorSpec estimator, int budget, int roundSize, int partitions)
        implements Sweep.Definition, Serializable {
    static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public SweepConfig {
        checkName(name);
        if (output == null || output.isBlank()) {
            throw new IllegalArgumentException("sweep.output must name a directory or Hadoop URI for the results");
        }
        if (budget < 1) {
            throw new IllegalArgumentException("search.budget must be >= 1, got " + budget);
        }
        if (roundSize < 1 || roundSize > budget) {
            throw new IllegalArgumentException("search.roundSize must be in [1, budget=" + budget + "], got " + roundSize);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("search.partitions must be >= 0 (0 = one per candidate), got " + partitions);
        }
        // everything the sweep will build, checked before anything is written (sweep.json fixes the hash)
        try {
            space.create();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("space.") ? e.getMessage()
                    : "space: " + e.getMessage(), e);
        }
    }

    /** A sweep name is recorded in every row and names files: letters, digits, '.', '_', '-'. */
    static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("sweep.name must be letters, digits, '.', '_' or '-', got '" + name + "'");
        }
    }

    /** Canonical JSON (keys sorted) of a tree, so that equal configurations hash equally. */
    static String canonical(ObjectNode n) {
        try {
            return JSON.writeValueAsString(JSON.treeToValue(n, Object.class));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public int rounds() {
        return (budget + roundSize - 1) / roundSize;
    }

    /** Candidates in round {@code r} (the last round may be smaller). */
    public int roundSize(int r) {
        return Math.min(roundSize, budget - r * roundSize);
    }

    /** The part of the configuration that determines results, as canonical JSON. */
    @Override
    public String semantics() {
        ObjectNode n = JSON.createObjectNode();
        n.set("space", JSON.valueToTree(space));
        ObjectNode s = JSON.valueToTree(strategy);
        if (!strategy.name().equals(io.sparknas.strategies.Nsga2.NAME)) {
            s.remove("objectives"); // read by nsga2 only: sweeps of the other strategies keep their hash
        }
        n.set("strategy", s);
        n.set("estimator", JSON.valueToTree(estimator));
        n.put("budget", budget);
        n.put("roundSize", roundSize);
        return canonical(n);
    }

    @Override
    public String kind() {
        return "search";
    }
}
