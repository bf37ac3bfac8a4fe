package io.sparknas.estimators.zerocost;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One network's zero-cost scores: each proxy's value, or why it has none (a non-finite value, an engine error: that
 * proxy's failure, not the candidate's), and the seconds each pass took.
 */
public record Scores(Map<String, Double> values, Map<String, String> errors, Map<String, Double> seconds)
        implements Serializable {

    public Scores {
        values = Collections.unmodifiableMap(new TreeMap<>(values));
        errors = Collections.unmodifiableMap(new TreeMap<>(errors));
        seconds = Collections.unmodifiableMap(new TreeMap<>(seconds));
    }

    /** The value of {@code proxy}, NaN if it failed or was not computed. */
    public double value(String proxy) {
        return values.getOrDefault(proxy, Double.NaN);
    }
}
