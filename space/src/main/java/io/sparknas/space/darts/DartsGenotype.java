package io.sparknas.space.darts;

import java.io.Serializable;
import java.util.Objects;

/** A DARTS architecture: the normal cell (keeps the spatial size) and the reduction cell (halves it). */
public record DartsGenotype(DartsCell normal, DartsCell reduce) implements Serializable {
    public DartsGenotype {
        Objects.requireNonNull(normal, "normal");
        Objects.requireNonNull(reduce, "reduce");
    }

    /** DARTS (first order), Liu et al. 2019, as published in DARTS's genotypes.py. */
    public static final DartsGenotype DARTS_V1 = DartsText.parse("Genotype(normal=[('sep_conv_3x3', 1), "
            + "('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), "
            + "('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
            + "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), "
            + "('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])");

    /** DARTS (second order), Liu et al. 2019, as published in DARTS's genotypes.py. */
    public static final DartsGenotype DARTS_V2 = DartsText.parse("Genotype(normal=[('sep_conv_3x3', 0), "
            + "('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), "
            + "('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
            + "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), "
            + "('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])");

    @Override
    public String toString() {
        return DartsText.format(this);
    }
}
