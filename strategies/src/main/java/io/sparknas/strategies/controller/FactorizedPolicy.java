package io.sparknas.strategies.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Random;

/**
 * Independent logits per decision (the policy of NAS-Bench-201's REINFORCE baseline): p(a_t) = softmax(logits_t),
 * trained with Adam on the exact REINFORCE gradient (onehot - p) per decision. Pure Java.
 */
public final class FactorizedPolicy implements Policy {
    private final int[] options;
    private final double learningRate;
    private final double[][] logits;
    private final double[][] m;
    private final double[][] v;
    private int steps;

    public FactorizedPolicy(int[] options, double learningRate) {
        this.options = options.clone();
        this.learningRate = learningRate;
        logits = new double[options.length][];
        m = new double[options.length][];
        v = new double[options.length][];
        for (int t = 0; t < options.length; t++) {
            logits[t] = new double[options[t]];
            m[t] = new double[options[t]];
            v[t] = new double[options[t]];
        }
    }

    double[] probabilities(int t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits[t]) {
            max = Math.max(max, l);
        }
        double[] p = new double[options[t]];
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            p[k] = Math.exp(logits[t][k] - max);
            sum += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    @Override
    public int[] sample(Random rng) {
        int[] out = new int[options.length];
        for (int t = 0; t < options.length; t++) {
            out[t] = draw(probabilities(t), rng);
        }
        return out;
    }

    static int draw(double[] p, Random rng) {
        double u = rng.nextDouble();
        double acc = 0;
        for (int k = 0; k < p.length; k++) {
            acc += p[k];
            if (u < acc) {
                return k;
            }
        }
        return p.length - 1;
    }

    @Override
    public double logProb(int[] choices) {
        double lp = 0;
        for (int t = 0; t < options.length; t++) {
            lp += Math.log(probabilities(t)[choices[t]]);
        }
        return lp;
    }

    @Override
    public void update(List<int[]> sequences, double[] advantages, double entropyWeight) {
        double[][] grad = new double[options.length][];
        for (int t = 0; t < options.length; t++) {
            double[] p = probabilities(t);
            grad[t] = new double[options[t]];
            double entropy = 0;
            for (double q : p) {
                entropy -= q * Math.log(q);
            }
            for (int i = 0; i < sequences.size(); i++) {
                int a = sequences.get(i)[t];
                for (int k = 0; k < p.length; k++) {
                    grad[t][k] += advantages[i] * ((k == a ? 1 : 0) - p[k]);
                    grad[t][k] += entropyWeight * (-p[k] * (Math.log(p[k]) + entropy));
                }
            }
        }
        steps++;
        double b1 = 0.9;
        double b2 = 0.999;
        for (int t = 0; t < options.length; t++) {
            for (int k = 0; k < options[t]; k++) {
                m[t][k] = b1 * m[t][k] + (1 - b1) * grad[t][k];
                v[t][k] = b2 * v[t][k] + (1 - b2) * grad[t][k] * grad[t][k];
                double mh = m[t][k] / (1 - Math.pow(b1, steps));
                double vh = v[t][k] / (1 - Math.pow(b2, steps));
                logits[t][k] += learningRate * mh / (Math.sqrt(vh) + 1e-8);
            }
        }
    }

    @Override
    public void save(ObjectNode into) {
        into.put("steps", steps);
        for (String name : new String[] {"logits", "m", "v"}) {
            double[][] a = name.equals("logits") ? logits : name.equals("m") ? m : v;
            ArrayNode rows = into.putArray(name);
            for (double[] row : a) {
                ArrayNode r = rows.addArray();
                for (double x : row) {
                    r.add(x);
                }
            }
        }
    }

    @Override
    public void load(JsonNode from) {
        steps = from.get("steps").asInt();
        for (String name : new String[] {"logits", "m", "v"}) {
            double[][] a = name.equals("logits") ? logits : name.equals("m") ? m : v;
            JsonNode rows = from.get(name);
            for (int t = 0; t < a.length; t++) {
                for (int k = 0; k < a[t].length; k++) {
                    a[t][k] = rows.get(t).get(k).asDouble();
                }
            }
        }
    }
}
