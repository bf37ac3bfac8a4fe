package io.sparknas.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.pipeline.core.SparkEvaluator;
import io.sparknas.pipeline.core.Sweep;
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
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Exports a sweep's winner to the sweep's storage ({@code <sweep.output>/export}, or {@code export.dir}; a local folder
 * or any Hadoop URI, {@code hdfs://}, {@code s3a://}): {@code genotype.json} (with its accuracy and provenance),
 * {@code genotype.txt} (the space's own text form), cell drawings (DOT, and SVG where Graphviz is installed), and,
 * where the sweep's estimator trains networks ({@link EstimatorSpec#retraining()}), the winner
 * retrained with its own seed and budget as a Spark task on an
 * executor (its GPU where it has one) through the {@link io.sparknas.estimators.Estimator} contract, its parameters
 * saved as DJL parameters under {@code model/}; beside it the sweep's Pareto fronts ({@link FrontExport}). The
 * driver's files are made in a local folder and uploaded ({@link #upload}): in YARN or Kubernetes cluster mode the
 * driver's disk is gone with its container.
 */
public final class WinnerExport {
    private WinnerExport() {
    }

    /** Prints the winner, exports it to the configured (or default) export folder and says where. */
    static void announceAndExport(Evaluation best, EstimatorSpec spec, JobConfig job, Sweep.Definition sweep)
            throws IOException {
        System.out.printf(java.util.Locale.ROOT, "best: %s (key %s) validation accuracy %.4f%n  %s%n",
                best.candidate().id(), best.candidate().key(), best.accuracy(), best.candidate().genotype());
        String target = exportDir(job, sweep.output());
        SparkSession spark = SparkSession.active();
        Path staged = Files.createTempDirectory("sparknas-export-");
        try {
            List<String> files = new ArrayList<>();
            ObjectNode root = describe(best, staged, sweep.name(), sweep.hash(), new ArrayList<>());
            if (job.exportRetrain()) {
                SparkEvaluator.Retrained again = new SparkEvaluator(
                        JavaSparkContext.fromSparkContext(spark.sparkContext()), spec.retraining())
                        .retrain(best.candidate(), target + "/model");
                Evaluation e = again.result().evaluation();
                if (!e.isOk()) {
                    throw new IOException("retraining the winner " + best.candidate().id() + " failed: " + e.error());
                }
                if (again.modelSaved()) {
                    root.put("retrainedAccuracy", e.accuracy());
                    root.put("retrainedOn", e.device() + " of executor " + again.result().executor() + " on "
                            + again.result().host());
                    root.put("modelDir", target + "/model");
                    files.add("model");
                }
            }
            Files.writeString(staged.resolve("genotype.json"), root.toPrettyString() + "\n");
            List<String> fronts = FrontExport.export(new io.sparknas.pipeline.core.ResultStore(spark, sweep.output())
                    .readAllCandidates(), staged, target, sweep.name(), sweep.hash());
            try (var listing = Files.list(staged)) {
                listing.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("front-")).sorted()
                        .forEach(files::add);
            }
            upload(spark.sparkContext().hadoopConfiguration(), staged, target);
            System.out.println("exported the winner to " + target + ": " + files);
            fronts.forEach(System.out::println);
        } finally {
            deleteLocal(staged);
        }
    }

    /** {@code export.dir}, else {@code <sweep.output>/export} (the sweep's own storage, local or a Hadoop URI). */
    static String exportDir(JobConfig job, String output) {
        String dir = job.exportDir().isEmpty() ? output.replaceAll("/+$", "") + "/export" : job.exportDir();
        return dir.contains("://") || dir.startsWith("file:") ? dir : Path.of(dir).toAbsolutePath().toString();
    }

    /**
     * Copies the files and folders of a local folder into {@code target} (created if absent; files of the same name
     * replaced) on its Hadoop file system, without checksum files beside them.
     */
    static void upload(org.apache.hadoop.conf.Configuration conf, Path local, String target) throws IOException {
        org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(target);
        org.apache.hadoop.fs.FileSystem fs = to.getFileSystem(conf);
        fs.setWriteChecksum(false);
        fs.mkdirs(to);
        try (var listing = Files.list(local)) {
            for (Path p : listing.sorted().toList()) {
                org.apache.hadoop.fs.Path dest = new org.apache.hadoop.fs.Path(to, p.getFileName().toString());
                if (Files.isDirectory(p)) {
                    fs.delete(dest, true); // a folder (a front member) is replaced whole
                }
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(p.toUri()), dest);
            }
        } catch (IOException e) {
            throw new IOException("cannot write the export to " + target + ": " + e.getMessage(), e);
        }
    }

    static void deleteLocal(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
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
        if (written.stream().noneMatch(p -> p.toString().endsWith(".svg"))) {
            org.slf4j.LoggerFactory.getLogger(WinnerExport.class).warn("cell drawings of {} as .dot only: Graphviz's "
                    + "dot is not installed (apt-get install graphviz, brew install graphviz) to draw them as .svg", dir);
        }
        return root;
    }
}
