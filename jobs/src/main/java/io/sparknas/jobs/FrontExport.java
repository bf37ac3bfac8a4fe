package io.sparknas.jobs;

import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.pareto.Objectives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Exports every member of a sweep's Pareto fronts beside the winner: for each cost its candidates record
 * ({@code flops}, {@code latency_ms_b1}, a latency-aware DARTS sweep's {@code latency_ms_timed}), {@code front-<cost>/front.csv} (the members, cheapest first: id, accuracy,
 * cost, latency weight) and a folder per member with its genotype and cell drawings, as the winner's export writes
 * them (no retraining). Only candidates of spaces that draw (DARTS and NAS-Bench-201 cells, scaled or not).
 */
final class FrontExport {
    static final List<String> COSTS = List.of(Metrics.FLOPS, Metrics.LATENCY_MS_B1, Metrics.LATENCY_TIMED);

    private FrontExport() {
    }

    /** Writes the fronts of {@code all} under {@code dir}, to be uploaded to {@code target}; a line per front. */
    static List<String> export(List<Evaluation> all, Path dir, String target, String sweepId, String configHash)
            throws IOException {
        List<Evaluation> drawable = all.stream().filter(e -> WinnerExport.drawable(e.candidate().space())).toList();
        List<String> lines = new ArrayList<>();
        for (String cost : COSTS) {
            Objectives objectives = new Objectives(List.of(Objectives.ACCURACY, cost));
            if (drawable.stream().filter(e -> objectives.minimised(e) != null).count() < 2) {
                continue;
            }
            List<Evaluation> front = objectives.front(drawable);
            Path frontDir = dir.resolve("front-" + cost);
            StringBuilder csv = new StringBuilder("candidate_id,accuracy," + cost + ",latency_weight\n");
            for (Evaluation e : front) {
                WinnerExport.describeTo(e, frontDir.resolve(e.candidate().id()), sweepId, configHash);
                Double lambda = e.metrics().get(Metrics.LATENCY_WEIGHT);
                csv.append(String.format(Locale.ROOT, "%s,%.6f,%s,%s%n", e.candidate().id(), e.accuracy(),
                        e.metrics().get(cost), lambda == null ? "" : lambda));
            }
            Files.writeString(frontDir.resolve("front.csv"), csv.toString());
            lines.add(String.format(Locale.ROOT, "exported the accuracy-%s front (%d of %d candidates) to %s", cost,
                    front.size(), drawable.size(), target + "/front-" + cost));
        }
        return lines;
    }
}
