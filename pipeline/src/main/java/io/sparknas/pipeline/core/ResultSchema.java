package io.sparknas.pipeline.core;

import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Parquet schemas of a sweep (an interface: documented in docs/outputs.md, changed on purpose; {@link Sweep#SCHEMA_VERSION}
 * says which one a sweep was written with), and the one mapping between candidates and their rows, by column name.
 * The {@code round} column is not stored in the files; it comes from the {@code round=N} directory, as Hive
 * partitioning, so Spark, pyarrow and DuckDB all see it.
 */
public final class ResultSchema {
    private ResultSchema() {
    }

    public static final StructType CANDIDATES = elementsNotNull(ddl("""
            sweep_id STRING NOT NULL, candidate_id STRING NOT NULL, parents ARRAY<STRING> NOT NULL,
            origin STRING NOT NULL, space STRING NOT NULL, genotype STRING NOT NULL, canonical_key STRING NOT NULL,
            seed BIGINT NOT NULL, estimator STRING NOT NULL, estimator_config STRING NOT NULL, status STRING NOT NULL,
            %s DOUBLE, %s DOUBLE, %s BIGINT, %s BIGINT, %s DOUBLE, %s DOUBLE, %s DOUBLE,
            error STRING NOT NULL, device STRING NOT NULL, executor STRING NOT NULL, host STRING NOT NULL,
            task_attempt INT NOT NULL, start_time TIMESTAMP NOT NULL, end_time TIMESTAMP NOT NULL,
            metrics MAP<STRING, DOUBLE> NOT NULL, config_hash STRING NOT NULL, sparknas_version STRING NOT NULL,
            spark_version STRING NOT NULL, djl_version STRING NOT NULL, java_version STRING NOT NULL,
            tell_seq INT, asked_before INT
            """.formatted(Metrics.ACCURACY, Metrics.TEST_ACCURACY, Metrics.PARAMS, Metrics.FLOPS, Metrics.LATENCY_MS_B1,
            Metrics.LATENCY_MS_BATCH, Metrics.TRAIN_SECONDS)));

    public static final StructType CHECKPOINTS = ddl("""
            sweep_id STRING NOT NULL, strategy STRING NOT NULL, told INT NOT NULL, snapshot STRING NOT NULL,
            created_at TIMESTAMP NOT NULL
            """);

    /** A kind's own dataset, declared as Spark SQL DDL ({@code "name STRING NOT NULL, loss DOUBLE, ..."}). */
    public static StructType ddl(String columns) {
        return StructType.fromDDL(columns.replace('\n', ' ').strip());
    }

    /** DDL cannot say that an array's elements or a map's values are never null; a candidate's never are. */
    private static StructType elementsNotNull(StructType t) {
        StructField[] fields = t.fields().clone();
        for (int i = 0; i < fields.length; i++) {
            StructField f = fields[i];
            if (f.dataType() instanceof ArrayType a) {
                fields[i] = new StructField(f.name(), DataTypes.createArrayType(a.elementType(), false), f.nullable(),
                        f.metadata());
            } else if (f.dataType() instanceof MapType m) {
                fields[i] = new StructField(f.name(), DataTypes.createMapType(m.keyType(), m.valueType(), false),
                        f.nullable(), f.metadata());
            }
        }
        return new StructType(fields);
    }

    /** A committed candidate: the evaluation, where it ran, the estimator that produced it (kind and JSON). */
    static Row toRow(String sweepId, EstimatorSpec estimator, TaskResult r, Provenance p) {
        return toRow(sweepId, estimator, r, p, null, null);
    }

    /**
     * An asynchronous search's candidate, with its place in the order of tells ({@code tell_seq}, from 0) and how
     * many candidates the strategy had been asked for when it was told ({@code asked_before}): what a resume replays.
     */
    static Row toRow(String sweepId, EstimatorSpec estimator, TaskResult r, Provenance p, Integer tellSeq,
                     Integer askedBefore) {
        Evaluation e = r.evaluation();
        Candidate c = e.candidate();
        return outcome(RowBuilder.of(CANDIDATES), r)
                .set("sweep_id", sweepId)
                .set("candidate_id", c.id())
                .set("parents", c.parents())
                .set("origin", c.origin())
                .set("space", c.space())
                .set("genotype", c.genotype())
                .set("canonical_key", c.key())
                .set("seed", c.seed())
                .set("estimator", estimator.kind())
                .set("estimator_config", Json.MAPPER.valueToTree(estimator).toString())
                .set("status", e.status().name())
                .set(Metrics.ACCURACY, Double.isFinite(e.accuracy()) ? e.accuracy() : null) // a pruned row keeps its accuracy
                .set(Metrics.TEST_ACCURACY, number(e, Metrics.TEST_ACCURACY))
                .set(Metrics.PARAMS, whole(e, Metrics.PARAMS))
                .set(Metrics.FLOPS, whole(e, Metrics.FLOPS))
                .set(Metrics.LATENCY_MS_B1, number(e, Metrics.LATENCY_MS_B1))
                .set(Metrics.LATENCY_MS_BATCH, number(e, Metrics.LATENCY_MS_BATCH))
                .set(Metrics.TRAIN_SECONDS, number(e, Metrics.TRAIN_SECONDS))
                .set("config_hash", p.configHash())
                .set("sparknas_version", p.sparknasVersion())
                .set("spark_version", p.sparkVersion())
                .set("djl_version", p.djlVersion())
                .set("java_version", p.javaVersion())
                .set("tell_seq", tellSeq)
                .set("asked_before", askedBefore)
                .build();
    }

    /** The columns of an evaluation's outcome and where it ran, shared by every dataset of evaluations. */
    static RowBuilder outcome(RowBuilder b, TaskResult r) {
        Evaluation e = r.evaluation();
        return b.set("error", e.error())
                .set("device", e.device())
                .set("executor", r.executor())
                .set("host", r.host())
                .set("task_attempt", r.attempt())
                .set("start_time", new Timestamp(e.startMillis()))
                .set("end_time", new Timestamp(e.endMillis()))
                .set("metrics", finite(e.metrics()));
    }

    /** A stored row's candidate (the columns of {@link #CANDIDATES}' names). */
    static Candidate candidate(Row row) {
        List<String> parents = row.getList(row.fieldIndex("parents"));
        return new Candidate(row.getAs("candidate_id"), row.getAs("space"), row.getAs("genotype"),
                row.getAs("canonical_key"), row.getAs("origin"), parents, row.<Long>getAs("seed"));
    }

    /** A strategy checkpoint after {@code told} results. */
    static Row checkpointRow(String sweepId, String strategy, int told, String snapshot) {
        return RowBuilder.of(CHECKPOINTS).set("sweep_id", sweepId).set("strategy", strategy).set("told", told)
                .set("snapshot", snapshot).set("created_at", new Timestamp(System.currentTimeMillis())).build();
    }

    /** Back from a stored row to the evaluation the strategy was told (for resume). */
    static Evaluation toEvaluation(Row row) {
        Candidate c = candidate(row);
        Map<String, Double> metrics = new HashMap<>(row.getJavaMap(row.fieldIndex("metrics")));
        Object acc = row.getAs(Metrics.ACCURACY);
        return new Evaluation(c, Evaluation.Status.valueOf(row.getAs("status")),
                acc == null ? Double.NaN : (Double) acc, metrics, row.getAs("device"), row.getAs("error"),
                row.<Timestamp>getAs("start_time").getTime(), row.<Timestamp>getAs("end_time").getTime());
    }

    private static Double number(Evaluation e, String name) {
        double v = e.metric(name);
        return Double.isFinite(v) ? v : null;
    }

    private static Long whole(Evaluation e, String name) {
        double v = e.metric(name);
        return Double.isFinite(v) ? (long) v : null;
    }

    private static Map<String, Double> finite(Map<String, Double> metrics) {
        Map<String, Double> out = new HashMap<>();
        metrics.forEach((k, v) -> {
            if (Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
