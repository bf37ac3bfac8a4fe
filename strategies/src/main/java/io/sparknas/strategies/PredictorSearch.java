package io.sparknas.strategies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Predictor-guided search in the spirit of BANANAS (White et al. 2021) and local search: after
 * {@code initialSamples} random architectures, fit a surrogate to everything evaluated (on the space's encoding),
 * score a pool made of every neighbour of the best evaluated architectures plus random draws, and propose the pool
 * members the acquisition ranks first. Two surrogates: {@code predictor} fits a Gaussian process (its length scale
 * and noise by marginal likelihood) on every ask and ranks by the upper confidence bound (mean + 0.5 std);
 * {@code bananas} fits BANANAS' ensemble of perceptrons ({@link MlpEnsemble}) every 10 evaluations, as BANANAS
 * queries 10 architectures an iteration, and ranks by independent Thompson sampling (a draw from each candidate's
 * mean and spread). A surrogate is a function of the told results and the seed (the ensemble is refitted on the
 * history's first multiple of 10), so snapshot/restore only needs the history. Given {@link #cheapScores}
 * (zero-cost proxies, size), the process takes them as a second block of inputs with its own length scale, so the
 * likelihood weighs them against the encoding, and the ensemble takes them concatenated to the encoding; a cell
 * without scores counts as the median (0.5) of every score.
 */
public final class PredictorSearch<G> extends AbstractStrategy<G> {
    public static final String NAME = "predictor";
    public static final String BANANAS = "bananas";
    static final int REFIT_EVERY = 10;
    private static final int PARENTS = 5;
    private static final double KAPPA = 0.5;

    private final int initialSamples;
    private final int candidatePool;
    private final MlpEnsemble.Settings ensemble;
    private MlpEnsemble fitted;
    private int fittedOn;
    private final List<Individual> history = new ArrayList<>();
    private Map<String, double[]> scores = Map.of();
    private int width;
    private int initialProposed;

    /** The Gaussian-process predictor ({@code predictor}). */
    public PredictorSearch(SearchSpace<G> space, long seed, int initialSamples, int candidatePool) {
        this(space, seed, initialSamples, candidatePool, null);
    }

    /** With {@code ensemble} non-null, BANANAS' ensemble and Thompson sampling ({@code bananas}). */
    public PredictorSearch(SearchSpace<G> space, long seed, int initialSamples, int candidatePool,
                           MlpEnsemble.Settings ensemble) {
        super(space, seed);
        this.ensemble = ensemble;
        if (initialSamples < 2) {
            throw new IllegalArgumentException("initialSamples must be >= 2 for a predictor, got " + initialSamples);
        }
        if (candidatePool < 1) {
            throw new IllegalArgumentException("candidatePool must be >= 1, got " + candidatePool);
        }
        this.initialSamples = initialSamples;
        this.candidatePool = candidatePool;
    }

    @Override
    public String name() {
        return ensemble == null ? NAME : BANANAS;
    }

    @Override
    public List<Candidate> ask(int n) {
        List<Candidate> out = new ArrayList<>();
        while (out.size() < n && (initialProposed < initialSamples || history.size() < 2)) {
            initialProposed++;
            out.add(proposeRandom());
        }
        if (out.size() == n) {
            return out;
        }
        Surrogate surrogate = surrogate();
        Map<String, Pool> pool = pool();
        List<Pool> ranked = new ArrayList<>(pool.values());
        for (Pool p : ranked) {
            double[] ms = surrogate.predict(inputs(p.genotype));
            p.score = ms[0] + (ensemble == null ? KAPPA : rng.nextGaussian()) * ms[1];
        }
        ranked.sort(Comparator.comparingDouble((Pool p) -> -p.score));
        for (Pool p : ranked) {
            if (out.size() == n) {
                break;
            }
            if (!seen(p.genotype)) {
                out.add(propose(p.genotype, p.parent == null ? "random" : "predictor",
                        p.parent == null ? List.of() : List.of(p.parent)));
            }
        }
        while (out.size() < n) {
            out.add(proposeRandom());
        }
        return out;
    }

    /**
     * The Gaussian process fitted to the whole history, or the ensemble fitted to its first multiple of
     * {@link #REFIT_EVERY} results (all of them while there are fewer), seeded by the strategy's seed and that count.
     */
    private Surrogate surrogate() {
        int n = history.size() < REFIT_EVERY ? history.size() : history.size() - history.size() % REFIT_EVERY;
        if (ensemble != null && fitted != null && fittedOn == n) {
            return fitted;
        }
        List<Individual> on = ensemble == null ? history : history.subList(0, n);
        List<List<double[]>> blocks = scores.isEmpty() ? List.of(new ArrayList<>())
                : List.of(new ArrayList<>(), new ArrayList<>());
        double[] ys = new double[on.size()];
        for (int i = 0; i < on.size(); i++) {
            double[][] in = inputs(space.parse(on.get(i).genotype()));
            for (int b = 0; b < in.length; b++) {
                blocks.get(b).add(in[b]);
            }
            ys[i] = on.get(i).accuracy();
        }
        if (ensemble == null) {
            return GaussianProcess.fitBlocks(blocks, ys);
        }
        fitted = MlpEnsemble.fit(blocks, ys, ensemble, seed() * 1_000_003L + n);
        fittedOn = n;
        return fitted;
    }

    @Override
    public void cheapScores(Map<String, double[]> byGenotype) {
        scores = Map.copyOf(byGenotype);
        fitted = null;
        width = scores.values().stream().mapToInt(v -> v.length).max().orElse(0);
    }

    /** The process's input blocks for {@code g}: the encoding, then its cheap scores when there are any. */
    private double[][] inputs(G g) {
        double[] encoding = space.encode(g);
        if (scores.isEmpty()) {
            return new double[][] {encoding};
        }
        double[] s = scores.get(space.format(g));
        if (s == null) {
            s = new double[width];
            java.util.Arrays.fill(s, 0.5);
        }
        return new double[][] {encoding, s};
    }

    private final class Pool {
        final G genotype;
        final String parent;
        double score;

        Pool(G genotype, String parent) {
            this.genotype = genotype;
            this.parent = parent;
        }
    }

    /** Unseen neighbours of the best evaluated architectures, topped up with random draws. */
    private Map<String, Pool> pool() {
        Map<String, Pool> pool = new LinkedHashMap<>();
        List<Individual> top = new ArrayList<>(history);
        top.sort(Comparator.comparingDouble((Individual i) -> -i.accuracy()));
        for (Individual parent : top.subList(0, Math.min(PARENTS, top.size()))) {
            for (G g : space.neighbours(space.parse(parent.genotype()))) {
                String key = space.canonicalKey(g);
                if (!seen(g) && !pool.containsKey(key) && pool.size() < candidatePool) {
                    pool.put(key, new Pool(g, parent.id()));
                }
            }
        }
        for (int i = 0; i < 10 * candidatePool && pool.size() < candidatePool; i++) {
            G g = space.sample(rng);
            pool.putIfAbsent(space.canonicalKey(g), new Pool(g, null));
        }
        return pool;
    }

    @Override
    protected void onResult(G genotype, Evaluation e) {
        if (e.hasSignal()) {
            history.add(new Individual(e.candidate().id(), e.candidate().genotype(), e.candidate().key(), e.accuracy()));
        }
    }

    @Override
    protected void saveState(ObjectNode state) {
        state.put("initialProposed", initialProposed);
        ArrayNode h = state.putArray("history");
        history.forEach(i -> h.add(JSON.valueToTree(i)));
    }

    @Override
    protected void loadState(JsonNode state) {
        initialProposed = state.get("initialProposed").asInt();
        history.clear();
        fitted = null;
        state.get("history").forEach(i -> history.add(JSON.convertValue(i, Individual.class)));
    }

}
