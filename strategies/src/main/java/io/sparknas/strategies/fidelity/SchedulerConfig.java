package io.sparknas.strategies.fidelity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code search.scheduler}: which multi-fidelity scheduler decides how long each candidate trains. Rungs are at
 * {@code minEpochs}, {@code minEpochs·eta}, ... up to {@code maxEpochs}, which must be one of them; at every rung the
 * top {@code 1/eta} go on. {@code brackets} is Hyperband's number of brackets (bracket b starts its candidates at
 * rung b); ASHA with more than one bracket is asynchronous Hyperband (new candidates go to the brackets in turn).
 *
 * @param kind {@code none} (every candidate trains the estimator's full epochs), {@code sh}, {@code hyperband},
 *             {@code asha}
 */
public record SchedulerConfig(String kind, int minEpochs, int maxEpochs, int eta, int brackets) implements Serializable {
    public static final List<String> KINDS = List.of("none", "sh", "hyperband", "asha");

    public SchedulerConfig {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("search.scheduler.kind must be one of " + KINDS + ", got '" + kind + "'");
        }
        if (!isNone(kind)) {
            if (eta < 2) {
                throw new IllegalArgumentException("search.scheduler.eta must be >= 2 (keep the top 1/eta at each "
                        + "rung), got " + eta);
            }
            if (minEpochs < 1 || minEpochs > maxEpochs) {
                throw new IllegalArgumentException("search.scheduler needs 1 <= minEpochs <= maxEpochs, got minEpochs="
                        + minEpochs + ", maxEpochs=" + maxEpochs);
            }
            long top = minEpochs;
            while (top < maxEpochs) {
                top *= eta;
            }
            if (top != maxEpochs) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "search.scheduler: the rungs %s "
                        + "(minEpochs %d times eta=%d) do not reach maxEpochs=%d; set maxEpochs to one of them or "
                        + "minEpochs to maxEpochs/eta^k", ladder(minEpochs, eta, maxEpochs), minEpochs, eta,
                        maxEpochs));
            }
            int rungs = ladder(minEpochs, eta, maxEpochs).size();
            if (brackets < 1 || brackets > rungs) {
                throw new IllegalArgumentException("search.scheduler.brackets must be in [1, " + rungs + "] (one per "
                        + "rung " + ladder(minEpochs, eta, maxEpochs) + " at most), got " + brackets);
            }
            if (kind.equals("sh") && brackets != 1) {
                throw new IllegalArgumentException("search.scheduler.kind = sh runs one bracket; for " + brackets
                        + " brackets use hyperband (synchronous) or asha (asynchronous)");
            }
        }
    }

    /** No scheduler: every candidate trains in full. */
    public static SchedulerConfig none() {
        return new SchedulerConfig("none", 1, 1, 3, 1);
    }

    public boolean enabled() {
        return !isNone(kind);
    }

    private static boolean isNone(String kind) {
        return "none".equals(kind);
    }

    /** The epochs of every rung, lowest first. */
    public List<Integer> rungs() {
        return ladder(minEpochs, eta, maxEpochs);
    }

    private static List<Integer> ladder(int min, int eta, int max) {
        List<Integer> out = new ArrayList<>();
        for (long e = min; e <= max; e *= eta) {
            out.add((int) e);
        }
        return out;
    }

    /** The scheduler for a budget of {@code budget} candidates. */
    public FidelityScheduler create(int budget) {
        return switch (kind) {
            case "asha" -> new Asha(rungs(), eta, brackets);
            case "sh" -> SuccessiveHalving.oneBracket(rungs(), eta, budget);
            case "hyperband" -> SuccessiveHalving.hyperband(rungs(), eta, brackets, budget);
            default -> throw new IllegalStateException("search.scheduler.kind = none schedules nothing");
        };
    }
}
