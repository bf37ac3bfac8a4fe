package io.sparknas.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.pipeline.Sweep;
import org.apache.spark.sql.SparkSession;
import io.sparknas.space.CellDrawing;
import io.sparknas.space.Evaluation;
import io.sparknas.space.darts.DartsDrawing;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsJson;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Drawing;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.space.scaling.ScaledDarts;
import io.sparknas.space.scaling.ScaledNb201;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Exports a sweep's winner to a local directory: {@code genotype.json} (with its accuracy and provenance),
 * {@code genotype.txt} (the space's own text form), cell drawings (DOT, and SVG where Graphviz is installed),
 * and, where the sweep's estimator trains networks, the winner retrained on the driver with its own seed and budget
 * through the {@link Estimator} contract, its parameters saved as DJL parameters under {@code model/}; beside it the
 * sweep's Pareto fronts ({@link FrontExport}).
 */
public final class WinnerExport {
    private WinnerExport() {
    }

    /** Prints the winner, exports it to the configured (or default) export folder and says where. */
    static void announceAndExport(Evaluation best, EstimatorSpec spec, JobConfig job, Sweep.Definition sweep)
            throws IOException {
        System.out.printf(java.util.Locale.ROOT, "best: %s (key %s) validation accuracy %.4f%n  %s%n",
                best.candidate().id(), best.candidate().key(), best.accuracy(), best.candidate().genotype());
        Path dir = exportDir(job, sweep.name(), sweep.output());
        List<Path> files = export(best, spec, dir, job.exportRetrain(), sweep.name(), sweep.hash());
        System.out.println("exported the winner to " + dir.toAbsolutePath() + ": "
                + files.stream().map(p -> p.getFileName().toString()).toList());
        FrontExport.export(new io.sparknas.pipeline.ResultStore(SparkSession.active(), sweep.output())
                .readAllCandidates(), dir, sweep.name(), sweep.hash()).forEach(System.out::println);
    }

    /** {@code export.dir}, else {@code <output>/export} for a local sweep, else {@code ./<name>-export}. */
    static Path exportDir(JobConfig job, String sweepName, String output) {
        if (!job.exportDir().isEmpty()) {
            return Path.of(job.exportDir());
        }
        if (!output.contains("://") || output.startsWith("file:")) {
            return Path.of(output.replaceFirst("^file:(//)?", ""), "export");
        }
        return Path.of(sweepName + "-export");
    }

    public static List<Path> export(Evaluation best, EstimatorSpec spec, Path dir, boolean retrain, String sweepId,
                                    String configHash) throws IOException {
        List<Path> written = new ArrayList<>();
        ObjectNode root = describe(best, dir, sweepId, configHash, written);
        if (retrain) {
            Path model = dir.resolve("model");
            try (Estimator est = spec.create()) {
                Evaluation again = est.evaluate(best.candidate(), EvaluationContext.defaults().savingModelTo(model));
                if (!again.isOk()) {
                    throw new IOException("retraining the winner " + best.candidate().id() + " failed: " + again.error());
                }
                if (Files.isDirectory(model)) { // an estimator that trains nothing (a table) saves no model
                    root.put("retrainedAccuracy", again.accuracy());
                    root.put("modelDir", model.toString());
                    written.add(model);
                }
            }
        }
        Path jsonFile = dir.resolve("genotype.json");
        Files.writeString(jsonFile, root.toPrettyString() + "\n");
        written.add(0, jsonFile);
        return written;
    }

    /** {@link #describe} with {@code genotype.json} written beside the text form and drawings. */
    static void describeTo(Evaluation e, Path dir, String sweepId, String configHash) throws IOException {
        ObjectNode root = describe(e, dir, sweepId, configHash, new ArrayList<>());
        Files.writeString(dir.resolve("genotype.json"), root.toPrettyString() + "\n");
    }

    /** Whether {@link #describe} can draw candidates of {@code space}. */
    static boolean drawable(String space) {
        return List.of(DartsSpace.NAME, ScaledDarts.NAME, ScaledNb201.NAME, Nb201Space.NAME).contains(space);
    }

    /**
     * Writes {@code e}'s text form and cell drawings to {@code dir} (adding them to {@code written}) and returns the
     * JSON that {@code genotype.json} holds: the candidate, its accuracy, metrics and provenance.
     */
    static ObjectNode describe(Evaluation e, Path dir, String sweepId, String configHash, List<Path> written)
            throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("sweep", sweepId);
        root.put("configHash", configHash);
        root.put("candidate", e.candidate().id());
        root.put("space", e.candidate().space());
        root.put("canonicalKey", e.candidate().key());
        root.put("seed", e.candidate().seed());
        root.put("accuracy", e.accuracy());
        root.put("text", e.candidate().genotype());
        root.set("metrics", json.valueToTree(e.metrics()));
        Path txt = dir.resolve("genotype.txt");
        Files.writeString(txt, e.candidate().genotype() + "\n");
        written.add(txt);
        if (e.candidate().space().equals(DartsSpace.NAME)) {
            DartsGenotype g = DartsText.parse(e.candidate().genotype());
            root.set("genotype", DartsJson.toJson(g));
            written.addAll(DartsDrawing.write(g, dir));
        } else if (e.candidate().space().equals(ScaledDarts.NAME)) {
            ScaledDarts s = ScaledDarts.parse(e.candidate().genotype());
            root.set("genotype", DartsJson.toJson(s.genotype()));
            root.set("network", json.valueToTree(s.network()));
            written.addAll(DartsDrawing.write(s.genotype(), dir));
        } else if (e.candidate().space().equals(ScaledNb201.NAME)) {
            ScaledNb201 s = ScaledNb201.parse(e.candidate().genotype());
            root.put("genotype", s.cell().text());
            root.set("network", json.valueToTree(s.network()));
            written.addAll(CellDrawing.write(Nb201Drawing.dot(s.cell(), "cell"), dir, "cell"));
        } else {
            Nb201Cell cell = Nb201Cell.parse(e.candidate().genotype());
            root.put("genotype", cell.text());
            written.addAll(CellDrawing.write(Nb201Drawing.dot(cell, "cell"), dir, "cell"));
        }
        return root;
    }
}
