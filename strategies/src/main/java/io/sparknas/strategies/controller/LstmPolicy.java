package io.sparknas.strategies.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.SeededRandom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * NASNet/ENAS's controller: an LSTM that emits the decisions one after the other, each step fed the embedding of
 * the previous choice; logits = tanhConstant * tanh(h W_t / temperature). Trained by REINFORCE with Adam.
 *
 * <p>Pure Java in double precision, forward and backward (back-propagation through time written out). The
 * controller is small (a few hundred thousand multiply-adds per sequence), so this costs milliseconds, and it
 * makes the policy exactly reproducible: a snapshot holds every weight and Adam moment as a double, and a restored
 * controller samples the very same sequences. (Its first version ran on DJL/libtorch, whose CPU results varied
 * between runs on this machine and broke that guarantee.) A gradient check against finite differences is in the
 * tests.
 */
public final class LstmPolicy implements Policy {
    private final int[] options;
    private final int hidden;
    private final double learningRate;
    private final double temperature;
    private final double tanhConstant;
    /** embedding (maxOptions+1) x H, wx H x 4H, wh H x 4H, b 4H, head_t H x options[t]; row-major. */
    private final Map<String, double[]> params = new LinkedHashMap<>();
    private final Map<String, double[]> adamM = new LinkedHashMap<>();
    private final Map<String, double[]> adamV = new LinkedHashMap<>();
    private int steps;

    public LstmPolicy(int[] options, int hidden, double learningRate, double temperature, double tanhConstant, long seed) {
        this.options = options.clone();
        this.hidden = hidden;
        this.learningRate = learningRate;
        this.temperature = temperature;
        this.tanhConstant = tanhConstant;
        int maxOptions = 0;
        for (int o : options) {
            maxOptions = Math.max(maxOptions, o);
        }
        SeededRandom rng = new SeededRandom(seed);
        param("embedding", (maxOptions + 1) * hidden, rng);
        param("wx", hidden * 4 * hidden, rng);
        param("wh", hidden * 4 * hidden, rng);
        param("b", 4 * hidden, rng);
        for (int t = 0; t < options.length; t++) {
            param("head" + t, hidden * options[t], rng);
        }
    }

    /** Uniform(-0.1, 0.1), ENAS's initialisation. */
    private void param(String name, int size, Random rng) {
        double[] data = new double[size];
        for (int i = 0; i < size; i++) {
            data[i] = rng.nextDouble() * 0.2 - 0.1;
        }
        params.put(name, data);
        adamM.put(name, new double[size]);
        adamV.put(name, new double[size]);
    }

    /** One forward pass along a sequence, keeping what the backward pass needs. */
    private final class Pass {
        final int n = options.length;
        final int[] choices;
        final double[][] hPrev = new double[n][];
        final double[][] cPrev = new double[n][];
        final double[][] gates = new double[n][]; // activated i, f, g, o
        final double[][] c = new double[n][];
        final double[][] h = new double[n][];
        final double[][] u = new double[n][]; // tanh(h W_t / temperature)
        final double[][] logp = new double[n][];

        /** Teacher-forced along {@code choices}, or sampling them with {@code sampler} when it is not null. */
        Pass(int[] choices, Random sampler) {
            this.choices = choices;
            double[] hp = new double[hidden];
            double[] cp = new double[hidden];
            int previous = 0;
            double[] emb = params.get("embedding");
            double[] wx = params.get("wx");
            double[] wh = params.get("wh");
            double[] b = params.get("b");
            int g4 = 4 * hidden;
            for (int t = 0; t < n; t++) {
                double[] z = b.clone();
                int e = previous * hidden;
                for (int k = 0; k < hidden; k++) {
                    double xk = emb[e + k];
                    double hk = hp[k];
                    int row = k * g4;
                    for (int j = 0; j < g4; j++) {
                        z[j] += xk * wx[row + j] + hk * wh[row + j];
                    }
                }
                double[] act = new double[g4];
                double[] ct = new double[hidden];
                double[] ht = new double[hidden];
                for (int k = 0; k < hidden; k++) {
                    act[k] = sigmoid(z[k]);
                    act[hidden + k] = sigmoid(z[hidden + k]);
                    act[2 * hidden + k] = Math.tanh(z[2 * hidden + k]);
                    act[3 * hidden + k] = sigmoid(z[3 * hidden + k]);
                    ct[k] = act[hidden + k] * cp[k] + act[k] * act[2 * hidden + k];
                    ht[k] = act[3 * hidden + k] * Math.tanh(ct[k]);
                }
                double[] head = params.get("head" + t);
                int o = options[t];
                double[] ut = new double[o];
                double[] logits = new double[o];
                for (int j = 0; j < o; j++) {
                    double s = 0;
                    for (int k = 0; k < hidden; k++) {
                        s += ht[k] * head[k * o + j];
                    }
                    ut[j] = Math.tanh(s / temperature);
                    logits[j] = tanhConstant * ut[j];
                }
                double[] lp = logSoftmax(logits);
                hPrev[t] = hp;
                cPrev[t] = cp;
                gates[t] = act;
                c[t] = ct;
                h[t] = ht;
                u[t] = ut;
                logp[t] = lp;
                if (sampler != null) {
                    double[] p = new double[o];
                    for (int j = 0; j < o; j++) {
                        p[j] = Math.exp(lp[j]);
                    }
                    choices[t] = FactorizedPolicy.draw(p, sampler);
                }
                previous = choices[t] + 1;
                hp = ht;
                cp = ct;
            }
        }

        double logProb() {
            double s = 0;
            for (int t = 0; t < n; t++) {
                s += logp[t][choices[t]];
            }
            return s;
        }

        /**
         * Adds to {@code grads} the gradient of the loss -(advantage * log p(choices) + entropyWeight * sum_t H_t).
         */
        void backward(double advantage, double entropyWeight, Map<String, double[]> grads) {
            double[] gEmb = grads.get("embedding");
            double[] gWx = grads.get("wx");
            double[] gWh = grads.get("wh");
            double[] gB = grads.get("b");
            double[] wx = params.get("wx");
            double[] wh = params.get("wh");
            int g4 = 4 * hidden;
            double[] dhNext = new double[hidden];
            double[] dcNext = new double[hidden];
            for (int t = n - 1; t >= 0; t--) {
                int o = options[t];
                double[] lp = logp[t];
                double entropy = 0;
                double[] p = new double[o];
                for (int j = 0; j < o; j++) {
                    p[j] = Math.exp(lp[j]);
                    entropy -= p[j] * lp[j];
                }
                // d loss / d logits, then through logits = C tanh(s / T)
                double[] ds = new double[o];
                for (int j = 0; j < o; j++) {
                    double dJ = advantage * ((j == choices[t] ? 1 : 0) - p[j])
                            - entropyWeight * p[j] * (lp[j] + entropy);
                    ds[j] = -dJ * tanhConstant * (1 - u[t][j] * u[t][j]) / temperature;
                }
                double[] head = params.get("head" + t);
                double[] gHead = grads.get("head" + t);
                double[] dh = dhNext.clone();
                for (int k = 0; k < hidden; k++) {
                    double hk = h[t][k];
                    double acc = 0;
                    for (int j = 0; j < o; j++) {
                        gHead[k * o + j] += hk * ds[j];
                        acc += head[k * o + j] * ds[j];
                    }
                    dh[k] += acc;
                }
                // LSTM cell
                double[] act = gates[t];
                double[] dz = new double[g4];
                double[] dcPrev = new double[hidden];
                for (int k = 0; k < hidden; k++) {
                    double i = act[k];
                    double f = act[hidden + k];
                    double g = act[2 * hidden + k];
                    double og = act[3 * hidden + k];
                    double tc = Math.tanh(c[t][k]);
                    double dc = dcNext[k] + dh[k] * og * (1 - tc * tc);
                    dz[k] = dc * g * i * (1 - i);
                    dz[hidden + k] = dc * cPrev[t][k] * f * (1 - f);
                    dz[2 * hidden + k] = dc * i * (1 - g * g);
                    dz[3 * hidden + k] = dh[k] * tc * og * (1 - og);
                    dcPrev[k] = dc * f;
                }
                int previous = t == 0 ? 0 : choices[t - 1] + 1;
                int e = previous * hidden;
                double[] emb = params.get("embedding");
                double[] dhPrev = new double[hidden];
                for (int k = 0; k < hidden; k++) {
                    double xk = emb[e + k];
                    double hk = hPrev[t][k];
                    int row = k * g4;
                    double dx = 0;
                    double dhp = 0;
                    for (int j = 0; j < g4; j++) {
                        gWx[row + j] += xk * dz[j];
                        gWh[row + j] += hk * dz[j];
                        dx += wx[row + j] * dz[j];
                        dhp += wh[row + j] * dz[j];
                    }
                    gEmb[e + k] += dx;
                    dhPrev[k] = dhp;
                }
                for (int j = 0; j < g4; j++) {
                    gB[j] += dz[j];
                }
                dhNext = dhPrev;
                dcNext = dcPrev;
            }
        }
    }

    @Override
    public int[] sample(Random rng) {
        int[] choices = new int[options.length];
        new Pass(choices, rng);
        return choices;
    }

    @Override
    public double logProb(int[] choices) {
        return new Pass(choices.clone(), null).logProb();
    }

    /** The gradient of the REINFORCE loss over a batch (tests compare it with finite differences). */
    Map<String, double[]> gradients(List<int[]> sequences, double[] advantages, double entropyWeight) {
        Map<String, double[]> grads = new LinkedHashMap<>();
        params.forEach((k, v) -> grads.put(k, new double[v.length]));
        for (int s = 0; s < sequences.size(); s++) {
            new Pass(sequences.get(s).clone(), null).backward(advantages[s], entropyWeight, grads);
        }
        return grads;
    }

    /** The REINFORCE loss whose gradient {@link #gradients} gives. */
    double loss(List<int[]> sequences, double[] advantages, double entropyWeight) {
        double loss = 0;
        for (int s = 0; s < sequences.size(); s++) {
            Pass pass = new Pass(sequences.get(s).clone(), null);
            loss -= advantages[s] * pass.logProb();
            for (double[] lp : pass.logp) {
                double entropy = 0;
                for (double l : lp) {
                    entropy -= Math.exp(l) * l;
                }
                loss -= entropyWeight * entropy;
            }
        }
        return loss;
    }

    Map<String, double[]> parameters() {
        return params;
    }

    @Override
    public void update(List<int[]> sequences, double[] advantages, double entropyWeight) {
        Map<String, double[]> grads = gradients(sequences, advantages, entropyWeight);
        steps++;
        double b1 = 0.9;
        double b2 = 0.999;
        double c1 = 1 - Math.pow(b1, steps);
        double c2 = 1 - Math.pow(b2, steps);
        for (Map.Entry<String, double[]> e : params.entrySet()) {
            double[] p = e.getValue();
            double[] g = grads.get(e.getKey());
            double[] m = adamM.get(e.getKey());
            double[] v = adamV.get(e.getKey());
            for (int i = 0; i < p.length; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                p[i] -= learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8);
            }
        }
    }

    @Override
    public void save(ObjectNode into) {
        into.put("steps", steps);
        for (String kind : new String[] {"params", "m", "v"}) {
            Map<String, double[]> map = kind.equals("params") ? params : kind.equals("m") ? adamM : adamV;
            ObjectNode node = into.putObject(kind);
            map.forEach((name, values) -> {
                ArrayNode a = node.putArray(name);
                for (double d : values) {
                    a.add(d);
                }
            });
        }
    }

    @Override
    public void load(JsonNode from) {
        steps = from.get("steps").asInt();
        for (String kind : new String[] {"params", "m", "v"}) {
            Map<String, double[]> map = kind.equals("params") ? params : kind.equals("m") ? adamM : adamV;
            for (Map.Entry<String, double[]> e : map.entrySet()) {
                JsonNode a = from.get(kind).get(e.getKey());
                if (a == null || a.size() != e.getValue().length) {
                    throw new IllegalArgumentException("controller snapshot: " + kind + "." + e.getKey() + " missing or "
                            + "of the wrong size (a snapshot of another controller configuration?)");
                }
                for (int i = 0; i < a.size(); i++) {
                    e.getValue()[i] = a.get(i).asDouble();
                }
            }
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double[] logSoftmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - log;
        }
        return out;
    }
}
