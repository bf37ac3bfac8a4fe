package io.sparknas.strategies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;
import io.sparknas.space.pareto.Objectives;
import io.sparknas.space.pareto.Pareto;

import java.util.ArrayList;
import java.util.List;

/**
 * NSGA-II (Deb et al. 2002), as NSGA-Net searches architectures: a population of {@code populationSize}
 * architectures kept by non-dominated rank and then crowding distance over the {@link Objectives} (accuracy and
 * costs); each child's parents win binary tournaments (lower rank, then larger crowding distance), and the child is
 * their crossover with probability {@code crossoverProbability}, else a mutant of the first.
 *
 * <p>Steady state, as ask/tell allows: every evaluated child joins the population and the worst by rank and crowding
 * leaves (after a round, the same selection as a generation of the original over parents and children). The first
 * {@code populationSize} candidates are random; failed children and children without a cost never join; with
 * {@code deduplicate}, a child that repeats an architecture proposed before is re-drawn (up to 20 times).
 */
public final class Nsga2<G> extends AbstractStrategy<G> {
    public static final String NAME = "nsga2";

    /** A member: its id, genotype text, key and objective vector (minimised). */
    public record Member(String id, String genotype, String key, double[] objectives) {
    }

    private final int populationSize;
    private final double crossoverProbability;
    private final boolean deduplicate;
    private final Objectives objectives;
    private final List<Member> population = new ArrayList<>();
    private int initialProposed;
    private int[] rank;
    private double[] crowding;

    public Nsga2(SearchSpace<G> space, long seed, int populationSize, double crossoverProbability, boolean deduplicate,
                 Objectives objectives) {
        super(space, seed);
        if (populationSize < 2) {
            throw new IllegalArgumentException("populationSize must be >= 2, got " + populationSize);
        }
        if (!(crossoverProbability >= 0 && crossoverProbability <= 1)) {
            throw new IllegalArgumentException("crossoverProbability must be in [0, 1], got " + crossoverProbability);
        }
        this.populationSize = populationSize;
        this.crossoverProbability = crossoverProbability;
        this.deduplicate = deduplicate;
        this.objectives = objectives;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The current population (after the last selection). */
    public List<Member> population() {
        return List.copyOf(population);
    }

    @Override
    public List<Candidate> ask(int n) {
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (initialProposed < populationSize || population.size() < 2) {
                initialProposed++;
                out.add(proposeRandom());
            } else {
                out.add(child());
            }
        }
        return out;
    }

    private Candidate child() {
        rankPopulation();
        boolean cross = rng.nextDouble() < crossoverProbability;
        Member a = tournament();
        Member b = cross ? tournament() : null;
        return offspring(a.id(), a.genotype(), cross ? b.id() : null, cross ? b.genotype() : null, deduplicate);
    }

    /** Binary tournament: the lower rank, then the larger crowding distance, then the first drawn. */
    private Member tournament() {
        int i = rng.nextInt(population.size());
        int j = rng.nextInt(population.size());
        boolean iWins = rank[i] < rank[j] || (rank[i] == rank[j] && crowding[i] >= crowding[j]);
        return population.get(iWins ? i : j);
    }

    @Override
    protected void onResult(G genotype, Evaluation e) {
        double[] v = objectives.minimised(e);
        if (v == null) {
            return;
        }
        population.add(new Member(e.candidate().id(), e.candidate().genotype(), e.candidate().key(), v));
        if (population.size() > populationSize) {
            select();
        }
        rank = null;
    }

    /** Keeps {@code populationSize} members: whole fronts in rank order, the last one cut by crowding distance. */
    private void select() {
        double[][] points = points();
        List<Member> kept = new ArrayList<>();
        for (List<Integer> front : Pareto.sort(points)) {
            if (kept.size() + front.size() <= populationSize) {
                front.forEach(i -> kept.add(population.get(i)));
                continue;
            }
            double[] d = Pareto.crowding(points, front);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < front.size(); i++) {
                order.add(i);
            }
            order.sort((x, y) -> Double.compare(d[y], d[x]) != 0 ? Double.compare(d[y], d[x])
                    : population.get(front.get(x)).id().compareTo(population.get(front.get(y)).id()));
            for (int i = 0; kept.size() < populationSize; i++) {
                kept.add(population.get(front.get(order.get(i))));
            }
            break;
        }
        population.clear();
        population.addAll(kept);
    }

    private void rankPopulation() {
        if (rank != null) {
            return;
        }
        double[][] points = points();
        rank = new int[population.size()];
        crowding = new double[population.size()];
        List<List<Integer>> fronts = Pareto.sort(points);
        for (int r = 0; r < fronts.size(); r++) {
            double[] d = Pareto.crowding(points, fronts.get(r));
            for (int i = 0; i < fronts.get(r).size(); i++) {
                rank[fronts.get(r).get(i)] = r;
                crowding[fronts.get(r).get(i)] = d[i];
            }
        }
    }

    private double[][] points() {
        double[][] p = new double[population.size()][];
        for (int i = 0; i < p.length; i++) {
            p[i] = population.get(i).objectives();
        }
        return p;
    }

    @Override
    protected void saveState(ObjectNode state) {
        state.put("initialProposed", initialProposed);
        state.set("objectives", JSON.valueToTree(objectives.names()));
        ArrayNode pop = state.putArray("population");
        population.forEach(m -> pop.add(JSON.valueToTree(m)));
    }

    @Override
    protected void loadState(JsonNode state) {
        initialProposed = state.get("initialProposed").asInt();
        population.clear();
        state.get("population").forEach(m -> population.add(JSON.convertValue(m, Member.class)));
        rank = null;
    }
}
