package io.sparknas.space.darts;

import io.sparknas.space.CellDrawing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Drawings of DARTS cells (see {@link CellDrawing}). */
public final class DartsDrawing {
    private DartsDrawing() {
    }

    /** DOT for one DARTS cell; inputs are {@code c_{k-2}} and {@code c_{k-1}}, the output {@code c_{k}}. */
    public static String dot(DartsCell cell, String title) {
        StringBuilder sb = CellDrawing.header(title);
        sb.append("  \"c_{k-2}\" [fillcolor=darkseagreen2];\n  \"c_{k-1}\" [fillcolor=darkseagreen2];\n");
        for (int node = 2; node < 2 + cell.nodes(); node++) {
            sb.append("  \"").append(node - 2).append("\" [fillcolor=lightblue];\n");
        }
        sb.append("  \"c_{k}\" [fillcolor=palegoldenrod];\n");
        for (int node = 2; node < 2 + cell.nodes(); node++) {
            for (DartsEdge e : cell.edgesOf(node)) {
                String from = e.input() == 0 ? "c_{k-2}" : e.input() == 1 ? "c_{k-1}" : String.valueOf(e.input() - 2);
                sb.append("  \"").append(from).append("\" -> \"").append(node - 2).append("\" [label=\"")
                        .append(e.op().text()).append("\"];\n");
            }
        }
        for (int c : cell.concat()) {
            sb.append("  \"").append(c - 2).append("\" -> \"c_{k}\" [color=gray];\n");
        }
        return sb.append("}\n").toString();
    }

    /** Both cells of a DARTS genotype, as {@code normal} and {@code reduce}. */
    public static List<Path> write(DartsGenotype g, Path dir) throws IOException {
        List<Path> out = new ArrayList<>(CellDrawing.write(dot(g.normal(), "normal cell"), dir, "normal"));
        out.addAll(CellDrawing.write(dot(g.reduce(), "reduction cell"), dir, "reduce"));
        return out;
    }
}
