package io.sparknas.estimators.nn;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsCostModel;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.nb201.Nb201Space;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.scaling.CompoundCoefficients;
import io.sparknas.space.scaling.CompoundScaling;
import io.sparknas.space.scaling.ScaledNetwork;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The DJL networks have exactly the parameters that space's analytic cost models count. */
class NetworkParametersTest {

    static long trainableParameters(Block block) {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    /** Initialises the block and runs one forward pass; returns the output shape. */
    static Shape forward(NDManager manager, Block block, Shape input) {
        block.initialize(manager, DataType.FLOAT32, input);
        NDArray x = manager.randomNormal(input);
        NDList out = block.forward(new ParameterStore(manager, false), new NDList(x), false);
        return out.singletonOrThrow().getShape();
    }

    @Test
    void dartsNetworksMatchTheCostModel() {
        List<DartsGenotype> genotypes = new ArrayList<>(List.of(DartsGenotype.DARTS_V1, DartsGenotype.DARTS_V2));
        SeededRandom rng = new SeededRandom(11);
        DartsSpace space = new DartsSpace();
        for (int i = 0; i < 4; i++) {
            genotypes.add(space.sample(rng));
        }
        List<DartsNetworkConfig> configs = List.of(DartsNetworkConfig.proxy(1, 28, 10),
                new DartsNetworkConfig(3, 32, 10, 8, 5, 3));
        try (NDManager manager = NDManager.newBaseManager()) {
            for (DartsGenotype g : genotypes) {
                for (DartsNetworkConfig cfg : configs) {
                    DartsNetwork net = new DartsNetwork(g, cfg);
                    Shape out = forward(manager, net, new Shape(2, cfg.inputChannels(), cfg.inputSize(), cfg.inputSize()));
                    assertEquals(new Shape(2, 10), out);
                    assertEquals(DartsCostModel.of(g, cfg).params(), trainableParameters(net), g + " " + cfg);
                }
            }
        }
    }

    @Test
    void nb201NetworksMatchTheCostModel() {
        Nb201Space space = new Nb201Space();
        SeededRandom rng = new SeededRandom(5);
        Nb201NetworkConfig cfg = new Nb201NetworkConfig(1, 28, 10, 8, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < 6; i++) {
                Nb201Cell cell = space.sample(rng);
                Nb201Network net = new Nb201Network(cell, cfg);
                assertEquals(new Shape(3, 10), forward(manager, net, new Shape(3, 1, 28, 28)));
                assertEquals(Nb201CostModel.of(cell, cfg).params(), trainableParameters(net), cell.text());
            }
        }
    }

    @Test
    void nb201BenchmarkSkeletonHasTheBenchmarksParameterCount() {
        Nb201Cell allConv = Nb201Cell.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("nb201")) {
            Nb201Network net = new Nb201Network(allConv, Nb201NetworkConfig.benchmark());
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            assertEquals(Nb201CostModel.of(allConv, Nb201NetworkConfig.benchmark()).params(), trainableParameters(net));
        }
    }

    /**
     * Multiply-adds per image of a DJL network after initialisation, from each convolution's weights and the output
     * shape it computes for the input shape it was initialised with, and each linear layer's weights: counted from the
     * blocks themselves, independently of the cost model.
     */
    static long djlFlops(Block block) {
        long n = 0;
        if (block instanceof ai.djl.nn.convolutional.Convolution conv) {
            Shape out = conv.getOutputShapes(conv.getInputShapes())[0];
            long weights = conv.getParameters().get("weight").getArray().size();
            n += weights * out.get(2) * out.get(3);
        } else if (block instanceof ai.djl.nn.core.Linear linear) {
            n += linear.getParameters().get("weight").getArray().size();
        }
        for (Block child : block.getChildren().values()) {
            n += djlFlops(child);
        }
        return n;
    }

    /** Compound scaling's networks: the scaled cost model counts what the scaled DJL network computes. */
    @Test
    void scaledDartsNetworksMatchTheCostModelInParametersAndFlops() {
        ScaledNetwork base = new ScaledNetwork(new NetworkSize(8, 3, 3), 16);
        List<ScaledNetwork> scaled = new ArrayList<>();
        for (double phi : new double[] {0, 1, 2, 3}) {
            scaled.add(CompoundScaling.compound(base, CompoundCoefficients.EFFICIENTNET, phi, 4));
        }
        long target = DartsCostModel.of(DartsGenotype.DARTS_V2, config(scaled.get(3))).flops();
        for (CompoundScaling.Method m : List.of(CompoundScaling.Method.DEPTH, CompoundScaling.Method.WIDTH,
                CompoundScaling.Method.RESOLUTION)) {
            scaled.add(CompoundScaling.matchFlops(m, base, target, 4,
                    n -> DartsCostModel.of(DartsGenotype.DARTS_V2, config(n)).flops()));
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            for (ScaledNetwork n : scaled) {
                DartsNetworkConfig cfg = config(n);
                DartsNetwork net = new DartsNetwork(DartsGenotype.DARTS_V2, cfg);
                assertEquals(new Shape(2, 10), forward(manager, net, new Shape(2, 1, n.resolution(), n.resolution())));
                assertEquals(DartsCostModel.of(DartsGenotype.DARTS_V2, cfg).params(), trainableParameters(net), n.toString());
                assertEquals(DartsCostModel.of(DartsGenotype.DARTS_V2, cfg).flops(), djlFlops(net), n.toString());
            }
        }
    }

    /** A NAS-Bench-201 base scales its cells per stage, channels and resolution; the cost model follows. */
    @Test
    void scaledNb201NetworksMatchTheCostModelInParametersAndFlops() {
        io.sparknas.space.scaling.ScalingBase.Nb201 cell = new io.sparknas.space.scaling.ScalingBase.Nb201(
                Nb201Cell.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|"));
        ScaledNetwork base = new ScaledNetwork(new NetworkSize(8, 1, 1), 16);
        List<ScaledNetwork> scaled = new ArrayList<>();
        for (double phi : new double[] {0, 1, 2}) {
            scaled.add(CompoundScaling.compound(base, CompoundCoefficients.EFFICIENTNET, phi, 4));
        }
        long target = cell.cost(scaled.get(2), 1, 10).flops();
        for (CompoundScaling.Method m : List.of(CompoundScaling.Method.DEPTH, CompoundScaling.Method.WIDTH,
                CompoundScaling.Method.RESOLUTION)) {
            scaled.add(CompoundScaling.matchFlops(m, base, target, 4, n -> cell.cost(n, 1, 10).flops()));
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            for (ScaledNetwork n : scaled) {
                Nb201NetworkConfig cfg = new io.sparknas.space.scaling.ScaledNb201(cell.cell(), n).config(1, 10);
                Nb201Network net = new Nb201Network(cell.cell(), cfg);
                assertEquals(new Shape(2, 10), forward(manager, net, new Shape(2, 1, n.resolution(), n.resolution())));
                assertEquals(cell.cost(n, 1, 10).params(), trainableParameters(net), n.toString());
                assertEquals(cell.cost(n, 1, 10).flops(), djlFlops(net), n.toString());
            }
        }
    }

    /** Once-for-All subnets as plain networks: the cost model counts what DJL computes, for random subnets. */
    @Test
    void ofaSubnetsMatchTheCostModelInParametersAndFlops() {
        io.sparknas.space.ofa.OfaSpace space = io.sparknas.space.ofa.OfaSpace.mnist();
        java.util.Random rng = new java.util.Random(11);
        List<io.sparknas.space.ofa.OfaSubnet> nets = new ArrayList<>(List.of(space.largest(), space.smallest()));
        for (int i = 0; i < 4; i++) {
            nets.add(space.sample(rng));
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            for (io.sparknas.space.ofa.OfaSubnet n : nets) {
                OfaNetwork net = new OfaNetwork(space, n, 10);
                assertEquals(new Shape(2, 10), forward(manager, net, new Shape(2, 1, 28, 28)));
                io.sparknas.space.cost.Cost cost = io.sparknas.space.ofa.OfaCostModel.of(space, n, 1, 28, 10);
                assertEquals(cost.params(), trainableParameters(net), n.text());
                assertEquals(cost.flops(), djlFlops(net), n.text());
            }
        }
    }

    static DartsNetworkConfig config(ScaledNetwork n) {
        return new DartsNetworkConfig(1, n.resolution(), 10, n.size().channels(), n.size().layers(),
                n.size().stemMultiplier());
    }
}
