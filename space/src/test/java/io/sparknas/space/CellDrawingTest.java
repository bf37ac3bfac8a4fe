package io.sparknas.space;

import io.sparknas.space.darts.DartsDrawing;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Drawing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellDrawingTest {

    @Test
    void dartsV2NormalCellDotHasEveryEdgeLabelled() {
        String dot = DartsDrawing.dot(DartsGenotype.DARTS_V2.normal(), "normal cell");
        assertEquals(8 + 4, dot.lines().filter(l -> l.contains("->")).count());
        assertEquals(5, dot.lines().filter(l -> l.contains("label=\"sep_conv_3x3\"")).count());
        assertTrue(dot.contains("\"0\" -> \"3\" [label=\"dil_conv_3x3\"]"), dot);
    }

    @Test
    void dotRendersDartsV2ToSvg(@TempDir Path dir) throws IOException {
        Optional<String> svg = CellDrawing.svg("digraph g { a -> b }");
        TestData.require(svg.isPresent(), "Graphviz 'dot' is not installed (apt-get install graphviz)");
        List<Path> files = DartsDrawing.write(DartsGenotype.DARTS_V2, dir);
        assertEquals(4, files.size());
        String normal = Files.readString(dir.resolve("normal.svg"));
        assertTrue(normal.contains("<svg"), normal);
        assertTrue(normal.contains("sep_conv_3x3"), "edge labels are drawn");
        assertTrue(Files.readString(dir.resolve("reduce.svg")).contains("max_pool_3x3"));
    }

    @Test
    void nb201DotLeavesOutNoneEdges() {
        String dot = Nb201Drawing.dot(Nb201Cell.parse(
                "|none~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"), "cell");
        assertEquals(List.of("  \"in\" -> \"2\" [label=\"nor_conv_3x3\"];", "  \"in\" -> \"out\" [label=\"skip_connect\"];",
                "  \"2\" -> \"out\" [label=\"nor_conv_3x3\"];"),
                dot.lines().filter(l -> l.contains("->")).toList());
    }
}
