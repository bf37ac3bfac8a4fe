package io.sparknas.space.darts;

import io.sparknas.space.Operation;

import java.io.Serializable;
import java.util.Objects;

/** One incoming edge of an intermediate node: the operation applied to the output of node {@code input}. */
public record DartsEdge(Operation op, int input) implements Serializable, Comparable<DartsEdge> {
    public DartsEdge {
        Objects.requireNonNull(op, "op");
        if (input < 0) {
            throw new IllegalArgumentException("edge input must be >= 0, got " + input);
        }
    }

    @Override
    public int compareTo(DartsEdge o) {
        return input != o.input ? Integer.compare(input, o.input) : op.text().compareTo(o.op.text());
    }
}
