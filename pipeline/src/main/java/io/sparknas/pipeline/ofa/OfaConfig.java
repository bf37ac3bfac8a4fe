package io.sparknas.pipeline.ofa;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.oneshot.ofa.OfaTrainingConfig;
import io.sparknas.oneshot.ofa.ProgressiveShrinking;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.space.ConstrainedSpace;
import io.sparknas.space.ofa.OfaCostModel;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;
import io.sparknas.strategies.StrategyConfig;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/** The ofa job's configuration; {@code estimator} is the proxy that gives the images and the scratch budget. */
public record OfaConfig(String name, String output, OfaSpace space, OfaTrainingConfig training, Search search,
                     EstimatorSpec estimator) implements Sweep.Evaluated, Serializable {
    public OfaConfig {
        Json.checkName(name);
        ProgressiveShrinking.phases(space, training); // a schedule that does not fit the space, refused here
        DataConfig d = ProxySpec.required(estimator, "ofa").data();
        long smallest = OfaCostModel.of(space, space.smallest(), d.imageChannels(), d.imageSide(), d.classes())
                .flops();
        for (double b : search.budgets()) {
            if (b * 1e6 < smallest) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "ofa.search.budgets: %s MFLOPs is "
                        + "below the smallest subnet's %.3f MFLOPs (%s); raise the budget or shrink ofa.depths, "
                        + "kernels or expands", OfaSweep.fmt(b), smallest / 1e6, space.smallest().text()));
            }
        }
        checkDrawable(space, search, d);
    }

    /**
     * Each budget's search starts from random subnets under it, re-drawn up to {@link ConstrainedSpace#TRIES} times:
     * a budget that random draws never meet (just above the smallest subnet) is refused here, before the supernet
     * is trained, rather than after.
     */
    private static void checkDrawable(OfaSpace space, Search search, DataConfig d) {
        for (int i = 0; i < search.budgets().size(); i++) {
            double b = search.budgets().get(i);
            java.util.Random rng = new java.util.Random(search.strategy().seed() + i);
            boolean met = false;
            for (int t = 0; t < ConstrainedSpace.TRIES && !met; t++) {
                met = OfaCostModel.of(space, space.sample(rng), d.imageChannels(), d.imageSide(), d.classes())
                        .flops() <= b * 1e6;
            }
            if (!met) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "ofa.search.budgets: no random subnet "
                        + "of %d drawn is within %s MFLOPs (subnets that small are too rare to search from random "
                        + "draws); raise the budget", ConstrainedSpace.TRIES, OfaSweep.fmt(b)));
            }
        }
    }

    @Override
    public String kind() {
        return "ofa";
    }

    ProxySpec proxy() {
        return ProxySpec.required(estimator, kind());
    }

    /** Epochs of progressive shrinking, every phase's summed: what a subnet's weights were trained for. */
    int supernetEpochs() {
        return ProgressiveShrinking.phases(space, training).stream().mapToInt(ProgressiveShrinking.Phase::epochs).sum();
    }

    /** FLOPs of a subnet on this sweep's images. */
    long flops(OfaSubnet net) {
        DataConfig d = proxy().data();
        return OfaCostModel.of(space, net, d.imageChannels(), d.imageSide(), d.classes()).flops();
    }

    /**
     * The subnet search, bound from {@code ofa.search}.
     *
     * @param budgets           FLOP budgets in millions of multiply-adds; one constrained search each
     * @param evaluations       subnets evaluated per budget
     * @param roundSize         subnets per committed round
     * @param randomSubnets     random subnets evaluated for the scatter (round 0)
     * @param strategy          the search per budget (seed {@code strategy.seed + i} for budget {@code i})
     * @param calibrationImages training images that recalibrate each subnet's BN
     * @param latencyRepeats    timed passes of each subnet at batch 1 (0 = none)
     * @param scratch           train each budget's chosen subnet from scratch with the proxy estimator
     * @param scratchMatched    also train it from scratch for as many epochs as the supernet trained (the full
     *                          phase and every later one): the baseline at the supernet's own budget
     */
    public record Search(List<Double> budgets, int evaluations, int roundSize, int randomSubnets,
                         StrategyConfig strategy, int calibrationImages, int latencyRepeats, boolean scratch,
                         @com.fasterxml.jackson.annotation.JsonInclude(
                                 com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
                         boolean scratchMatched) implements Serializable {
        public Search {
            budgets = List.copyOf(budgets);
            if (budgets.isEmpty() || budgets.stream().anyMatch(b -> !(b > 0))) {
                throw new IllegalArgumentException("ofa.search.budgets must list positive MFLOPs, got " + budgets);
            }
            if (evaluations < 1 || roundSize < 1 || randomSubnets < 0 || calibrationImages < 1 || latencyRepeats < 0) {
                throw new IllegalArgumentException("ofa.search: evaluations, roundSize and calibrationImages must be "
                        + "positive, randomSubnets and latencyRepeats >= 0");
            }
        }
    }

    @Override
    public String semantics() {
        ObjectNode n = Json.semanticsOf(kind());
        n.set("space", Json.MAPPER.valueToTree(space));
        n.set("training", Json.MAPPER.valueToTree(training));
        n.set("search", Json.MAPPER.valueToTree(search));
        n.set("estimator", Json.MAPPER.valueToTree(estimator));
        return Json.canonical(n);
    }
}
