package io.sparknas.strategies.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Random;

/** A distribution over decision sequences that REINFORCE trains. Not thread-safe. */
public interface Policy {

    /** Draws a sequence, one decision after the other, with the caller's generator. */
    int[] sample(Random rng);

    /** Log-probability of a sequence under the current parameters. */
    double logProb(int[] choices);

    /**
     * One gradient-ascent step (Adam) on sum_i advantage_i * log p(sequence_i) + entropyWeight * sum_i H(sequence_i).
     */
    void update(List<int[]> sequences, double[] advantages, double entropyWeight);

    void save(ObjectNode into);

    void load(JsonNode from);
}
