package io.sparknas.strategies.fidelity;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Synchronous successive halving (Jamieson &amp; Talwalkar; Li et al.'s Hyperband brackets): a bracket starts its
 * {@code n} candidates at its lowest rung, waits until all of them report, promotes the top {@code max(1, n/eta)}
 * to the next rung, and so on to the top rung. Slots idle while a rung waits for its last candidate: the cost ASHA
 * removes. Hyperband runs several brackets one after another, bracket b starting at rung b with Li et al.'s counts
 * scaled to the budget.
 */
final class SuccessiveHalving extends RungBook {
    private final String name;
    private final ArrayDeque<int[]> brackets; // {bracket, candidates}
    private int bracket = -1;
    private int size;
    private int startedHere;
    private int rung;
    private int promotedInto;
    private final ArrayDeque<String> toPromote = new ArrayDeque<>();

    private SuccessiveHalving(String name, List<Integer> epochs, int eta, List<int[]> brackets) {
        super(epochs, eta);
        this.name = name;
        this.brackets = new ArrayDeque<>(brackets);
        next();
    }

    static SuccessiveHalving oneBracket(List<Integer> epochs, int eta, int budget) {
        return new SuccessiveHalving("sh", epochs, eta, List.<int[]>of(new int[] {0, budget}));
    }

    /**
     * Hyperband's brackets 0 .. {@code count-1}: bracket b has {@code s = rungs-1-b} halvings and Li et al.'s
     * {@code ceil((smax+1)/(s+1) * eta^s)} candidates, scaled so that all brackets together start {@code budget}
     * (at least one each).
     */
    static SuccessiveHalving hyperband(List<Integer> epochs, int eta, int count, int budget) {
        int smax = epochs.size() - 1;
        double[] n = new double[count];
        double total = 0;
        for (int b = 0; b < count; b++) {
            int s = smax - b;
            n[b] = Math.ceil((smax + 1.0) / (s + 1) * Math.pow(eta, s));
            total += n[b];
        }
        List<int[]> out = new ArrayList<>();
        int given = 0;
        for (int b = 0; b < count; b++) {
            int k = b == count - 1 ? Math.max(1, budget - given) : Math.max(1, (int) Math.round(budget * n[b] / total));
            out.add(new int[] {b, k});
            given += k;
        }
        return new SuccessiveHalving("hyperband", epochs, eta, out);
    }

    @Override
    public String name() {
        return name;
    }

    private boolean next() {
        int[] b = brackets.poll();
        if (b == null) {
            return false;
        }
        bracket = b[0];
        size = b[1];
        startedHere = 0;
        rung = bracket;
        return true;
    }

    @Override
    public Optional<Decision> decide(boolean mayStartNew) {
        if (rung == bracket && startedHere < size) {
            return mayStartNew ? Optional.of(new Decision(null, bracket, rung)) : Optional.empty();
        }
        if (!toPromote.isEmpty()) {
            return Optional.of(promote(toPromote.poll(), rung));
        }
        return Optional.empty();
    }

    @Override
    public void started(String id, Decision d) {
        super.started(id, d);
        startedHere++;
    }

    @Override
    protected void afterReport(String id, int b, int r, double accuracy) {
        int expected = rung == bracket ? startedHere : promotedInto;
        if (!running.isEmpty() || !toPromote.isEmpty() || arrived(b, r) < expected
                || (rung == bracket && startedHere < size)) {
            return;
        }
        // the rung is complete: its top 1/eta go on, the rest settle where they are
        if (rung < top()) {
            List<String> up = promotable(b, rung, Math.max(1, arrived(b, rung) / eta));
            for (var e : ranked(b, rung)) {
                if (!up.contains(e.getKey())) {
                    settle(e.getKey(), rung, Outcome.PAUSED, e.getValue());
                }
            }
            rung++;
            promotedInto = up.size();
            toPromote.addAll(up);
            if (!up.isEmpty()) {
                return;
            }
        }
        if (next()) {
            promotedInto = 0;
        }
    }

    @Override
    public boolean finished(boolean mayStartNew) {
        boolean waitingForNew = rung == bracket && startedHere < size && mayStartNew;
        if (!running.isEmpty() || !toPromote.isEmpty() || waitingForNew) {
            return false;
        }
        settleTheRest();
        return true;
    }
}
