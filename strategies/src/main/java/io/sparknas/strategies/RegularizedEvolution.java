package io.sparknas.strategies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Regularized (aging) evolution, Real et al. 2019: a population of the {@code populationSize} most recently
 * evaluated architectures; each child comes from the best of {@code tournamentSize} members sampled at random,
 * by mutation, or with probability {@code crossoverProbability} by crossover of the winners of two tournaments;
 * every evaluated child joins the population and the oldest member leaves.
 *
 * <p>Deviations: asks are batched (n children from the current population, so one Spark round keeps every
 * executor busy), which makes it the asynchronous variant the paper also runs; the first
 * {@code populationSize} candidates are random (never repeating one another); failed children do not join the
 * population. With {@code deduplicate}, a child that repeats an architecture proposed before is re-drawn (up to 20
 * times): the paper (and NATS-Bench's reference code) evaluate duplicates, which on a benchmark budget counted in
 * evaluations wastes some; see docs/benchmarks.md for both variants.
 */
public final class RegularizedEvolution<G> extends AbstractStrategy<G> {
    public static final String NAME = "evolution";

    private final int populationSize;
    private final int tournamentSize;
    private final double crossoverProbability;
    private final boolean deduplicate;
    private final Deque<Individual> population = new ArrayDeque<>();
    private int initialProposed;

    public RegularizedEvolution(SearchSpace<G> space, long seed, int populationSize, int tournamentSize,
                                double crossoverProbability, boolean deduplicate) {
        super(space, seed);
        if (populationSize < 2) {
            throw new IllegalArgumentException("populationSize must be >= 2, got " + populationSize);
        }
        if (tournamentSize < 1 || tournamentSize > populationSize) {
            throw new IllegalArgumentException("tournamentSize must be in [1, populationSize=" + populationSize
                    + "], got " + tournamentSize);
        }
        if (!(crossoverProbability >= 0 && crossoverProbability <= 1)) {
            throw new IllegalArgumentException("crossoverProbability must be in [0, 1], got " + crossoverProbability);
        }
        this.populationSize = populationSize;
        this.tournamentSize = tournamentSize;
        this.crossoverProbability = crossoverProbability;
        this.deduplicate = deduplicate;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Candidate> ask(int n) {
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (initialProposed < populationSize || population.isEmpty()) {
                initialProposed++;
                out.add(proposeRandom());
            } else {
                out.add(child());
            }
        }
        return out;
    }

    private Candidate child() {
        boolean cross = population.size() >= 2 && rng.nextDouble() < crossoverProbability;
        Individual a = tournament();
        Individual b = cross ? tournament() : null;
        return offspring(a.id(), a.genotype(), cross ? b.id() : null, cross ? b.genotype() : null, deduplicate);
    }

    /** The best of {@code tournamentSize} members drawn without replacement. */
    private Individual tournament() {
        List<Individual> members = new ArrayList<>(population);
        Individual best = null;
        int k = Math.min(tournamentSize, members.size());
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(members.size() - i);
            Individual pick = members.get(j);
            members.set(j, members.get(i));
            members.set(i, pick);
            if (best == null || pick.accuracy() > best.accuracy()) {
                best = pick;
            }
        }
        return best;
    }

    @Override
    protected void onResult(G genotype, Evaluation e) {
        if (!e.hasSignal()) {
            return;
        }
        population.addLast(new Individual(e.candidate().id(), e.candidate().genotype(), e.candidate().key(),
                e.accuracy()));
        while (population.size() > populationSize) {
            population.removeFirst();
        }
    }

    @Override
    protected void saveState(ObjectNode state) {
        state.put("initialProposed", initialProposed);
        ArrayNode pop = state.putArray("population");
        population.forEach(i -> pop.add(JSON.valueToTree(i)));
    }

    @Override
    protected void loadState(JsonNode state) {
        initialProposed = state.get("initialProposed").asInt();
        population.clear();
        state.get("population").forEach(i -> population.addLast(JSON.convertValue(i, Individual.class)));
    }
}
