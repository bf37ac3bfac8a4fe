package io.sparknas.space;

import io.sparknas.space.darts.DartsCell;
import io.sparknas.space.darts.DartsEdge;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.nb201.Nb201Cell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Drawings of cells as Graphviz DOT (the layout of DARTS's {@code visualize.py}: inputs on the left, the
 * concatenated output on the right, edges labelled with operations) and SVG through the {@code dot}
 * program where it is installed.
 */
public final class CellDrawing {
    private CellDrawing() {
    }

    /** DOT for one DARTS cell; inputs are {@code c_{k-2}} and {@code c_{k-1}}, the output {@code c_{k}}. */
    public static String dot(DartsCell cell, String title) {
        StringBuilder sb = header(title);
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

    /** DOT for a NAS-Bench-201 cell; {@code none} edges are left out. */
    public static String dot(Nb201Cell cell, String title) {
        StringBuilder sb = header(title);
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

    private static StringBuilder header(String title) {
        return new StringBuilder("digraph \"").append(title.replace("\"", "'")).append("\" {\n")
                .append("  rankdir=LR;\n  label=\"").append(title.replace("\"", "'")).append("\";\n")
                .append("  node [style=\"rounded,filled\", shape=rect, fontname=Helvetica, penwidth=2];\n")
                .append("  edge [fontname=Helvetica, fontsize=11];\n");
    }

    /**
     * Writes {@code name.dot} and, where Graphviz is installed, {@code name.svg} into {@code dir}; returns
     * the files written.
     */
    public static List<Path> write(String dot, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path dotFile = dir.resolve(name + ".dot");
        Files.writeString(dotFile, dot, StandardCharsets.UTF_8);
        written.add(dotFile);
        Optional<String> svg = svg(dot);
        if (svg.isPresent()) {
            Path svgFile = dir.resolve(name + ".svg");
            Files.writeString(svgFile, svg.get(), StandardCharsets.UTF_8);
            written.add(svgFile);
        }
        return written;
    }

    /** SVG rendered by {@code dot -Tsvg}, or empty when Graphviz is not installed or fails. */
    public static Optional<String> svg(String dot) {
        try {
            Process p = new ProcessBuilder("dot", "-Tsvg").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return Optional.empty();
            }
            return Optional.of(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Both cells of a DARTS genotype, as {@code normal} and {@code reduce}. */
    public static List<Path> write(DartsGenotype g, Path dir) throws IOException {
        List<Path> out = new ArrayList<>(write(dot(g.normal(), "normal cell"), dir, "normal"));
        out.addAll(write(dot(g.reduce(), "reduction cell"), dir, "reduce"));
        return out;
    }
}
