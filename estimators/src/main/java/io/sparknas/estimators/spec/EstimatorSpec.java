package io.sparknas.estimators.spec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * How to build an estimator, as a small serialisable value that travels to executors; each executor JVM builds
 * the estimator once from it (the pipeline's executor cache). One record per configured kind; its JSON carries
 * the kind in a {@code kind} field ({@code {"kind":"proxy","proxy":{...},"data":{...}}}), which is how the
 * configuration's {@code estimator} section binds to it and how results record it. The spec says what the pipeline
 * needs to know about it (whether it trains, its images, the networks it builds, the files it reads),
 * so the pipeline never asks which kind it is.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ProxySpec.class, name = ProxySpec.KIND),
    @JsonSubTypes.Type(value = TabularSpec.class, name = TabularSpec.KIND),
    @JsonSubTypes.Type(value = SupernetSpec.class, name = SupernetSpec.KIND),
    @JsonSubTypes.Type(value = OneShotSpec.class, name = OneShotSpec.KIND)
})
public interface EstimatorSpec extends Serializable {

    /** The names of the kinds, as the configuration's {@code estimator.kind} takes them. */
    static List<String> kinds() {
        return Arrays.stream(EstimatorSpec.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name).toList();
    }

    /** The kind's name, as in the configuration and the {@code estimator} column. */
    String kind();

    /** Builds the estimator: loads the dataset or table and, for trained kinds, starts the engine. */
    Estimator create();

    /**
     * Whether each evaluation trains a network (its cost varies from candidate to candidate, minutes each): such
     * searches default to asynchronous evaluation; a look-up or a score does not.
     */
    default boolean trains() {
        return false;
    }

    /**
     * Whether a training can be paused and continued ({@link io.sparknas.estimators.TrainingSpan}): what a
     * multi-fidelity scheduler needs. Only an estimator that trains epoch by epoch can.
     */
    default boolean pausable() {
        return false;
    }

    /**
     * Refuses, in one line, settings that contradict a scheduler deciding each candidate's epochs (up to
     * {@code maxEpochs}).
     */
    default void checkScheduled(int maxEpochs) {
    }

    /**
     * The spec that retrains a sweep's winner to export its network: this one, or for an estimator that does not
     * train a candidate's own network (a supernet's weights), the training it stands in for.
     */
    default EstimatorSpec retraining() {
        return this;
    }

    /** The search spaces whose candidates the estimator can score; empty = any. */
    default List<String> spaces() {
        return List.of();
    }

    /** The images the estimator reads, if it reads any. */
    default Optional<DataConfig> dataset() {
        return Optional.empty();
    }

    /** The network a DARTS genotype is evaluated as, where the estimator builds one (its costs before training). */
    default Optional<DartsNetworkConfig> dartsNetworkShape() {
        return Optional.empty();
    }

    /** The network a NAS-Bench-201 cell is evaluated as, where there is one. */
    default Optional<Nb201NetworkConfig> nb201NetworkShape() {
        return Optional.empty();
    }

    /**
     * Refuses, before anything is written, what this machine cannot give the estimator when its executors are this
     * JVM (Spark local mode): a missing or unreadable table or dataset. One line, saying what and how to fix it.
     */
    default void checkLocal() {
    }

    /**
     * What must be trained once for the whole sweep before any candidate is scored (a weight-sharing supernet), if
     * anything: the pipeline trains and stores it, then evaluates with {@link SweepTraining#trained}'s spec.
     */
    default Optional<SweepTraining> sweepTraining() {
        return Optional.empty();
    }

    /** Files every executor needs a copy of (Spark ships them once, {@code SparkContext.addFile}). */
    default List<String> filesToShip() {
        return List.of();
    }

    /** The same spec reading the executor's local copies ({@code local} maps a shipped file to its copy, or null). */
    default EstimatorSpec withLocalFiles(UnaryOperator<String> local) {
        return this;
    }
}
