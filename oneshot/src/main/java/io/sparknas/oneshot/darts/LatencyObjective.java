package io.sparknas.oneshot.darts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The latency term of latency-aware DARTS (FBNet, ProxylessNAS), over the cell the derivation keeps: DARTS's
 * derivation drops {@code none} and keeps each node's two strongest input edges, so a penalty summed over every
 * edge and operation could be paid by moving weight to {@code none} or onto edges that are then discarded. Here, per
 * edge e, the operations other than {@code none} are renormalised ({@code p_ek = w_ek / (1 - w_e,none)}) to give the
 * edge's latency if kept, {@code L_e = sum_k p_ek T_ek}, and the edge is weighted by its probability of being kept
 * among its node's top two: with strength {@code s_e = max_{k != none} w_ek} (what the derivation ranks by), the
 * probability that e is among two edges drawn without replacement in proportion to strength (Plackett-Luce),
 * {@code q_e = s_e/S + sum_{f != e} (s_f/S) s_e/(S - s_f)}, {@code S} the node's total (1 for a node of two inputs;
 * the q of a node sum to 2). {@code E[lat] = sum_e q_e L_e} over both cell types, with the table matrices (edges x
 * operations) holding the lookup table's milliseconds summed over the network's cells of that type
 * ({@code DartsOps.edgeMatrix}): at a one-hot alpha it is the derived network's predicted latency.
 *
 * <p>The search minimises {@code cross-entropy + weight * E[lat] / E0}, with {@code E0} the expected latency at
 * uniform alpha, so that {@code weight} is unit-free (the same value means the same trade on a fast and a slow
 * device). The term depends on alpha alone; its gradient is analytic (chain rule through q, L and the softmax,
 * {@link #gradient}) and added to the architecture gradient of either order.
 *
 * @param weight the trade-off lambda, >= 0
 * @param normal the normal cells' matrix, milliseconds
 * @param reduce the reduction cells' matrix, milliseconds
 * @param none   the column of {@code none} in the matrices, or -1 when the search's operations have none
 */
public record LatencyObjective(double weight, double[][] normal, double[][] reduce, int none) implements Serializable {
    public LatencyObjective {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("darts.latencyWeights: a latency weight must be finite and >= 0, got "
                    + weight);
        }
        normal = copy(normal);
        reduce = copy(reduce);
        if (normal.length == 0 || normal.length != reduce.length || normal[0].length != reduce[0].length) {
            throw new IllegalArgumentException("the normal and reduction latency matrices must be edges x operations "
                    + "of one shape");
        }
        nodes(normal.length);
        if (none < -1 || none >= normal[0].length || normal[0].length - (none >= 0 ? 1 : 0) < 1) {
            throw new IllegalArgumentException("none must be -1 or a column of the latency matrices, got " + none);
        }
        if (!(cellMs(uniform(normal), normal, none) + cellMs(uniform(reduce), reduce, none) > 0)) {
            throw new IllegalArgumentException("the latency table gives the supernet no latency (every entry 0)");
        }
    }

    /** The expected latency in milliseconds of the derived cells at architecture weights {@code alpha} (raw). */
    public double expectedMs(double[][] alphaNormal, double[][] alphaReduce) {
        return cellMs(DartsSearch.softmax(alphaNormal), normal, none)
                + cellMs(DartsSearch.softmax(alphaReduce), reduce, none);
    }

    /** E0: the expected latency at uniform alpha, the unit of the loss term. */
    public double referenceMs() {
        return cellMs(uniform(normal), normal, none) + cellMs(uniform(reduce), reduce, none);
    }

    /**
     * {@code weight / E0 * dE/dalpha} for the alpha of cell type {@code cellType} (0 normal, 1 reduce), as an array of
     * the step in alpha's data type. Called without gradient recording.
     */
    NDArray gradient(NDManager step, NDArray alpha, int cellType) {
        double[][] t = cellType == 0 ? normal : reduce;
        int ops = t[0].length;
        NDArray copy = alpha.toType(DataType.FLOAT64, true); // a new array (never alpha itself), closed with the step
        copy.attach(step);
        double[] flat = copy.toDoubleArray();
        double[][] a = new double[t.length][];
        for (int e = 0; e < t.length; e++) {
            a[e] = Arrays.copyOfRange(flat, e * ops, (e + 1) * ops);
        }
        double[][] g = alphaGradient(DartsSearch.softmax(a), t, none);
        double scale = weight / referenceMs();
        double[] out = Arrays.stream(g).flatMapToDouble(Arrays::stream).map(v -> v * scale).toArray();
        return step.create(out, alpha.getShape()).toType(alpha.getDataType(), false);
    }

    /** One cell type's expected latency at softmax weights {@code w}. */
    static double cellMs(double[][] w, double[][] t, int none) {
        double s = 0;
        int nodes = nodes(t.length);
        for (int node = 0, first = 0; node < nodes; first += node + 2, node++) {
            double[] q = keep(strengths(w, none, first, node + 2));
            for (int i = 0; i < q.length; i++) {
                s += q[i] * keptMs(w[first + i], t[first + i], none);
            }
        }
        return s;
    }

    /** dE/dalpha of one cell type, through q (the edge's strength), L (its renormalised latency) and the softmax. */
    static double[][] alphaGradient(double[][] w, double[][] t, int none) {
        int nodes = nodes(t.length);
        double[][] gw = new double[t.length][t[0].length];
        for (int node = 0, first = 0; node < nodes; first += node + 2, node++) {
            int n = node + 2;
            double[] s = strengths(w, none, first, n);
            double[] q = keep(s);
            double[][] dq = keepJacobian(s); // dq[i][f] = dq_i / ds_f
            double[] lat = new double[n];
            for (int i = 0; i < n; i++) {
                lat[i] = keptMs(w[first + i], t[first + i], none);
            }
            for (int f = 0; f < n; f++) {
                int e = first + f;
                double r = none >= 0 ? 1 - w[e][none] : 1;
                for (int k = 0; k < t[e].length; k++) {
                    gw[e][k] += q[f] * (k == none ? lat[f] / r : t[e][k] / r);
                }
                double ds = 0;
                for (int i = 0; i < n; i++) {
                    ds += lat[i] * dq[i][f];
                }
                gw[e][strongest(w[e], none)] += ds;
            }
        }
        double[][] ga = new double[t.length][];
        for (int e = 0; e < t.length; e++) {
            double dot = 0;
            for (int k = 0; k < w[e].length; k++) {
                dot += w[e][k] * gw[e][k];
            }
            ga[e] = new double[w[e].length];
            for (int k = 0; k < w[e].length; k++) {
                ga[e][k] = w[e][k] * (gw[e][k] - dot);
            }
        }
        return ga;
    }

    /** The edge's latency if the derivation keeps it: its operations other than none, renormalised. */
    private static double keptMs(double[] w, double[] t, int none) {
        double sum = 0;
        for (int k = 0; k < w.length; k++) {
            if (k != none) {
                sum += w[k] * t[k];
            }
        }
        return none >= 0 ? sum / (1 - w[none]) : sum;
    }

    private static int strongest(double[] w, int none) {
        int best = -1;
        for (int k = 0; k < w.length; k++) {
            if (k != none && (best < 0 || w[k] > w[best])) {
                best = k;
            }
        }
        return best;
    }

    private static double[] strengths(double[][] w, int none, int first, int n) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = w[first + i][strongest(w[first + i], none)];
        }
        return s;
    }

    /** Plackett-Luce: the probability that each edge is among two drawn without replacement by strength. */
    static double[] keep(double[] s) {
        double total = Arrays.stream(s).sum();
        double[] q = new double[s.length];
        for (int e = 0; e < s.length; e++) {
            q[e] = s[e] / total;
            for (int f = 0; f < s.length; f++) {
                if (f != e) {
                    q[e] += s[f] / total * s[e] / (total - s[f]);
                }
            }
        }
        return q;
    }

    /**
     * {@code dq_e/ds_f} of {@link #keep}: {@code q_e = s_e/S + s_e (Phi - phi_e)}, {@code phi_g = s_g/(S (S - s_g))},
     * {@code Phi = sum_g phi_g}, differentiated with {@code dS/ds_f = 1}.
     */
    private static double[][] keepJacobian(double[] s) {
        int n = s.length;
        double total = Arrays.stream(s).sum();
        double[] phi = new double[n];
        double[][] dphi = new double[n][n]; // dphi[g][f]
        for (int g = 0; g < n; g++) {
            double u = total * (total - s[g]);
            phi[g] = s[g] / u;
            for (int f = 0; f < n; f++) {
                double du = (total - s[g]) + total * (g == f ? 0 : 1);
                dphi[g][f] = (g == f ? 1 / u : 0) - s[g] * du / (u * u);
            }
        }
        double bigPhi = Arrays.stream(phi).sum();
        double[][] dq = new double[n][n];
        for (int e = 0; e < n; e++) {
            for (int f = 0; f < n; f++) {
                double dBigPhi = 0;
                for (int g = 0; g < n; g++) {
                    dBigPhi += dphi[g][f];
                }
                dq[e][f] = (e == f ? 1 / total : 0) - s[e] / (total * total)
                        + (e == f ? bigPhi - phi[e] : 0) + s[e] * (dBigPhi - dphi[e][f]);
            }
        }
        return dq;
    }

    /** The number of intermediate nodes of a cell with {@code edges} edges (node i has i + 2 inputs). */
    static int nodes(int edges) {
        int nodes = 0;
        int count = 0;
        while (count < edges) {
            count += nodes + 2;
            nodes++;
        }
        if (count != edges) {
            throw new IllegalArgumentException("a latency matrix of " + edges + " edges is no DARTS cell (node i has "
                    + "i + 2 inputs: 2, 5, 9, 14, ... edges)");
        }
        return nodes;
    }

    private static double[][] uniform(double[][] m) {
        double[][] u = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            u[i] = new double[m[i].length];
            Arrays.fill(u[i], 1.0 / m[i].length);
        }
        return u;
    }

    private static double[][] copy(double[][] m) {
        if (m == null) {
            throw new IllegalArgumentException("a latency objective needs its table matrices");
        }
        return Arrays.stream(m).map(double[]::clone).toArray(double[][]::new);
    }
}
