package io.sparknas.strategies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Local search (White, Nolen, Savani 2021, "Exploring the loss landscape in neural architecture search"):
 * evaluate the neighbours of the current best architecture in random order; move as soon as one is better
 * (first improvement), and restart from a random architecture when every neighbour has been evaluated without
 * improvement (a local optimum). Batched: an ask hands out the next n unevaluated neighbours.
 */
public final class LocalSearch<G> extends AbstractStrategy<G> {
    public static final String NAME = "local";

    private final int initialSamples;
    private Individual current;
    private final List<String> queue = new ArrayList<>();
    private int initialProposed;
    private int restarts;

    /** @param initialSamples random architectures evaluated before the first move (White et al. use 10 on NB201) */
    public LocalSearch(SearchSpace<G> space, long seed, int initialSamples) {
        super(space, seed);
        if (initialSamples < 1) {
            throw new IllegalArgumentException("initialSamples must be >= 1, got " + initialSamples);
        }
        this.initialSamples = initialSamples;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Candidate> ask(int n) {
        List<Candidate> out = new ArrayList<>();
        while (out.size() < n) {
            if (current == null || initialProposed < initialSamples) {
                initialProposed++;
                out.add(proposeRandom());
                continue;
            }
            while (!queue.isEmpty() && seen(space.parse(queue.get(queue.size() - 1)))) {
                queue.remove(queue.size() - 1);
            }
            if (queue.isEmpty()) {
                // a local optimum (or its last neighbours are still being evaluated): restart from a random point
                restarts++;
                current = null;
                out.add(proposeRandom());
                continue;
            }
            out.add(propose(space.parse(queue.remove(queue.size() - 1)), "local", List.of(current.id())));
        }
        return out;
    }

    @Override
    protected void onResult(G genotype, Evaluation e) {
        if (!e.hasSignal()) {
            return;
        }
        if (current == null || e.accuracy() > current.accuracy()) {
            current = new Individual(e.candidate().id(), e.candidate().genotype(), e.candidate().key(), e.accuracy());
            queue.clear();
            List<G> ns = new ArrayList<>(space.neighbours(genotype));
            Collections.shuffle(ns, rng);
            ns.forEach(g -> queue.add(space.format(g)));
        }
    }

    @Override
    protected void saveState(ObjectNode state) {
        state.put("initialProposed", initialProposed);
        state.put("restarts", restarts);
        state.set("current", current == null ? null : JSON.valueToTree(current));
        ArrayNode q = state.putArray("queue");
        queue.forEach(q::add);
    }

    @Override
    protected void loadState(JsonNode state) {
        initialProposed = state.get("initialProposed").asInt();
        restarts = state.get("restarts").asInt();
        current = state.get("current").isNull() ? null : JSON.convertValue(state.get("current"), Individual.class);
        queue.clear();
        state.get("queue").forEach(q -> queue.add(q.asText()));
    }
}
