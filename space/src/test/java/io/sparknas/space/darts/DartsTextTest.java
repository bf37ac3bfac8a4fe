package io.sparknas.space.darts;

import io.sparknas.space.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DartsTextTest {
    static final String V2 = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
            + "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
            + "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
            + "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
            + "reduce_concat=[2, 3, 4, 5])";

    @Test
    void publishedGenotypesRoundTripToTheSameText() {
        assertEquals(V2, DartsText.format(DartsText.parse(V2)));
        assertEquals(V2, DartsGenotype.DARTS_V2.toString());
        String v1 = DartsGenotype.DARTS_V1.toString();
        assertEquals(DartsGenotype.DARTS_V1, DartsText.parse(v1));
        assertEquals(v1, DartsText.format(DartsText.parse(v1)));
    }

    @Test
    void parsesTheFormTrainSearchLogs() {
        String logged = "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), "
                + "('dil_conv_5x5', 2), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_5x5', 1)], "
                + "normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
                + "('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], "
                + "reduce_concat=range(2, 6))";
        DartsGenotype g = DartsText.parse(logged);
        assertEquals(List.of(2, 3, 4, 5), g.normal().concat());
        assertEquals(new DartsEdge(Operation.DIL_CONV_5X5, 2), g.normal().edges().get(3));
        assertEquals(g, DartsText.parse(DartsText.format(g)));
    }

    @Test
    void acceptsMultiLineListsAndDoubleQuotes() {
        String text = "Genotype(\n normal=[[\"sep_conv_3x3\", 1], [\"sep_conv_3x3\", 0],\n  [\"skip_connect\", 0], "
                + "[\"sep_conv_3x3\", 1],],\n normal_concat=range(2, 4),\n reduce=[(\"max_pool_3x3\", 0), (\"max_pool_3x3\", 1),"
                + " (\"skip_connect\", 2), (\"max_pool_3x3\", 0)], reduce_concat=[2, 3],\n)";
        DartsGenotype g = DartsText.parse(text);
        assertEquals(2, g.normal().nodes());
    }

    @Test
    void unknownOperationIsNamedWithItsPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DartsText.parse(V2.replace("dil_conv_3x3", "conv_7x7")));
        assertTrue(e.getMessage().contains("conv_7x7"), e.getMessage());
        assertTrue(e.getMessage().contains("at character"), e.getMessage());
    }

    @Test
    void edgeReadingALaterNodeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DartsText.parse(V2.replace("('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0)",
                        "('sep_conv_3x3', 2), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0)")));
        assertTrue(e.getMessage().contains("node 2 reads node 2"), e.getMessage());
    }

    @Test
    void truncatedTextSaysWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DartsText.parse(V2.substring(0, 60)));
        assertTrue(e.getMessage().contains("end of text"), e.getMessage());
    }

    @Test
    void jsonRoundTrips() {
        for (DartsGenotype g : List.of(DartsGenotype.DARTS_V1, DartsGenotype.DARTS_V2)) {
            String json = DartsJson.format(g);
            assertEquals(g, DartsJson.parse(json));
            assertTrue(json.startsWith("{\"normal\":[[\""), json);
        }
    }
}
