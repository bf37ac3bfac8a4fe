package io.sparknas.space;

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
 * program where it is installed. Each space draws its own cells with this ({@code DartsDrawing},
 * {@code Nb201Drawing}).
 */
public final class CellDrawing {
    private CellDrawing() {
    }

    /** The opening of a cell drawing: left-to-right layout, the title, the node and edge styles. */
    public static StringBuilder header(String title) {
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
}
