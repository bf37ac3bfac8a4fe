package io.sparknas.pipeline.search;

import io.sparknas.space.Operation;
import io.sparknas.space.SearchSpace;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.nb201.Nb201Space;

import java.io.Serializable;
import java.util.List;

/**
 * Which search space a sweep explores.
 *
 * @param name  {@code darts} or {@code nb201}
 * @param nodes DARTS: intermediate nodes per cell (2..6)
 * @param ops   DARTS: the operations offered (empty = DARTS's 7 primitives without {@code none})
 */
public record SpaceConfig(String name, int nodes, List<String> ops) implements Serializable {
    public SpaceConfig {
        ops = ops == null ? List.of() : List.copyOf(ops);
        if (!name.equals(DartsSpace.NAME) && !name.equals(Nb201Space.NAME)) {
            throw new IllegalArgumentException("space.name must be 'darts' or 'nb201', got '" + name + "'");
        }
    }

    public SearchSpace<?> create() {
        if (name.equals(Nb201Space.NAME)) {
            return new Nb201Space();
        }
        List<Operation> chosen = ops.isEmpty() ? DartsSpace.DEFAULT_OPS : Operation.parseSubset(ops, Operation.DARTS, "space.ops");
        return new DartsSpace(chosen, nodes);
    }
}
