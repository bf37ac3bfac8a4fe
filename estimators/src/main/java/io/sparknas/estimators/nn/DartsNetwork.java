package io.sparknas.estimators.nn;

import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;

/**
 * The DARTS evaluation network (DARTS's NetworkCIFAR without the auxiliary head) for a genotype and a macro
 * configuration: a {@link CellStack} of the genotype's normal and reduction cells. Input NCHW
 * {@code (N, inputChannels, inputSize, inputSize)}; output logits {@code (N, classes)}. Its trainable parameter
 * count equals {@link io.sparknas.space.darts.DartsCostModel}.
 */
public final class DartsNetwork extends CellStack {
    public DartsNetwork(DartsGenotype genotype, DartsNetworkConfig cfg) {
        super(cfg, 3, (i, c, reduction, reductionPrev) ->
                new DartsCellBlock(reduction ? genotype.reduce() : genotype.normal(), c, reduction, reductionPrev));
    }
}
