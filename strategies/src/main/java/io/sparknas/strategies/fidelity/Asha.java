package io.sparknas.strategies.fidelity;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Asynchronous successive halving, promotion type (Li et al., 2020, Algorithm 2; Syne Tune's {@code type="promotion"}):
 * a free slot promotes the best candidate that is in the top {@code 1/eta} of its rung and was not promoted yet,
 * looking from the highest rung down; with none, it starts a new candidate at the lowest rung. Paused candidates keep
 * their trained state, so a promotion continues their training. With several brackets (asynchronous Hyperband), new
 * candidates go to the brackets in turn and bracket b's lowest rung is rung b.
 *
 * <p>A candidate that reaches a rung outside the top {@code 1/eta} settles as paused at once; one inside waits for its
 * promotion and settles if later arrivals push it out before it comes.
 */
final class Asha extends RungBook {
    private final int brackets;
    private final Set<String> awaiting = new LinkedHashSet<>();
    private int startedNew;

    Asha(List<Integer> epochs, int eta, int brackets) {
        super(epochs, eta);
        this.brackets = brackets;
    }

    @Override
    public String name() {
        return "asha";
    }

    @Override
    public Optional<Decision> decide(boolean mayStartNew) {
        for (int b = 0; b < brackets; b++) {
            for (int rung = top() - 1; rung >= b; rung--) {
                List<String> p = promotable(b, rung, arrived(b, rung) / eta);
                if (!p.isEmpty()) {
                    awaiting.remove(p.get(0));
                    return Optional.of(promote(p.get(0), rung + 1));
                }
            }
        }
        if (mayStartNew) {
            int b = startedNew % brackets;
            return Optional.of(new Decision(null, b, b));
        }
        return Optional.empty();
    }

    @Override
    public void started(String id, Decision d) {
        super.started(id, d);
        startedNew++;
    }

    @Override
    protected void afterReport(String id, int bracket, int rung, double accuracy) {
        if (!isSettled(id)) {
            awaiting.add(id);
        }
        List<String> inTop = promotable(bracket, rung, arrived(bracket, rung) / eta);
        for (String waiting : new ArrayList<>(awaiting)) {
            if (!inTop.contains(waiting) && rungWaiting(waiting, bracket, rung)) {
                awaiting.remove(waiting);
                settle(waiting, rung, Outcome.PAUSED, accuracyAt(waiting, bracket, rung));
            }
        }
    }

    private boolean rungWaiting(String id, int bracket, int rung) {
        return ranked(bracket, rung).stream().anyMatch(e -> e.getKey().equals(id)) && !wasPromoted(id, bracket, rung);
    }

    private double accuracyAt(String id, int bracket, int rung) {
        return ranked(bracket, rung).stream().filter(e -> e.getKey().equals(id)).findFirst().orElseThrow().getValue();
    }

    @Override
    public boolean finished(boolean mayStartNew) {
        if (!running.isEmpty() || decidable(mayStartNew)) {
            return false;
        }
        awaiting.clear();
        settleTheRest();
        return true;
    }

    private boolean decidable(boolean mayStartNew) {
        if (mayStartNew) {
            return true;
        }
        for (int b = 0; b < brackets; b++) {
            for (int rung = top() - 1; rung >= b; rung--) {
                if (!promotable(b, rung, arrived(b, rung) / eta).isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }
}
