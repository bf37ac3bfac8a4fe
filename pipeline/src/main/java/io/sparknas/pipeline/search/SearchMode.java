package io.sparknas.pipeline.search;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a search spends its budget: {@code rounds} (ask a round, evaluate it, commit it, tell it: bit-reproducible),
 * {@code async} (keep {@code inFlight} candidates running, commit and tell each as it finishes), or {@code auto}
 * (async for estimators that train, rounds for look-ups and scores). Written lower-case, as configured.
 */
public enum SearchMode {
    ROUNDS, ASYNC, AUTO;

    @JsonValue
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode a configuration names ({@code null} or blank: auto); anything else is refused in one line. */
    public static SearchMode parse(String text) {
        if (text == null || text.isBlank()) {
            return AUTO;
        }
        return Arrays.stream(values()).filter(m -> m.text().equals(text)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("search.mode must be 'rounds', 'async' or 'auto', got '" + text + "'"));
    }
}
