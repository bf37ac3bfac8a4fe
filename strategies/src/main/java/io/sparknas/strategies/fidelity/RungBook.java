package io.sparknas.strategies.fidelity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state every scheduler keeps: each bracket's rungs with the results that arrived there (in arrival order), who
 * was promoted from each, what runs, and who settled. The schedulers differ only in when they promote.
 */
abstract class RungBook implements FidelityScheduler {
    protected final List<Integer> epochs;
    protected final int eta;
    private final Map<String, Integer> bracketOf = new HashMap<>();
    private final Map<String, Integer> rungOf = new HashMap<>();
    private final Map<Integer, Map<Integer, LinkedHashMap<String, Double>>> results = new HashMap<>();
    private final Map<Integer, Map<Integer, Set<String>>> promoted = new HashMap<>();
    protected final Set<String> running = new HashSet<>();
    private final Set<String> settledIds = new HashSet<>();
    private final List<Settled> settled = new ArrayList<>();

    RungBook(List<Integer> epochs, int eta) {
        this.epochs = List.copyOf(epochs);
        this.eta = eta;
    }

    @Override
    public List<Integer> rungs() {
        return epochs;
    }

    protected int top() {
        return epochs.size() - 1;
    }

    @Override
    public void started(String id, Decision d) {
        if (!d.isNew()) {
            throw new IllegalArgumentException("started() is for a new candidate; " + d.id() + " was promoted");
        }
        if (bracketOf.putIfAbsent(id, d.bracket()) != null) {
            throw new IllegalArgumentException("candidate " + id + " was started before");
        }
        rungOf.put(id, d.rung());
        running.add(id);
    }

    /** Marks a promotion as running (the decision is the scheduler's own). */
    protected Decision promote(String id, int rung) {
        int b = bracketOf.get(id);
        promoted.computeIfAbsent(b, k -> new HashMap<>()).computeIfAbsent(rung - 1, k -> new HashSet<>()).add(id);
        rungOf.put(id, rung);
        running.add(id);
        return new Decision(id, b, rung);
    }

    @Override
    public void reported(String id, int rung, double accuracy) {
        Integer expected = rungOf.get(id);
        if (expected == null || expected != rung || !running.remove(id)) {
            throw new IllegalArgumentException("candidate " + id + " was not training to rung " + rung);
        }
        int b = bracketOf.get(id);
        results.computeIfAbsent(b, k -> new HashMap<>()).computeIfAbsent(rung, k -> new LinkedHashMap<>())
                .put(id, accuracy);
        if (Double.isNaN(accuracy)) {
            settle(id, rung, Outcome.FAILED, accuracy);
        } else if (rung == top()) {
            settle(id, rung, Outcome.COMPLETE, accuracy);
        }
        afterReport(id, b, rung, accuracy);
    }

    /** Called after each report (failed and top-rung ones included): the scheduler's chance to settle candidates. */
    protected abstract void afterReport(String id, int bracket, int rung, double accuracy);

    protected void settle(String id, int rung, Outcome outcome, double accuracy) {
        if (settledIds.add(id)) {
            settled.add(new Settled(id, rung, epochs.get(rung), outcome, accuracy));
        }
    }

    protected boolean isSettled(String id) {
        return settledIds.contains(id);
    }

    @Override
    public List<Settled> settled() {
        List<Settled> out = List.copyOf(settled);
        settled.clear();
        return out;
    }

    /** Results at a bracket's rung, best first (failures left out; ties by id). */
    protected List<Map.Entry<String, Double>> ranked(int bracket, int rung) {
        List<Map.Entry<String, Double>> r = new ArrayList<>(results.getOrDefault(bracket, Map.of())
                .getOrDefault(rung, new LinkedHashMap<>()).entrySet().stream().filter(e -> !e.getValue().isNaN())
                .toList());
        r.sort(Comparator.<Map.Entry<String, Double>>comparingDouble(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        return r;
    }

    /** How many results (failures included) arrived at a bracket's rung. */
    protected int arrived(int bracket, int rung) {
        return results.getOrDefault(bracket, Map.of()).getOrDefault(rung, new LinkedHashMap<>()).size();
    }

    protected boolean wasPromoted(String id, int bracket, int rung) {
        return promoted.getOrDefault(bracket, Map.of()).getOrDefault(rung, Set.of()).contains(id);
    }

    /** The candidates at a rung of a bracket that are among its top {@code k} and were not promoted, best first. */
    protected List<String> promotable(int bracket, int rung, int k) {
        List<String> out = new ArrayList<>();
        List<Map.Entry<String, Double>> r = ranked(bracket, rung);
        for (int i = 0; i < Math.min(k, r.size()); i++) {
            if (!wasPromoted(r.get(i).getKey(), bracket, rung)) {
                out.add(r.get(i).getKey());
            }
        }
        return out;
    }

    /** Settles every reported candidate that has not settled (paused at the rung it reached). */
    protected void settleTheRest() {
        for (var byBracket : results.values()) {
            for (var rung : byBracket.entrySet()) {
                for (var e : rung.getValue().entrySet()) {
                    String id = e.getKey();
                    if (!isSettled(id) && !running.contains(id) && rungOf.get(id) == rung.getKey()) {
                        settle(id, rung.getKey(), Outcome.PAUSED, e.getValue());
                    }
                }
            }
        }
    }
}
