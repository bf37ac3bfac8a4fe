package io.sparknas.pipeline;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.latency.Timing;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.latency.Nb201Ops;
import io.sparknas.space.latency.OpInstance;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.nb201.Nb201Space;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A latency table on Spark ({@code profile} job): every distinct operation instance the NAS-Bench-201 networks of
 * a configuration run is timed at batch 1 on an executor (warm-up, repeats, median and spread), keyed by the device
 * (CPU model or GPU, DJL version, libtorch threads); then {@code validation} random networks are timed end to end,
 * the predictor's constant is fitted on them, and its Spearman's rho and mean absolute percentage error are
 * reported. Tables: {@value #OPS} and {@value #CHECK}; beside them {@code latency_table.csv}, the table a
 * predictor or a benchmark reads without Spark.
 */
public record LatencyProfile(SparkSession spark, Config cfg, Consumer<String> log) {
    public static final String OPS = "latency_ops";
    public static final String CHECK = "latency_check";

    static final StructType OPS_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("device", DataTypes.StringType, false),
        DataTypes.createStructField("engine", DataTypes.StringType, false),
        DataTypes.createStructField("threads", DataTypes.IntegerType, false),
        DataTypes.createStructField("space", DataTypes.StringType, false),
        DataTypes.createStructField("op", DataTypes.StringType, false),
        DataTypes.createStructField("channels_in", DataTypes.IntegerType, false),
        DataTypes.createStructField("channels_out", DataTypes.IntegerType, false),
        DataTypes.createStructField("size", DataTypes.IntegerType, false),
        DataTypes.createStructField("stride", DataTypes.IntegerType, false),
        DataTypes.createStructField("median_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("p10_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("p90_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("repeats", DataTypes.IntegerType, false),
        DataTypes.createStructField("host", DataTypes.StringType, false),
    });

    static final StructType CHECK_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("device", DataTypes.StringType, false),
        DataTypes.createStructField("genotype", DataTypes.StringType, false),
        DataTypes.createStructField("measured_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("p10_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("p90_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("table_sum_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("predicted_ms", DataTypes.DoubleType, false),
        DataTypes.createStructField("host", DataTypes.StringType, false),
    });

    /**
     * The profile job's configuration, bound from {@code profile}.
     *
     * @param network      the NAS-Bench-201 network timed (its channels, cells per stage, input)
     * @param warmup       untimed passes before timing
     * @param repeats      timed passes per instance or network
     * @param validation   random networks timed end to end to fit and check the predictor (0 = none)
     * @param partitions   Spark tasks the timing is spread over (timings that share a machine disturb each other:
     *                     one task per executor machine)
     * @param seed         which random networks
     * @param torchThreads libtorch threads while timing (part of the table's key)
     */
    public record Config(String name, String output, Nb201NetworkConfig network, int warmup, int repeats,
                         int validation, int partitions, long seed, int torchThreads)
            implements Sweep.Definition, Serializable {
        public Config {
            SweepConfig.checkName(name);
            if (warmup < 0 || repeats < 1 || validation < 0 || partitions < 1 || torchThreads < 1) {
                throw new IllegalArgumentException("profile: warmup >= 0, repeats >= 1, validation >= 0, partitions "
                        + ">= 1 and torchThreads >= 1 are required");
            }
        }

        @Override
        public String kind() {
            return "profile";
        }

        @Override
        public String semantics() {
            ObjectNode n = SweepConfig.JSON.createObjectNode();
            n.put("kind", kind());
            n.put("space", Nb201Space.NAME);
            n.set("network", SweepConfig.JSON.valueToTree(network));
            n.put("warmup", warmup);
            n.put("repeats", repeats);
            n.put("validation", validation);
            n.put("seed", seed);
            n.put("torchThreads", torchThreads);
            return SweepConfig.canonical(n);
        }

        @Override
        public io.sparknas.estimators.spec.EstimatorSpec estimator() {
            return null;
        }
    }

    /** The outcome: the table's entries, the fitted predictor, and its agreement with end-to-end timings. */
    public record Result(Sweep sweep, LatencyPredictor predictor, double spearman, double mape, String device) {
    }

    /** One timing from a task: the instance (or network) and its result, with where it ran. */
    record Timed(OpInstance op, String genotype, Timing.Result result, String device, String host)
            implements Serializable {
    }

    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, OPS, CHECK);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<OpInstance> instances = Nb201Ops.distinct(cfg.network());
        Config c = cfg;
        long t0 = System.nanoTime();
        List<Timed> ops = jsc.parallelize(instances, Math.min(cfg.partitions(), instances.size()))
                .mapPartitions(it -> {
                    List<Timed> out = new ArrayList<>();
                    it.forEachRemaining(op -> out.add(timeOp(c, op)));
                    return out.iterator();
                }).collect();
        String device = ops.get(0).device();
        Map<OpInstance, Double> table = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (Timed t : ops) {
            table.put(t.op(), t.result().medianMs());
            rows.add(RowBuilder.of(OPS_SCHEMA).set("device", t.device()).set("engine", engine())
                    .set("threads", cfg.torchThreads()).set("space", Nb201Space.NAME).set("op", t.op().op())
                    .set("channels_in", t.op().channelsIn()).set("channels_out", t.op().channelsOut())
                    .set("size", t.op().size()).set("stride", t.op().stride())
                    .set("median_ms", t.result().medianMs()).set("p10_ms", t.result().p10Ms())
                    .set("p90_ms", t.result().p90Ms()).set("repeats", t.result().repeats()).set("host", t.host())
                    .build());
        }
        sweep.commit(OPS, 0, rows, OPS_SCHEMA);
        log.accept(String.format(Locale.ROOT, "timed %d operation instances on %s in %s", ops.size(), device,
                SearchLoop.duration((System.nanoTime() - t0) / 1e9)));
        LatencyPredictor predictor = new LatencyPredictor(table, 0);
        double rho = Double.NaN;
        double mape = Double.NaN;
        if (cfg.validation() > 0) {
            SeededRandom rng = new SeededRandom(cfg.seed());
            Nb201Space space = new Nb201Space();
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < cfg.validation(); i++) {
                cells.add(space.sample(rng).text());
            }
            List<Timed> nets = jsc.parallelize(cells, Math.min(cfg.partitions(), cells.size())).mapPartitions(it -> {
                List<Timed> out = new ArrayList<>();
                it.forEachRemaining(g -> out.add(timeNetwork(c, g)));
                return out.iterator();
            }).collect();
            List<List<OpInstance>> networks = new ArrayList<>();
            double[] measured = new double[nets.size()];
            for (int i = 0; i < nets.size(); i++) {
                networks.add(Nb201Ops.of(Nb201Cell.parse(nets.get(i).genotype()), cfg.network()));
                measured[i] = nets.get(i).result().medianMs();
            }
            predictor = predictor.fitted(networks, measured);
            double[] predicted = new double[measured.length];
            List<Row> check = new ArrayList<>();
            for (int i = 0; i < measured.length; i++) {
                predicted[i] = predictor.predict(networks.get(i));
                Timed t = nets.get(i);
                check.add(RowBuilder.of(CHECK_SCHEMA).set("device", t.device()).set("genotype", t.genotype())
                        .set("measured_ms", measured[i]).set("p10_ms", t.result().p10Ms())
                        .set("p90_ms", t.result().p90Ms()).set("table_sum_ms", predictor.sum(networks.get(i)))
                        .set("predicted_ms", predicted[i]).set("host", t.host()).build());
            }
            sweep.commit(CHECK, 0, check, CHECK_SCHEMA);
            rho = LatencyPredictor.spearman(predicted, measured);
            mape = LatencyPredictor.mape(predicted, measured);
            log.accept(String.format(Locale.ROOT, "predictor on %d random networks measured end to end: constant "
                    + "%.3f ms, Spearman's rho %.3f, mean absolute percentage error %.1f%%", measured.length,
                    predictor.constant(), rho, 100 * mape));
        }
        writeCsv(sweep, predictor, device, ops);
        return new Result(sweep, predictor, rho, mape, device);
    }

    /** {@code latency_table.csv} beside the tables: one line per instance, and the constant as a last line. */
    private void writeCsv(Sweep sweep, LatencyPredictor predictor, String device, List<Timed> ops) {
        StringBuilder sb = new StringBuilder("device,engine,threads,space,op,channels_in,channels_out,size,stride,"
                + "median_ms\n");
        for (Timed t : ops) {
            OpInstance op = t.op();
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%s,%d,%d,%d,%d,%.6f%n", csv(device), engine(),
                    cfg.torchThreads(), Nb201Space.NAME, op.op(), op.channelsIn(), op.channelsOut(), op.size(),
                    op.stride(), t.result().medianMs()));
        }
        sb.append(String.format(Locale.ROOT, "%s,%s,%d,%s,constant,0,0,0,0,%.6f%n", csv(device), engine(),
                cfg.torchThreads(), Nb201Space.NAME, predictor.constant()));
        try {
            Path p = new Path(sweep.store().root(), "latency_table.csv");
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            ResultStore.writeWhole(fs, p.toString(), sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csv(String s) {
        return s.replace(',', ';');
    }

    static String engine() {
        return "djl-" + Provenance.current("").djlVersion() + "/" + Engine.getInstance().getEngineName() + "-"
                + Engine.getInstance().getVersion();
    }

    /** The device a timing task ran on: the GPU, or the CPU's model name. */
    static String deviceName(Device d) {
        if (d.isGpu()) {
            return Devices.describe(d);
        }
        try {
            for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return "cpu " + line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture is the best name there is
        }
        return "cpu " + System.getProperty("os.arch");
    }

    static Timed timeOp(Config c, OpInstance op) {
        Torch.pinThreads(c.torchThreads());
        Device d = Devices.choose(SparkEvaluator.assignedGpu(TaskContext.get()));
        return new Timed(op, "", Timing.nb201Op(op, d, c.warmup(), c.repeats()), deviceName(d),
                SparkEvaluator.hostName());
    }

    static Timed timeNetwork(Config c, String genotype) {
        Torch.pinThreads(c.torchThreads());
        Device d = Devices.choose(SparkEvaluator.assignedGpu(TaskContext.get()));
        return new Timed(null, genotype, Timing.nb201Network(Nb201Cell.parse(genotype), c.network(), d, c.warmup(),
                c.repeats()), deviceName(d), SparkEvaluator.hostName());
    }
}
