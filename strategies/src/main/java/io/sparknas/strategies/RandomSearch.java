package io.sparknas.strategies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;

import java.util.ArrayList;
import java.util.List;

/**
 * Random search (Li and Talwalkar 2019; the baseline every NAS method must beat): uniform draws, never the same
 * architecture twice (by canonical key).
 */
public final class RandomSearch<G> extends AbstractStrategy<G> {
    public static final String NAME = "random";

    public RandomSearch(SearchSpace<G> space, long seed) {
        super(space, seed);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Candidate> ask(int n) {
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(proposeRandom());
        }
        return out;
    }

    @Override
    protected void onResult(G genotype, Evaluation evaluation) {
    }

    @Override
    protected void saveState(ObjectNode state) {
    }

    @Override
    protected void loadState(JsonNode state) {
    }
}
