package io.sparknas.space.darts;

import io.sparknas.space.Operation;
import io.sparknas.space.cost.Cost;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DartsCostModelTest {

    @Test
    void smallReductionNetworkMatchesHandCount() {
        // one reduction cell (layers=1), C=2 -> 4 in the cell, stem 1->2 on 2x2 input
        DartsCell cell = DartsCell.of(List.of(
                new DartsEdge(Operation.SKIP_CONNECT, 0), new DartsEdge(Operation.SKIP_CONNECT, 1),
                new DartsEdge(Operation.SEP_CONV_3X3, 2), new DartsEdge(Operation.MAX_POOL_3X3, 0)));
        DartsGenotype g = new DartsGenotype(cell, cell);
        Cost cost = DartsCostModel.of(g, new DartsNetworkConfig(1, 2, 2, 2, 1, 1));
        // stem 18+4 | pre0 8+8 | pre1 8+8 | 2x factorized reduce (8+8+8) | sep conv 2x(36+16+8) | linear 8*2+2
        assertEquals(22 + 16 + 16 + 48 + 120 + 18, cost.params());
        // stem 18*4 | pre 8*4 twice | fr 16*1 twice | sep (36+16)*1*2 | linear 16
        assertEquals(72 + 32 + 32 + 32 + 104 + 16, cost.flops());
    }

    @Test
    void dartsV2AtTheDartsEvaluationSizeHasAboutThreePointThreeMillionParameters() {
        // DARTS reports 3.3M for DARTS_V2 at C=36, 20 layers on CIFAR-10 (its count leaves out the auxiliary head)
        Cost cost = DartsCostModel.of(DartsGenotype.DARTS_V2, new DartsNetworkConfig(3, 32, 10, 36, 20, 3));
        assertEquals(3.3e6, cost.params(), 0.1e6);
    }

    @Test
    void inputSizeMustSurviveEveryReduction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DartsNetworkConfig(1, 30, 10, 16, 3, 3));
        assertEquals("inputSize must be a positive multiple of 4 for 3 layers (2 reduction cells), got 30", e.getMessage());
    }
}
