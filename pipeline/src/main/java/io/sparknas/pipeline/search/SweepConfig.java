package io.sparknas.pipeline.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.strategies.StrategyConfig;

import java.io.Serializable;

/**
 * Everything a search sweep needs. The {@link #hash()} covers what determines its results (space, strategy,
 * evaluations, round size, mode, estimator, objective); a resumed sweep must have the same hash (a raised budget
 * excepted: {@link Sweep#open}).
 *
 * @param name      sweep id recorded in every row
 * @param output    result store path (local or a Hadoop URI)
 * @param search    budget, rounds or asynchronous evaluation, failure tolerance ({@code search})
 * @param objective a latency table's prediction, a penalised reward, a constraint ({@code search.objective})
 */
public record SweepConfig(String name, String output, SpaceConfig space, StrategyConfig strategy,
                          EstimatorSpec estimator, SearchSettings search, SearchObjective objective,
                          @com.fasterxml.jackson.annotation.JsonIgnore String extensionId)
        implements Sweep.Evaluated, Serializable {
    public SweepConfig {
        extensionId = extensionId == null ? "" : extensionId;
        if (!extensionId.isEmpty() && !extensionId.matches(EXTENSION_ID)) {
            throw new IllegalArgumentException("--id must be 1-64 letters, digits, '.', '_', ':' or '-' (a date, a "
                    + "run id), got '" + extensionId + "'");
        }
        Json.checkName(name);
        if (output == null || output.isBlank()) {
            throw new IllegalArgumentException("sweep.output must name a directory or Hadoop URI for the results");
        }
        if (search == null) {
            throw new IllegalArgumentException("a search needs its search settings (budget, roundSize, ...)");
        }
        search = search.resolved(estimator.trains());
        if (search.scheduler().enabled()) {
            checkScheduler(search.scheduler(), estimator);
        }
        if (!estimator.spaces().isEmpty() && !estimator.spaces().contains(space.name())) {
            throw new IllegalArgumentException("estimator.kind = " + estimator.kind() + " scores candidates of "
                    + String.join(", ", estimator.spaces()) + " only, not space.name = " + space.name()
                    + "; set space.name = \"" + estimator.spaces().get(0) + "\"");
        }
        objective = objective == null ? SearchObjective.NONE : objective;
        objective.checkNames(strategy.objectives().subList(1, strategy.objectives().size()));
        if (objective.isSet() && !estimator.trains()
                && !space.name().equals(io.sparknas.space.nb201.Nb201Space.NAME)) {
            throw new IllegalArgumentException("search.objective: a tabular estimator has NAS-Bench-201 costs only");
        }
        // everything the sweep will build, checked before anything is written (sweep.json fixes the hash)
        try {
            space.create();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("space.") ? e.getMessage()
                    : "space: " + e.getMessage(), e);
        }
    }

    /** What an extension id may be: a date, a run id. */
    public static final String EXTENSION_ID = "[A-Za-z0-9._:-]{1,64}";

    /** A search without a budget extension id. */
    public SweepConfig(String name, String output, SpaceConfig space, StrategyConfig strategy, EstimatorSpec estimator,
                       SearchSettings search, SearchObjective objective) {
        this(name, output, space, strategy, estimator, search, objective, "");
    }

    /** Rounds of {@code roundSize}, without an objective beyond accuracy. */
    public SweepConfig(String name, String output, SpaceConfig space, StrategyConfig strategy, EstimatorSpec estimator,
                       int budget, int roundSize, int partitions) {
        this(name, output, space, strategy, estimator, SearchSettings.rounds(budget, roundSize, partitions),
                SearchObjective.NONE);
    }

    public int budget() {
        return search.budget();
    }

    public int roundSize() {
        return search.roundSize();
    }

    public int partitions() {
        return search.partitions();
    }

    public double maxFailedFraction() {
        return search.maxFailedFraction();
    }

    /** The same sweep with another budget (a scheduled sweep's next extension). */
    public SweepConfig withBudget(int budget) {
        return new SweepConfig(name, output, space, strategy, estimator, search.withBudget(budget), objective,
                extensionId);
    }

    /** The same sweep with another budget, applied as the extension {@code id} (recorded in sweep.json). */
    public SweepConfig withBudget(int budget, String id) {
        return new SweepConfig(name, output, space, strategy, estimator, search.withBudget(budget), objective, id);
    }

    @Override
    public java.util.Optional<String> extension() {
        return extensionId.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(extensionId);
    }

    /** The part of the configuration that determines results, as canonical Json.MAPPER. */
    @Override
    public String semantics() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.set("space", Json.MAPPER.valueToTree(space));
        ObjectNode s = Json.MAPPER.valueToTree(strategy);
        if (!strategy.name().equals(io.sparknas.strategies.Nsga2.NAME)) {
            s.remove("objectives"); // read by nsga2 only: sweeps of the other strategies keep their hash
        }
        n.set("strategy", s);
        n.set("estimator", Json.MAPPER.valueToTree(estimator));
        n.put("budget", search.budget());
        n.put("roundSize", search.roundSize());
        if (search.async()) { // absent in rounds mode: sweeps made before async existed keep their hash
            n.put("mode", search.mode().text());
            n.put("inFlight", search.inFlight());
        }
        if (search.scheduler().enabled()) { // absent otherwise: sweeps made before schedulers existed keep their hash
            n.set("scheduler", Json.MAPPER.valueToTree(search.scheduler()));
        }
        if (search.warmStart().enabled()) { // absent otherwise, as the scheduler
            n.set("warmStart", Json.MAPPER.valueToTree(search.warmStart()));
        }
        if (objective.isSet()) { // absent otherwise: sweeps made before objectives existed keep their hash
            n.set("objective", Json.MAPPER.valueToTree(objective));
        }
        return Json.canonical(n);
    }

    /** A scheduler needs trainings it can pause: refused in one line before anything is written. */
    private static void checkScheduler(io.sparknas.strategies.fidelity.SchedulerConfig s, EstimatorSpec estimator) {
        if (!estimator.trains()) {
            throw new IllegalArgumentException("search.scheduler = " + s.kind() + " needs an estimator that trains "
                    + "(estimator.kind = proxy); '" + estimator.kind() + "' has no epochs to schedule (set "
                    + "search.scheduler.kind = none)");
        }
        if (!estimator.pausable()) {
            throw new IllegalArgumentException("search.scheduler = " + s.kind() + ": estimator.kind = '"
                    + estimator.kind() + "' cannot pause and continue a training; use estimator.kind = proxy");
        }
        estimator.checkScheduled(s.maxEpochs());
    }

    @Override
    public String kind() {
        return "search";
    }
}
