package io.sparknas.space;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The candidate operations on a cell edge, named exactly as in the DARTS and NAS-Bench-201 code bases so
 * that their genotype strings parse unchanged. Which subset a space offers is the space's choice.
 */
public enum Operation {
    NONE("none"),
    SKIP_CONNECT("skip_connect"),
    SEP_CONV_3X3("sep_conv_3x3"),
    SEP_CONV_5X5("sep_conv_5x5"),
    DIL_CONV_3X3("dil_conv_3x3"),
    DIL_CONV_5X5("dil_conv_5x5"),
    MAX_POOL_3X3("max_pool_3x3"),
    AVG_POOL_3X3("avg_pool_3x3"),
    NOR_CONV_1X1("nor_conv_1x1"),
    NOR_CONV_3X3("nor_conv_3x3");

    /** The DARTS primitives in DARTS's own order ({@code none} included; discrete genotypes exclude it). */
    public static final List<Operation> DARTS = List.of(NONE, MAX_POOL_3X3, AVG_POOL_3X3, SKIP_CONNECT,
            SEP_CONV_3X3, SEP_CONV_5X5, DIL_CONV_3X3, DIL_CONV_5X5);

    /** The NAS-Bench-201 operations in the benchmark's own order. */
    public static final List<Operation> NB201 = List.of(NONE, SKIP_CONNECT, NOR_CONV_1X1, NOR_CONV_3X3, AVG_POOL_3X3);

    private final String text;

    Operation(String text) {
        this.text = text;
    }

    /** The name used in genotype strings, e.g. {@code sep_conv_3x3} (also its JSON and configuration form). */
    @JsonValue
    public String text() {
        return text;
    }

    /** True for operations with trainable weights. */
    public boolean isParametric() {
        return switch (this) {
            case SEP_CONV_3X3, SEP_CONV_5X5, DIL_CONV_3X3, DIL_CONV_5X5, NOR_CONV_1X1, NOR_CONV_3X3 -> true;
            default -> false;
        };
    }

    /** Kernel size of convolutions and pools; 1 for the rest. */
    public int kernel() {
        return switch (this) {
            case SEP_CONV_5X5, DIL_CONV_5X5 -> 5;
            case SEP_CONV_3X3, DIL_CONV_3X3, MAX_POOL_3X3, AVG_POOL_3X3, NOR_CONV_3X3 -> 3;
            default -> 1;
        };
    }

    /** Parses an operation name; the error lists the valid names. */
    @JsonCreator
    public static Operation fromText(String text) {
        for (Operation op : values()) {
            if (op.text.equals(text)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + text + "'; expected one of "
                + Arrays.stream(values()).map(Operation::text).collect(Collectors.joining(", ")));
    }

    /** Parses a list of names, checking each belongs to {@code allowed}. */
    public static List<Operation> parseSubset(List<String> names, List<Operation> allowed, String field) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException(field + " must name at least one operation");
        }
        return names.stream().map(n -> {
            Operation op = fromText(n);
            if (!allowed.contains(op)) {
                throw new IllegalArgumentException(field + ": operation '" + n + "' is not in this space; allowed: "
                        + allowed.stream().map(Operation::text).collect(Collectors.joining(", ")));
            }
            return op;
        }).distinct().toList();
    }
}
