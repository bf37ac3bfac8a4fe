package io.sparknas.strategies.fidelity;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.strategies.Strategy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A strategy under a multi-fidelity scheduler, as one loop the pipeline and the simulator both drive: {@link #next}
 * gives the job for a free slot (a promotion, or a new candidate the strategy is asked for while the budget lasts),
 * {@link #report} takes its result, and each candidate that settles is told to the strategy once, with the highest
 * fidelity it reached: OK when it completed the top rung, PRUNED (its accuracy at its rung, its curve) when it was
 * paused, FAILED when its job failed. Deterministic: the same results in the same order give the same jobs.
 */
public final class FidelityLoop {
    /**
     * Train {@code candidate} from {@code fromEpochs} (0: a new candidate; else the rung below, where it paused) up to
     * {@code epochs}, rung {@code rung} of bracket {@code bracket}.
     */
    public record Job(Candidate candidate, int rung, int epochs, int bracket, int fromEpochs) {
        public boolean isNew() {
            return fromEpochs == 0;
        }
    }

    private final Strategy strategy;
    private final FidelityScheduler scheduler;
    private int budget;
    private int asked;
    private final Map<String, Candidate> candidates = new HashMap<>();
    private final Map<String, Evaluation> latest = new LinkedHashMap<>();
    private final Map<String, Integer> reached = new HashMap<>();
    private boolean finished;

    private final java.util.function.UnaryOperator<Evaluation> signal;

    public FidelityLoop(Strategy strategy, FidelityScheduler scheduler, int budget) {
        this(strategy, scheduler, budget, java.util.function.UnaryOperator.identity());
    }

    /** @param signal what the strategy is told of a settled candidate (a penalised reward); identity by default */
    public FidelityLoop(Strategy strategy, FidelityScheduler scheduler, int budget,
                        java.util.function.UnaryOperator<Evaluation> signal) {
        this.strategy = strategy;
        this.scheduler = scheduler;
        this.budget = budget;
        this.signal = signal;
    }

    /** The job for a free slot now; empty when none can start until a result arrives (or the loop is finished). */
    public Optional<Job> next() {
        while (true) {
            Optional<FidelityScheduler.Decision> d = scheduler.decide(asked < budget);
            if (d.isEmpty()) {
                return Optional.empty();
            }
            FidelityScheduler.Decision decision = d.get();
            if (!decision.isNew()) {
                return Optional.of(new Job(candidates.get(decision.id()), decision.rung(),
                        scheduler.rungs().get(decision.rung()), decision.bracket(),
                        scheduler.rungs().get(decision.rung() - 1)));
            }
            List<Candidate> fresh = strategy.ask(1);
            if (fresh.isEmpty()) {
                budget = asked; // the space is exhausted: no more new candidates
                continue;
            }
            Candidate c = fresh.get(0);
            asked++;
            candidates.put(c.id(), c);
            scheduler.started(c.id(), decision);
            return Optional.of(new Job(c, decision.rung(), scheduler.rungs().get(decision.rung()), decision.bracket(),
                    0));
        }
    }

    /** The result of {@code job}; returns what the strategy was told because of it (settled candidates). */
    public List<Evaluation> report(Job job, Evaluation result) {
        latest.put(job.candidate().id(), result);
        reached.put(job.candidate().id(), job.rung());
        scheduler.reported(job.candidate().id(), job.rung(), result.isOk() ? result.accuracy() : Double.NaN);
        return tellSettled();
    }

    /**
     * Whether the loop is done: nothing runs and nothing can start. The first time it is, the candidates still
     * paused settle (and are told); their evaluations are returned by {@link #report}'s sibling {@link #drain}.
     */
    public boolean finished() {
        if (!finished && scheduler.finished(asked < budget)) {
            finished = true;
            pendingAtEnd.addAll(tellSettled());
        }
        return finished;
    }

    private final List<Evaluation> pendingAtEnd = new ArrayList<>();

    /** What the end of the loop told (the candidates left paused), once. */
    public List<Evaluation> drain() {
        List<Evaluation> out = List.copyOf(pendingAtEnd);
        pendingAtEnd.clear();
        return out;
    }

    private List<Evaluation> tellSettled() {
        List<Evaluation> told = new ArrayList<>();
        for (FidelityScheduler.Settled s : scheduler.settled()) {
            told.add(settledAs(s));
        }
        if (!told.isEmpty()) {
            strategy.tell(told.stream().map(signal).toList());
        }
        return told;
    }

    /** A settled candidate as the strategy hears it (see the class comment). */
    private Evaluation settledAs(FidelityScheduler.Settled s) {
        Evaluation e = latest.get(s.id());
        if (s.outcome() != FidelityScheduler.Outcome.PAUSED || !e.isOk()) {
            return e;
        }
        return Evaluation.pruned(e.candidate(), e.accuracy(), e.metrics(), e.device(), pausedReason(s),
                e.startMillis(), e.endMillis());
    }

    /** Why a candidate ended paused, as its row's {@code error} says. */
    public String pausedReason(FidelityScheduler.Settled s) {
        return String.format(Locale.ROOT, "paused by %s at rung %d (%d of %d epochs): not in the top 1/%d",
                scheduler.name(), s.rung(), s.epochs(), scheduler.rungs().get(scheduler.rungs().size() - 1),
                eta());
    }

    private int eta() {
        List<Integer> r = scheduler.rungs();
        return r.size() > 1 ? r.get(1) / r.get(0) : 1;
    }

    /**
     * Each candidate's highest-fidelity result: OK for those that completed the top rung, PRUNED (with the reason)
     * for those left paused, FAILED for failures; in the order they were first reported.
     */
    public List<Evaluation> outcomes() {
        int top = scheduler.rungs().size() - 1;
        List<Evaluation> out = new ArrayList<>();
        for (Evaluation e : latest.values()) {
            int rung = reached.get(e.candidate().id());
            if (!e.isOk() || rung == top) {
                out.add(e);
            } else {
                out.add(Evaluation.pruned(e.candidate(), e.accuracy(), e.metrics(), e.device(), pausedReason(
                        new FidelityScheduler.Settled(e.candidate().id(), rung, scheduler.rungs().get(rung),
                                FidelityScheduler.Outcome.PAUSED, e.accuracy())), e.startMillis(), e.endMillis()));
            }
        }
        return out;
    }

    public int asked() {
        return asked;
    }

    public FidelityScheduler scheduler() {
        return scheduler;
    }
}
