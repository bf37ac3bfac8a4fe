package io.sparknas.strategies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;
import io.sparknas.space.SeededRandom;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What every strategy shares: the seeded generator, candidate numbering and seeds, the pending candidates,
 * the keys seen (for de-duplication) and the best result; snapshot/restore of all of it. Subclasses propose
 * in {@link #ask} through {@link #propose} and learn in {@link #onResult}.
 *
 * @param <G> the space's genotype type
 */
public abstract class AbstractStrategy<G> implements Strategy {
    protected static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    protected final SearchSpace<G> space;
    protected SeededRandom rng;
    private long seed;
    private int counter;
    private int told;
    private final Map<String, Candidate> pending = new LinkedHashMap<>();
    private final Set<String> seenKeys = new HashSet<>();
    private Evaluation best;
    private List<String> warm = List.of();
    private int warmNext;

    protected AbstractStrategy(SearchSpace<G> space, long seed) {
        this.space = space;
        this.seed = seed;
        this.rng = new SeededRandom(seed);
    }

    /** The seed this strategy was created with (restored with its state). */
    protected final long seed() {
        return seed;
    }

    /** Registers a new candidate for {@code g}: id, canonical key, its own evaluation seed. */
    protected final Candidate propose(G g, String origin, List<String> parents) {
        String key = space.canonicalKey(g);
        Candidate c = new Candidate(String.format("c%06d", counter++), space.name(), space.format(g), key, origin,
                parents, rng.nextLong() & Long.MAX_VALUE);
        pending.put(c.id(), c);
        seenKeys.add(key);
        return c;
    }

    /** Whether a genotype with this canonical key was proposed before (by this strategy). */
    protected final boolean seen(G g) {
        return seenKeys.contains(space.canonicalKey(g));
    }

    @Override
    public final void tell(List<Evaluation> evaluations) {
        for (Evaluation e : evaluations) {
            if (!pending.containsKey(e.candidate().id())) {
                throw new IllegalArgumentException("told about candidate " + e.candidate().id()
                        + " which " + name() + " did not ask for or was already told about");
            }
        }
        for (Evaluation e : evaluations) {
            pending.remove(e.candidate().id());
            told++;
            if (e.isOk() && (best == null || e.accuracy() > best.accuracy())) {
                best = e;
            }
            onResult(space.parse(e.candidate().genotype()), e);
        }
    }

    /** Learns from one told evaluation (successful or failed). */
    protected abstract void onResult(G genotype, Evaluation evaluation);

    /**
     * A child of parent {@code a} (genotype text {@code ga}): a mutant, or with a second parent {@code b} their
     * crossover. With {@code deduplicate} a child that repeats an architecture proposed before is re-drawn (up to 20
     * times; a repeated crossover child is mutated as well).
     */
    protected final Candidate offspring(String a, String ga, String b, String gb, boolean deduplicate) {
        boolean cross = b != null;
        G pa = space.parse(ga);
        G pb = cross ? space.parse(gb) : null;
        G g = null;
        for (int attempt = 0; attempt < (deduplicate ? 20 : 1) && (g == null || seen(g)); attempt++) {
            g = cross ? space.crossover(pa, pb, rng) : space.mutate(pa, rng);
            if (cross && attempt > 0) {
                g = space.mutate(g, rng);
            }
        }
        return cross ? propose(g, "crossover", List.of(a, b)) : propose(g, "mutation", List.of(a));
    }

    /** Candidates asked for and not yet told. */
    protected final int pendingCount() {
        return pending.size();
    }

    @Override
    public Optional<Evaluation> best() {
        return Optional.ofNullable(best);
    }

    @Override
    public int told() {
        return told;
    }

    @Override
    public final String snapshot() {
        ObjectNode root = JSON.createObjectNode();
        root.put("strategy", name());
        root.put("space", space.name());
        root.put("seed", seed);
        root.put("rng", rng.state());
        root.put("counter", counter);
        root.put("told", told);
        ArrayNode p = root.putArray("pending");
        pending.values().forEach(c -> p.add(JSON.valueToTree(c)));
        ArrayNode keys = root.putArray("seenKeys");
        seenKeys.stream().sorted().forEach(keys::add);
        root.set("best", best == null ? null : JSON.valueToTree(best));
        root.put("warmNext", warmNext);
        saveState(root.putObject("state"));
        return root.toString();
    }

    @Override
    public final void restore(String snapshot) {
        JsonNode root;
        try {
            root = JSON.readTree(snapshot);
        } catch (Exception e) {
            throw new IllegalArgumentException("strategy snapshot is not valid JSON: " + e.getMessage(), e);
        }
        if (!name().equals(root.path("strategy").asText()) || !space.name().equals(root.path("space").asText())) {
            throw new IllegalArgumentException("snapshot of strategy '" + root.path("strategy").asText() + "' on space '"
                    + root.path("space").asText() + "' cannot restore " + name() + " on " + space.name());
        }
        seed = root.get("seed").asLong();
        rng = SeededRandom.fromState(root.get("rng").asLong());
        counter = root.get("counter").asInt();
        told = root.get("told").asInt();
        pending.clear();
        for (JsonNode c : root.get("pending")) {
            Candidate cand = JSON.convertValue(c, Candidate.class);
            pending.put(cand.id(), cand);
        }
        seenKeys.clear();
        root.get("seenKeys").forEach(k -> seenKeys.add(k.asText()));
        best = root.get("best").isNull() ? null : JSON.convertValue(root.get("best"), Evaluation.class);
        warmNext = root.path("warmNext").asInt(0);
        loadState(root.get("state"));
    }

    /** Writes subclass state into {@code state}. */
    protected abstract void saveState(ObjectNode state);

    /** Reads what {@link #saveState} wrote. */
    protected abstract void loadState(JsonNode state);

    /**
     * A warm start: {@code ranked} genotypes (a cheap estimator's best first: a zero-cost proxy, the one-shot score,
     * size) replace the strategy's random draws, in order and skipping any proposed before, until they run out. So
     * random search becomes "evaluate in the cheap ranking's order", evolution's first population and local search's
     * initial samples (and restarts) are the ranking's best, and every strategy keeps its own ask/tell. Set before
     * the first ask, and again before {@link #restore} (the snapshot keeps the place reached, not the list).
     */
    @Override
    public void warmStart(List<String> ranked) {
        ranked.forEach(space::parse); // refuses a genotype of another space now, not mid-search
        warm = List.copyOf(ranked);
    }

    /** Proposes the warm start's next genotype, else a uniformly drawn architecture not proposed before. */
    protected final Candidate proposeRandom() {
        while (warmNext < warm.size()) {
            G g = space.parse(warm.get(warmNext++));
            if (!seen(g)) {
                return propose(g, "warm-start", List.of());
            }
        }
        return propose(sampleUnseen(), "random", List.of());
    }

    /** A uniformly drawn genotype not proposed before (gives up de-duplicating after 1,000 tries). */
    private G sampleUnseen() {
        G g = space.sample(rng);
        for (int i = 0; i < 1000 && seen(g); i++) {
            g = space.sample(rng);
        }
        return g;
    }
}
