package io.sparknas.space.nb201;

import io.sparknas.space.CellDrawing;
import io.sparknas.space.Operation;

/** Drawings of NAS-Bench-201 cells (see {@link CellDrawing}). */
public final class Nb201Drawing {
    private Nb201Drawing() {
    }

    /** DOT for a NAS-Bench-201 cell; {@code none} edges are left out. */
    public static String dot(Nb201Cell cell, String title) {
        StringBuilder sb = CellDrawing.header(title);
        sb.append("  \"in\" [fillcolor=darkseagreen2];\n  \"1\" [fillcolor=lightblue];\n")
                .append("  \"2\" [fillcolor=lightblue];\n  \"out\" [fillcolor=palegoldenrod];\n");
        String[] names = {"in", "1", "2", "out"};
        for (int to = 1; to < 4; to++) {
            for (int from = 0; from < to; from++) {
                Operation op = cell.op(from, to);
                if (op != Operation.NONE) {
                    sb.append("  \"").append(names[from]).append("\" -> \"").append(names[to])
                            .append("\" [label=\"").append(op.text()).append("\"];\n");
                }
            }
        }
        return sb.append("}\n").toString();
    }
}
