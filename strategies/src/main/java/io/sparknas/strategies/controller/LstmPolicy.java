package io.sparknas.strategies.controller;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.SeededRandom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The NASNet/ENAS controller: an LSTM cell reads the embedding of the previous decision (a start token first) and
 * a per-decision linear head turns its state into logits, squashed as {@code tanhConstant * tanh(logits /
 * temperature)} (ENAS). Trained on the driver with DJL's autograd and Adam. Weights are initialised from the
 * strategy's seed in Java, so a run is reproducible.
 */
final class LstmPolicy implements Policy {
    private final int[] options;
    private final int hidden;
    private final double learningRate;
    private final double temperature;
    private final double tanhConstant;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Map<String, NDArray> adamM = new LinkedHashMap<>();
    private final Map<String, NDArray> adamV = new LinkedHashMap<>();
    private int steps;
    private int skippedUpdates;

    LstmPolicy(int[] options, int hidden, double learningRate, double temperature, double tanhConstant, long seed) {
        this.options = options.clone();
        this.hidden = hidden;
        this.learningRate = learningRate;
        this.temperature = temperature;
        this.tanhConstant = tanhConstant;
        this.manager = NDManager.newBaseManager(Engine.getEngine("PyTorch").defaultDevice(), "PyTorch");
        int maxOptions = 0;
        for (int o : options) {
            maxOptions = Math.max(maxOptions, o);
        }
        SeededRandom rng = new SeededRandom(seed);
        param("embedding", new Shape(maxOptions + 1, hidden), rng);
        param("wx", new Shape(hidden, 4 * hidden), rng);
        param("wh", new Shape(hidden, 4 * hidden), rng);
        param("b", new Shape(1, 4 * hidden), rng);
        for (int t = 0; t < options.length; t++) {
            param("head" + t, new Shape(hidden, options[t]), rng);
        }
    }

    /** Uniform(-0.1, 0.1), ENAS's initialisation. */
    private void param(String name, Shape shape, Random rng) {
        float[] data = new float[(int) shape.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (rng.nextDouble() * 0.2 - 0.1);
        }
        set(name, data, shape);
    }

    private void set(String name, float[] data, Shape shape) {
        NDArray old = params.put(name, manager.create(data, shape));
        if (old != null) {
            old.close();
        }
        params.get(name).setRequiresGradient(true);
        adamM.computeIfAbsent(name, n -> manager.zeros(shape));
        adamV.computeIfAbsent(name, n -> manager.zeros(shape));
    }

    /** Log-probabilities of every option of each decision along {@code choices} (teacher forcing). */
    private List<NDArray> logProbabilities(NDManager m, int[] choices, Random sampler) {
        List<NDArray> out = new ArrayList<>();
        NDArray h = m.zeros(new Shape(1, hidden));
        NDArray c = m.zeros(new Shape(1, hidden));
        int previous = 0;
        for (int t = 0; t < options.length; t++) {
            NDArray x = params.get("embedding").get(previous).reshape(1, hidden);
            NDArray gates = x.matMul(params.get("wx")).add(h.matMul(params.get("wh"))).add(params.get("b"));
            NDArray i = Activation.sigmoid(gates.get(":, 0:" + hidden));
            NDArray f = Activation.sigmoid(gates.get(":, " + hidden + ":" + 2 * hidden));
            NDArray g = gates.get(":, " + 2 * hidden + ":" + 3 * hidden).tanh();
            NDArray o = Activation.sigmoid(gates.get(":, " + 3 * hidden + ":"));
            c = f.mul(c).add(i.mul(g));
            h = o.mul(c.tanh());
            NDArray logits = h.matMul(params.get("head" + t)).div(temperature).tanh().mul(tanhConstant);
            NDArray logp = logits.logSoftmax(1).reshape(options[t]);
            out.add(logp);
            if (sampler != null) {
                float[] lp = logp.toFloatArray();
                double[] p = new double[lp.length];
                for (int k = 0; k < p.length; k++) {
                    p[k] = Math.exp(lp[k]);
                }
                choices[t] = FactorizedPolicy.draw(p, sampler);
            }
            previous = choices[t] + 1;
        }
        return out;
    }

    @Override
    public int[] sample(Random rng) {
        int[] choices = new int[options.length];
        try (NDManager m = manager.newSubManager()) {
            logProbabilities(m, choices, rng);
        }
        return choices;
    }

    @Override
    public double logProb(int[] choices) {
        double lp = Double.NaN;
        for (int attempt = 0; attempt < 2 && !Double.isFinite(lp); attempt++) {   // one retry: see update()
            try (NDManager m = manager.newSubManager()) {
                lp = 0;
                List<NDArray> all = logProbabilities(m, choices.clone(), null);
                for (int t = 0; t < options.length; t++) {
                    lp += all.get(t).getFloat(choices[t]);
                }
            }
        }
        return lp;
    }

    @Override
    public void update(List<int[]> sequences, double[] advantages, double entropyWeight) {
        try (NDManager m = manager.newSubManager()) {
            NDArray objective = null;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                for (int s = 0; s < sequences.size(); s++) {
                    int[] choices = sequences.get(s);
                    List<NDArray> logps = logProbabilities(m, choices.clone(), null);
                    for (int t = 0; t < options.length; t++) {
                        NDArray lp = logps.get(t);
                        NDArray term = lp.get(choices[t]).mul(advantages[s])
                                .add(lp.exp().mul(lp).sum().mul(-entropyWeight));
                        objective = objective == null ? term : objective.add(term);
                    }
                }
                gc.backward(objective.neg());
            }
            if (!finiteGradients()) {
                // libtorch on this CPU occasionally returned non-finite values for finite inputs (see
                // docs/benchmarks.md); an update from them would poison every weight, so it is skipped
                skippedUpdates++;
                params.values().forEach(p -> {
                    NDArray g = p.getGradient();
                    g.subi(g);
                });
                return;
            }
            steps++;
            double b1 = 0.9;
            double b2 = 0.999;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray grad = p.getGradient();
                NDArray mm = adamM.get(e.getKey());
                NDArray vv = adamV.get(e.getKey());
                mm.muli(b1).addi(grad.mul(1 - b1));
                vv.muli(b2).addi(grad.square().mul(1 - b2));
                NDArray mh = mm.div(1 - Math.pow(b1, steps));
                NDArray vh = vv.div(1 - Math.pow(b2, steps));
                p.subi(mh.div(vh.sqrt().add(1e-8)).mul(learningRate));
                grad.subi(grad);
            }
        }
    }

    private boolean finiteGradients() {
        for (NDArray p : params.values()) {
            if (!Double.isFinite(p.getGradient().sum().getFloat())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void save(ObjectNode into) {
        into.put("steps", steps);
        into.put("skippedUpdates", skippedUpdates);
        for (String kind : new String[] {"params", "m", "v"}) {
            Map<String, NDArray> map = kind.equals("params") ? params : kind.equals("m") ? adamM : adamV;
            ObjectNode node = into.putObject(kind);
            for (Map.Entry<String, NDArray> e : map.entrySet()) {
                ArrayNode a = node.putArray(e.getKey());
                for (float f : e.getValue().toFloatArray()) {
                    a.add(f);
                }
            }
        }
    }

    @Override
    public void load(JsonNode from) {
        steps = from.get("steps").asInt();
        skippedUpdates = from.path("skippedUpdates").asInt(0);
        for (String name : new ArrayList<>(params.keySet())) {
            Shape shape = params.get(name).getShape();
            set(name, floats(from.get("params").get(name)), shape);
            adamM.put(name, manager.create(floats(from.get("m").get(name)), shape));
            adamV.put(name, manager.create(floats(from.get("v").get(name)), shape));
        }
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }
}
