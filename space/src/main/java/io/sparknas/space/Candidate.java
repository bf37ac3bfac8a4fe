package io.sparknas.space;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One architecture proposed by a strategy, as it travels to an executor and into the result store.
 * The genotype is in its space's text form so that the record crosses Spark and Parquet unchanged.
 *
 * @param id       unique within a sweep, e.g. {@code c000017} (a strategy's proposals in order) or {@code darts-s1}
 * @param space    the search space's name
 * @param genotype the genotype text ({@link SearchSpace#format})
 * @param key      the canonical key ({@link SearchSpace#canonicalKey})
 * @param origin   how it was made: {@code random}, {@code mutation}, {@code crossover}, {@code controller}, ...
 * @param parents  ids of the candidates it was made from (empty for random draws)
 * @param seed     the seed its evaluation uses (weights init, data order)
 */
public record Candidate(String id, String space, String genotype, String key, String origin, List<String> parents,
                        long seed) implements Serializable {
    public Candidate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(genotype, "genotype");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(origin, "origin");
        parents = List.copyOf(parents);
        if (id.isBlank()) {
            throw new IllegalArgumentException("candidate id must not be blank");
        }
    }
}
