package io.sparknas.strategies;

/** An evaluated architecture as a strategy remembers it: id, genotype text, canonical key and signal. */
public record Individual(String id, String genotype, String key, double accuracy) {
}
