package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.pareto.Objectives;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the live sweep page draws, computed from a sweep's metadata and its committed rows and nothing else (so a
 * running, finished or copied sweep all show the same way): progress against the budget and the ETA at the rate so
 * far, best-so-far accuracy against evaluations and against time, every candidate's row, its per-epoch validation
 * curve, and the accuracy-cost Pareto fronts. A pure function of its inputs, so it is tested without a server.
 */
public final class SweepSnapshot {
    /** The costs a front is drawn against, where rows record them. */
    public static final List<String> COSTS = List.of(Metrics.FLOPS, Metrics.PARAMS, Metrics.LATENCY_MS_B1,
            Metrics.LATENCY_TIMED);
    private static final Pattern EPOCH_VAL = Pattern.compile("^epoch_(\\d+)_" + Metrics.VAL_ACCURACY + "$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SweepSnapshot() {
    }

    /** The best successful candidate (highest validation accuracy, then the smallest id), if any. */
    public static Optional<Evaluation> best(List<Evaluation> rows) {
        return rows.stream().filter(Evaluation::isOk).filter(e -> !Double.isNaN(e.accuracy()))
                .max(Comparator.comparingDouble(Evaluation::accuracy)
                        .thenComparing(e -> e.candidate().id(), Comparator.reverseOrder()));
    }

    /**
     * The page's JSON: {@code meta} is the sweep's {@code sweep.json}, {@code rows} its committed candidates, {@code
     * version} a token that changes whenever they do (the page redraws on a new one).
     */
    public static ObjectNode of(JsonNode meta, String root, List<Evaluation> rows, String version) {
        List<Evaluation> byEnd = rows.stream().sorted(Comparator.comparingLong(Evaluation::endMillis)
                .thenComparing(e -> e.candidate().id())).toList();
        ObjectNode out = JSON.createObjectNode();
        out.put("version", version);
        out.put("sweep", meta.path("sweep").asText());
        String kind = meta.path("kind").asText("search");
        out.put("kind", kind);
        out.put("root", root);
        out.put("strategy", meta.path("config").path("strategy").path("name").asText(""));
        out.put("configHash", meta.path("configHash").asText(""));
        int budget = kind.equals("search") ? Sweep.currentBudget(meta) : Integer.MIN_VALUE;
        if (budget > 0) {
            out.put("budget", budget);
        } else {
            out.putNull("budget");
        }
        out.put("evaluated", byEnd.size());
        Map<String, Integer> byStatus = new TreeMap<>();
        byEnd.forEach(e -> byStatus.merge(e.status().name(), 1, Integer::sum));
        out.set("byStatus", JSON.valueToTree(byStatus));
        progress(out, byEnd, budget);

        ArrayNode table = out.putArray("rows");
        ObjectNode curves = out.putObject("curves");
        for (Evaluation e : byEnd) {
            ObjectNode r = table.addObject();
            r.put("id", e.candidate().id());
            r.put("key", e.candidate().key());
            r.put("origin", e.candidate().origin());
            r.put("status", e.status().name());
            number(r, "accuracy", e.isFailed() ? null : e.accuracy());
            for (String m : List.of(Metrics.TEST_ACCURACY, Metrics.PARAMS, Metrics.FLOPS, Metrics.LATENCY_MS_B1,
                    Metrics.EPOCHS)) {
                number(r, m, e.metrics().get(m));
            }
            r.put("seconds", (e.endMillis() - e.startMillis()) / 1000.0);
            r.put("end", e.endMillis());
            if (e.error() != null && !e.error().isEmpty()) {
                r.put("error", e.error());
            }
            ArrayNode curve = curve(e);
            if (!curve.isEmpty()) {
                curves.set(e.candidate().id(), curve);
            }
        }
        bestSoFar(out, byEnd);
        ObjectNode fronts = out.putObject("fronts");
        for (String cost : COSTS) {
            Objectives objectives = new Objectives(List.of(Objectives.ACCURACY, cost));
            if (byEnd.stream().filter(e -> objectives.minimised(e) != null).count() >= 2) {
                ArrayNode ids = fronts.putArray(cost);
                objectives.front(byEnd).forEach(e -> ids.add(e.candidate().id()));
            }
        }
        best(byEnd).ifPresentOrElse(e -> out.put("winner", e.candidate().id()), () -> out.putNull("winner"));
        return out;
    }

    /** The validation accuracy per recorded epoch, as [[epoch, accuracy], ...] in epoch order. */
    static ArrayNode curve(Evaluation e) {
        TreeMap<Integer, Double> points = new TreeMap<>();
        e.metrics().forEach((k, v) -> {
            Matcher m = EPOCH_VAL.matcher(k);
            if (m.matches() && v != null && Double.isFinite(v)) {
                points.put(Integer.parseInt(m.group(1)), v);
            }
        });
        ArrayNode curve = JSON.createArrayNode();
        points.forEach((epoch, acc) -> curve.addArray().add(epoch).add(acc));
        return curve;
    }

    /** Elapsed time from the first start to the last commit, and the ETA at that rate for what the budget leaves. */
    private static void progress(ObjectNode out, List<Evaluation> byEnd, int budget) {
        if (byEnd.isEmpty()) {
            out.putNull("elapsedSeconds");
            out.putNull("etaSeconds");
            return;
        }
        long start = byEnd.stream().mapToLong(Evaluation::startMillis).min().orElseThrow();
        double elapsed = (byEnd.get(byEnd.size() - 1).endMillis() - start) / 1000.0;
        out.put("elapsedSeconds", elapsed);
        int left = budget - byEnd.size();
        if (budget > 0 && left >= 0) {
            out.put("etaSeconds", elapsed / byEnd.size() * left);
        } else {
            out.putNull("etaSeconds");
        }
    }

    /** Best-so-far validation accuracy after each committed row: per evaluation and per second since the start. */
    private static void bestSoFar(ObjectNode out, List<Evaluation> byEnd) {
        ArrayNode byEval = out.putArray("bestByEvaluation");
        ArrayNode byTime = out.putArray("bestByTime");
        long start = byEnd.stream().mapToLong(Evaluation::startMillis).min().orElse(0);
        double best = Double.NaN;
        int n = 0;
        for (Evaluation e : byEnd) {
            n++;
            if (e.isOk() && !Double.isNaN(e.accuracy()) && !(e.accuracy() <= best)) {
                best = e.accuracy();
            }
            if (!Double.isNaN(best)) {
                byEval.addArray().add(n).add(best);
                byTime.addArray().add((e.endMillis() - start) / 1000.0).add(best);
            }
        }
    }

    private static void number(ObjectNode r, String name, Double value) {
        if (value == null || !Double.isFinite(value)) {
            r.putNull(name);
        } else {
            r.put(name, value);
        }
    }
}
