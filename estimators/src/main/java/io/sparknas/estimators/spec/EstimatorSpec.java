package io.sparknas.estimators.spec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.sparknas.estimators.Estimator;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * How to build an estimator, as a small serialisable value that travels to executors; each executor JVM builds
 * the estimator once from it (the pipeline's executor cache). A sealed type, one record per kind; its JSON carries
 * the kind in a {@code kind} field ({@code {"kind":"proxy","proxy":{...},"data":{...}}}), which is how the
 * configuration's {@code estimator} section binds to it and how results record it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ProxySpec.class, name = ProxySpec.KIND),
    @JsonSubTypes.Type(value = TabularSpec.class, name = TabularSpec.KIND),
    @JsonSubTypes.Type(value = SupernetSpec.class, name = SupernetSpec.KIND)
})
public sealed interface EstimatorSpec extends Serializable permits ProxySpec, TabularSpec, SupernetSpec {

    /** The names of the kinds, as the configuration's {@code estimator.kind} takes them. */
    static List<String> kinds() {
        return Arrays.stream(EstimatorSpec.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name).toList();
    }

    /** The kind's name, as in the configuration and the {@code estimator} column. */
    String kind();

    /** Builds the estimator: loads the dataset or table and, for trained kinds, starts the engine. */
    Estimator create();
}
