package io.sparknas.oneshot.ofa;

import io.sparknas.oneshot.Norm;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.sparknas.estimators.nn.OfaNetwork;
import io.sparknas.space.ofa.OfaSubnet;

import ai.djl.Model;
import ai.djl.MalformedModelException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.ofa.OfaSpace;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A subnet cut out of the supernet as a plain DJL network ({@link OfaNetwork}) that runs without it: its kept
 * weights, transformed kernels and recalibrated BN statistics copied into the network's parameters. Saved as a
 * directory: {@code subnet.json} (space, subnet, input channels, classes) and DJL's {@code subnet-0000.params}.
 */
public final class Standalone {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String NAME = "subnet";

    /** A loaded export: its network (DJL model, the caller closes it) and what it is. */
    public record Loaded(Model model, OfaSpace space, OfaSubnet subnet, int inputChannels, int classes)
            implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }
    private Standalone() {
    }

    /** The plain network of {@code net} with the supernet's weights, initialised on {@code manager}. */
    public static OfaNetwork of(ElasticSupernet supernet, OfaSubnet net, Norm.Statistics stats, NDManager manager) {
        OfaNetwork block = new OfaNetwork(supernet.space(), net, supernet.classes());
        block.initialize(manager, DataType.FLOAT32, new Shape(1, supernet.inputChannels(), 32, 32));
        try (NDManager scope = manager.newSubManager()) {
            List<NDArray> cut = supernet.cut(net, stats, scope);
            int i = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray target = p.getValue().getArray();
                NDArray from = cut.get(i++);
                if (!target.getShape().equals(from.getShape())) {
                    throw new IllegalStateException("parameter " + p.getKey() + " of shape " + target.getShape()
                            + " cannot take the supernet's " + from.getShape());
                }
                target.set(FloatBuffer.wrap(from.toFloatArray()));
            }
            if (i != cut.size()) {
                throw new IllegalStateException("the network has " + i + " parameters, the cut " + cut.size());
            }
        }
        return block;
    }

    /** Saves a plain subnet network to {@code dir}. */
    public static void save(OfaNetwork block, OfaSpace space, OfaSubnet net, Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode n = JSON.createObjectNode();
        n.set("space", JSON.valueToTree(space));
        n.put("subnet", net.text());
        long in = block.getParameters().get(0).getValue().getArray().getShape().get(1);
        n.put("inputChannels", in);
        n.put("classes", block.getParameters().get(block.getParameters().size() - 1).getValue().getArray().size());
        Files.writeString(dir.resolve(NAME + ".json"), n.toPrettyString() + "\n");
        try (Model model = Model.newInstance(NAME)) {
            model.setBlock(block);
            model.save(dir, NAME);
        }
    }

    /** Loads an export made by {@link #save}: the plain network alone, no supernet. */
    public static Loaded load(Path dir) throws IOException {
        JsonNode n = JSON.readTree(dir.resolve(NAME + ".json").toFile());
        OfaSpace space = JSON.treeToValue(n.get("space"), OfaSpace.class);
        OfaSubnet net = space.parse(n.get("subnet").asText());
        int in = n.get("inputChannels").asInt();
        int classes = n.get("classes").asInt();
        Model model = Model.newInstance(NAME);
        OfaNetwork block = new OfaNetwork(space, net, classes);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, in, 32, 32));
        model.setBlock(block);
        try {
            model.load(dir, NAME);
        } catch (MalformedModelException e) {
            model.close();
            throw new IOException(dir + " does not hold the parameters of " + net.text() + ": " + e.getMessage(), e);
        }
        return new Loaded(model, space, net, in, classes);
    }
}
