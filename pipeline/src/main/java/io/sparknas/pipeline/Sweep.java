package io.sparknas.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Keys;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one lifecycle of a sweep, whatever the job: {@link #open} writes a new sweep's {@code sweep.json} or checks
 * that the stored sweep was made with the same configuration (else {@link Mismatch}); evaluated candidates are
 * committed per round through the one row mapping ({@link ResultSchema#toRow}), strategy checkpoints and a job's
 * own datasets beside them; a resume reads back what was committed. Every job (search, darts, and those to come)
 * runs its sweep through here.
 */
public final class Sweep {
    /**
     * Version of the Parquet schemas, recorded in {@code sweep.json}. 2: the {@code budget} column of
     * {@code candidates} became {@code estimator_config} (the estimator's JSON, with its {@code kind}); readers of
     * version-1 sweeps find the same JSON under {@code budget}.
     */
    public static final int SCHEMA_VERSION = 2;

    /** What a job's configuration says about its sweep. */
    public interface Definition {
        /** Recorded in every row; names files. */
        String name();

        /** The result store: a local directory or a Hadoop URI. */
        String output();

        /** The job that writes the sweep: {@code search}, {@code darts}, ... */
        String kind();

        /** The estimator the sweep's candidates are evaluated with (and its winner retrained by). */
        EstimatorSpec estimator();

        /** Canonical JSON of everything that determines the results; a resume must give the same. */
        String semantics();

        default String hash() {
            return Keys.of(semantics());
        }
    }

    /** The path holds a sweep made with another configuration (or results without {@code sweep.json}). */
    public static final class Mismatch extends IllegalStateException {
        Mismatch(String message) {
            super(message);
        }
    }

    private final ResultStore store;
    private final Definition definition;
    private final Provenance provenance;

    private Sweep(ResultStore store, Definition definition, Provenance provenance) {
        this.store = store;
        this.definition = definition;
        this.provenance = provenance;
    }

    /**
     * Opens the sweep of {@code definition}: creates it (its {@code sweep.json}: name, kind, the whole
     * configuration, its semantics and hash, provenance, schema version) or checks the stored one. Refuses a path
     * that holds committed {@code datasets} but no {@code sweep.json}.
     */
    public static Sweep open(SparkSession spark, Definition definition, String... datasets) {
        ResultStore store = new ResultStore(spark, definition.output());
        Provenance provenance = Provenance.current(definition.hash());
        Optional<String> meta = store.metadata();
        if (meta.isEmpty()) {
            for (String dataset : datasets) {
                if (store.exists() && !store.committedRounds(dataset).isEmpty()) {
                    throw new Mismatch(store.root() + " holds results but no sweep.json; refusing to mix sweeps "
                            + "(choose another sweep.output)");
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sweep", definition.name());
            m.put("kind", definition.kind());
            m.put("schemaVersion", SCHEMA_VERSION);
            m.put("configHash", provenance.configHash());
            m.put("config", definition);
            m.put("semantics", definition.semantics());
            m.put("createdAt", System.currentTimeMillis());
            m.put("provenance", provenance);
            store.create(SweepConfig.JSON.valueToTree(m).toPrettyString());
            return new Sweep(store, definition, provenance);
        }
        JsonNode stored;
        try {
            stored = new ObjectMapper().readTree(meta.get());
        } catch (Exception e) {
            throw new Mismatch(store.root() + "/sweep.json is not valid JSON: " + e.getMessage());
        }
        String storedHash = stored.path("configHash").asText();
        if (!storedHash.equals(provenance.configHash())) {
            throw new Mismatch("the sweep at " + store.root() + " was made with another configuration (hash "
                    + storedHash + ", this one " + provenance.configHash() + "):\n  stored: "
                    + stored.path("semantics").asText() + "\n  given:  " + definition.semantics() + "\nResume with "
                    + "the stored configuration, choose another sweep.output, or pass --new-sweep to move the old "
                    + "sweep aside and start a new one.");
        }
        return new Sweep(store, definition, provenance);
    }

    public ResultStore store() {
        return store;
    }

    public String name() {
        return definition.name();
    }

    public String hash() {
        return provenance.configHash();
    }

    /** Commits round {@code round} of evaluated candidates (one row each, in the given order) atomically. */
    public void commitCandidates(int round, EstimatorSpec estimator, List<TaskResult> results) {
        List<Row> rows = new ArrayList<>(results.size());
        for (TaskResult r : results) {
            rows.add(ResultSchema.toRow(definition.name(), estimator, r, provenance));
        }
        store.commit(ResultStore.CANDIDATES, round, rows, ResultSchema.CANDIDATES);
    }

    /** The evaluations committed in {@code round}, in candidate order. */
    public List<Evaluation> candidates(int round) {
        return store.readRound(round);
    }

    /** Commits the strategy's state after {@code round}. */
    public void commitCheckpoint(int round, String strategy, int told, String snapshot) {
        store.commit(ResultStore.CHECKPOINTS, round,
                List.of(ResultSchema.checkpointRow(definition.name(), strategy, told, snapshot)), ResultSchema.CHECKPOINTS);
    }

    /** Commits rows of one of the job's own datasets (e.g. DARTS traces) as {@code dataset/round=N}. */
    public void commit(String dataset, int round, List<Row> rows, StructType schema) {
        store.commit(dataset, round, rows, schema);
    }

    public boolean isCommitted(String dataset) {
        return !store.committedRounds(dataset).isEmpty();
    }
}
