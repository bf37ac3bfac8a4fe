package io.sparknas.pipeline.profile;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.latency.Timing;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.space.Operation;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.latency.DartsOps;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.latency.Nb201Ops;
import io.sparknas.space.latency.OpInstance;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.nb201.Nb201Space;

import java.io.Serializable;
import java.util.List;

/**
 * The profile job's configuration, bound from {@code profile}.
 *
 * @param space        the space whose networks are timed: {@code nb201} or {@code darts}
 * @param network      nb201: the network timed (its channels, cells per stage, input)
 * @param darts        darts: the network timed (input, classes, channels, layers, stem): the one the proxy
 *                     estimator trains derived genotypes as, so that a latency-aware search predicts it
 * @param warmup       untimed passes before timing
 * @param repeats      timed passes per instance or network
 * @param validation   random networks timed end to end to fit and check the predictor (0 = none)
 * @param partitions   Spark tasks the timing is spread over (timings that share a machine disturb each other:
 *                     one task per executor machine)
 * @param seed         which random networks
 * @param torchThreads libtorch threads while timing (part of the table's key)
 * @param predictor    {@code additive} (the table's sum plus a fitted constant) or {@code calibrated} (also a factor
 *                     per operation kind fitted on the validation's fitting half: {@link LatencyPredictor#calibrated})
 * @param statistic    which statistic of the timed passes is the latency, of an instance, the harness and a network:
 *                     {@code p10} (the default: the undisturbed cost; on a shared machine the median also holds other
 *                     work's interference, which does not repeat from one timing to the next) or {@code median}
 */
public record ProfileConfig(String name, String output, String space, Nb201NetworkConfig network,
                     DartsNetworkConfig darts, int warmup, int repeats, int validation, int partitions, long seed,
                     int torchThreads, String predictor, String statistic) implements Sweep.Definition, Serializable {
    public static final List<String> SPACES = List.of(Nb201Space.NAME, DartsSpace.NAME);
    public static final List<String> PREDICTORS = List.of("additive", "calibrated");
    public static final List<String> STATISTICS = List.of("p10", "median");

    public ProfileConfig {
        Json.checkName(name);
        if (!SPACES.contains(space)) {
            throw new IllegalArgumentException("profile.space must be one of " + SPACES + ", got '" + space + "'");
        }
        if (space.equals(Nb201Space.NAME) ? network == null : darts == null) {
            throw new IllegalArgumentException("profile." + (space.equals(Nb201Space.NAME) ? "network" : "darts")
                    + " must describe the " + space + " network to time");
        }
        if (warmup < 0 || repeats < 1 || validation < 0 || partitions < 1 || torchThreads < 1) {
            throw new IllegalArgumentException("profile: warmup >= 0, repeats >= 1, validation >= 0, partitions "
                    + ">= 1 and torchThreads >= 1 are required");
        }
        if (!PREDICTORS.contains(predictor)) {
            throw new IllegalArgumentException("profile.predictor must be one of " + PREDICTORS + ", got '"
                    + predictor + "'");
        }
        if (!STATISTICS.contains(statistic)) {
            throw new IllegalArgumentException("profile.statistic must be one of " + STATISTICS + ", got '"
                    + statistic + "'");
        }
    }

    /** The configured statistic of {@code r}. */
    double latencyOf(Timing.Result r) {
        return statistic.equals("p10") ? r.p10Ms() : r.medianMs();
    }

    boolean calibrated() {
        return predictor.equals("calibrated");
    }

    @Override
    public String kind() {
        return "profile";
    }

    boolean isDarts() {
        return space.equals(DartsSpace.NAME);
    }

    /** Every distinct operation instance the space's networks run (DARTS: its 7 primitives). */
    List<OpInstance> instances() {
        return isDarts() ? DartsOps.distinct(darts, Operation.DARTS) : Nb201Ops.distinct(network);
    }

    /** The instances the network of {@code genotype} runs. */
    List<OpInstance> instancesOf(String genotype) {
        return isDarts() ? DartsOps.of(DartsText.parse(genotype), darts)
                : Nb201Ops.of(Nb201Cell.parse(genotype), network);
    }

    /** A random network of the space, as text. */
    String sample(SeededRandom rng) {
        return isDarts() ? DartsText.format(new DartsSpace().sample(rng)) : new Nb201Space().sample(rng).text();
    }

    Timing.Result timeOp(OpInstance op, Device d) {
        return isDarts() ? Timing.dartsOp(op, d, warmup, repeats) : Timing.nb201Op(op, d, warmup, repeats);
    }

    Timing.Result timeNetwork(String genotype, Device d) {
        return isDarts() ? Timing.dartsNetwork(DartsText.parse(genotype), darts, d, warmup, repeats)
                : Timing.nb201Network(Nb201Cell.parse(genotype), network, d, warmup, repeats);
    }

    @Override
    public String semantics() {
        ObjectNode n = Json.semanticsOf(kind());
        n.put("space", space);
        n.set("network", Json.MAPPER.valueToTree(isDarts() ? darts : network));
        n.put("warmup", warmup);
        n.put("repeats", repeats);
        n.put("validation", validation);
        n.put("seed", seed);
        n.put("torchThreads", torchThreads);
        n.put("predictor", predictor);
        n.put("statistic", statistic);
        n.put("instances", instances().size());
        return Json.canonical(n);
    }
}
