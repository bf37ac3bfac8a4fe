package io.sparknas.pipeline.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

        /**
         * The estimators the sweep's candidates are evaluated with, the first also retraining its winner (none for a
         * kind that evaluates no candidates, a latency profile): what a job checks on this machine before it starts.
         */
        default List<EstimatorSpec> estimators() {
            return List.of();
        }

        /** Canonical JSON of everything that determines the results; a resume must give the same. */
        String semantics();

        default String hash() {
            return Keys.of(semantics());
        }

        /**
         * The id of the budget extension this run applies ({@code --extend N --id ID}), recorded with the raised
         * budget in {@code budgetHistory} in the same write, so that a retried run sees it applied; none by default.
         */
        default Optional<String> extension() {
            return Optional.empty();
        }
    }

    /** A definition whose candidates one estimator evaluates (it also retrains the winner). */
    public interface Evaluated extends Definition {
        EstimatorSpec estimator();

        @Override
        default List<EstimatorSpec> estimators() {
            return List.of(estimator());
        }
    }

    /**
     * Input a job checks when it starts, before it writes anything (a latency table, a base genotype file): the
     * message is one line for the user, saying what is wrong, where, and how to fix it.
     */
    public static final class Refused extends IllegalArgumentException {
        public Refused(String message) {
            super(message);
        }
    }

    /** The path holds a sweep made with another configuration (or results without {@code sweep.json}). */
    public static final class Mismatch extends IllegalStateException {
        public Mismatch(String message) {
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
        // every Spark job of the sweep in one group, named in the Spark UI
        spark.sparkContext().setJobGroup("sparknas-" + definition.kind() + "-" + definition.name(),
                "sparknas " + definition.kind() + " " + definition.name(), false);
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
            budget(definition.semantics()).ifPresent(b -> definition.extension().ifPresent(id -> m.put(
                    "budgetHistory", List.of(Map.of("budget", b, "at", m.get("createdAt"), "extension", id)))));
            store.create(Json.MAPPER.valueToTree(m).toPrettyString());
            return new Sweep(store, definition, provenance);
        }
        JsonNode stored;
        try {
            stored = new ObjectMapper().readTree(meta.get());
        } catch (Exception e) {
           throw new Mismatch(store.root() + "/sweep.json is not valid JSON: " + e.getMessage());
        }
        store.recoverCompaction();
        List<ResultStore.Unreadable> bad = store.unreadable();
        if (!bad.isEmpty()) {
            ResultStore.Unreadable b = bad.get(0);
           throw new Mismatch(b.file() + " is unreadable (" + b.reason() + ")" + (bad.size() > 1 ? " and "
                    + (bad.size() - 1) + " more" : "") + "; run: ./sparknas repair --sweep " + store.root()
                    + " (it moves the damaged round and those after it to _quarantine/; the next run evaluates them "
                    + "again, seeded as before)");
        }
        String storedHash = stored.path("configHash").asText();
        Optional<Integer> budget = budget(definition.semantics());
        if (budget.isPresent() && budget.get() < currentBudget(stored)) {
           throw new Mismatch("the sweep at " + store.root() + " has a budget of " + currentBudget(stored)
                    + " evaluations; a budget may be raised on resume, not lowered (given " + budget.get() + ")");
        }
        if (!storedHash.equals(provenance.configHash()) && budget.isPresent()
                && withoutBudget(stored.path("semantics").asText()).equals(withoutBudget(definition.semantics()))) {
            // the same sweep with a raised budget: recorded in sweep.json; its rows keep the sweep's hash
            if (budget.get() > currentBudget(stored)) {
                ObjectNode m = (ObjectNode) stored;
                ArrayNode history = m.has("budgetHistory") ? (ArrayNode) m.get("budgetHistory")
                        : m.putArray("budgetHistory");
                if (history.isEmpty()) {
                    history.addObject().put("budget", budget(stored.path("semantics").asText()).orElseThrow())
                            .put("at", stored.path("createdAt").asLong());
                }
                ObjectNode entry = history.addObject().put("budget", budget.get()).put("at", System.currentTimeMillis());
                definition.extension().ifPresent(id -> entry.put("extension", id));
                store.replaceMetadata(m.toPrettyString());
            }
            return new Sweep(store, definition, Provenance.current(storedHash));
        }
        if (!storedHash.equals(provenance.configHash())) {
           throw new Mismatch("the sweep at " + store.root() + " was made with another configuration (hash "
                    + storedHash + ", this one " + provenance.configHash() + "):\n  stored: "
                    + stored.path("semantics").asText() + "\n  given:  " + definition.semantics() + "\nResume with "
                    + "the stored configuration, choose another sweep.output, or pass --new-sweep to move the old "
                    + "sweep aside and start a new one.");
        }
        return new Sweep(store, definition, provenance);
    }

    /** The top-level {@code budget} of a definition's semantics, where it has one (search sweeps). */
    private static Optional<Integer> budget(String semantics) {
        try {
            JsonNode n = new ObjectMapper().readTree(semantics);
            return n.has("budget") ? Optional.of(n.get("budget").asInt()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Whether the stored sweep's budget was raised by the extension {@code id} before (see {@link Definition#extension}). */
    public static boolean extendedBy(JsonNode stored, String id) {
        for (JsonNode h : stored.path("budgetHistory")) {
            if (id.equals(h.path("extension").asText(null))) {
                return true;
            }
        }
        return false;
    }

    /** The budget a stored sweep ({@code sweep.json}) has now: the last of its history, or the one it was made with. */
    public static int currentBudget(JsonNode stored) {
        JsonNode history = stored.path("budgetHistory");
        if (history.isArray() && !history.isEmpty()) {
            return history.get(history.size() - 1).path("budget").asInt();
        }
        return budget(stored.path("semantics").asText()).orElse(Integer.MIN_VALUE);
    }

    private static String withoutBudget(String semantics) {
        try {
            ObjectNode n = (ObjectNode) new ObjectMapper().readTree(semantics);
            n.remove("budget");
            return Json.canonical(n);
        } catch (Exception e) {
            return semantics;
        }
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

    /**
     * Commits one candidate of an asynchronous stage on its own ({@code candidates/round=N/tell-<seq>.parquet}),
     * with its place in the order of tells.
     */
    public void commitTold(int round, EstimatorSpec estimator, TaskResult result, int tellSeq, int askedBefore) {
        store.commitFile(ResultStore.CANDIDATES, round, List.of(ResultSchema.toRow(definition.name(), estimator,
                result, provenance, tellSeq, askedBefore)), ResultSchema.CANDIDATES, ResultStore.tellFile(tellSeq));
    }

    /**
     * Commits one candidate of a fixed list on its own ({@code candidates/round=N/candidate-<id>.parquet}), so that a
     * stage stopped half-way keeps what it finished.
     */
    public void commitOne(int round, EstimatorSpec estimator, TaskResult result) {
        store.commitFile(ResultStore.CANDIDATES, round, List.of(ResultSchema.toRow(definition.name(), estimator,
                result, provenance)), ResultSchema.CANDIDATES,
                "candidate-" + result.evaluation().candidate().id() + ".parquet");
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
