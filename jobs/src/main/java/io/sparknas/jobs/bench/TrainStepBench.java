package io.sparknas.jobs.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.nn.DartsNetwork;
import io.sparknas.estimators.proxy.ProxyTrainer;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Training-step benchmarks of the DJL proxy path ({@link ProxyTrainer}, the code the estimator runs):
 * {@code --mode step} times single SGD steps of a DARTS proxy network (the peer is
 * {@code bench/pytorch_darts_step.py}, the same network in PyTorch); {@code --mode concurrent} trains two
 * networks one after the other and then at the same time on two threads, and reports the wall-time ratio.
 * Prints JSON lines (median, quartiles) for {@code bench/train-step.sh} to collect.
 */
@Command(name = "bench-train-step", mixinStandardHelpOptions = true,
        description = "Time DJL training steps of a DARTS proxy network (single, or two at once).")
public final class TrainStepBench implements Callable<Integer> {

    @Option(names = "--mode", defaultValue = "step", description = "step | concurrent")
    String mode;

    @Option(names = "--genotype", defaultValue = "V2", description = "V1 | V2")
    String genotype;

    @Option(names = "--channels", defaultValue = "16")
    int channels;

    @Option(names = "--layers", defaultValue = "3")
    int layers;

    @Option(names = "--batch", defaultValue = "64")
    int batch;

    @Option(names = "--size", defaultValue = "28")
    int size;

    @Option(names = "--repeats", defaultValue = "30")
    int repeats;

    @Option(names = "--warmup", defaultValue = "5")
    int warmup;

    @Option(names = "--grad-clip", defaultValue = "5", description = "global-norm gradient clipping, as the proxy "
            + "estimator's default (0 = off; default: ${DEFAULT-VALUE})")
    double gradClip;

    @Option(names = "--rounds", defaultValue = "5", description = "concurrent mode: sequential/concurrent pairs measured")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Devices.configureThreads(1);
        if (mode.equals("step")) {
            double[] t = steps(0, warmup, repeats);
            System.out.println(json("djl-step", t));
            return 0;
        }
        if (!mode.equals("concurrent")) {
            throw new IllegalArgumentException("--mode must be step or concurrent, got " + mode);
        }
        // Both phases run on the same two pool threads, each warmed up first: libtorch's memory comes from glibc's
        // per-thread arenas, and a cold arena's first-touch page faults would otherwise be charged to one phase only.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<double[]>> warm = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            warm.add(pool.submit(() -> steps(0, warmup, 2)));
        }
        for (Future<double[]> f : warm) {
            f.get();
        }
        double[] ratios = new double[rounds];
        double[] seqs = new double[rounds];
        double[] concs = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            pool.submit(() -> steps(1, 0, repeats)).get();
            pool.submit(() -> steps(2, 0, repeats)).get();
            seqs[round] = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            List<Future<double[]>> fs = new ArrayList<>();
            for (int i = 3; i <= 4; i++) {
                int seed = i;
                fs.add(pool.submit(() -> steps(seed, 0, repeats)));
            }
            for (Future<double[]> f : fs) {
                f.get();
            }
            concs[round] = (System.nanoTime() - t1) / 1e9;
            ratios[round] = concs[round] / seqs[round];
        }
        pool.shutdown();
        double[] r = ratios.clone();
        Arrays.sort(r);
        System.out.printf(Locale.ROOT, "{\"peer\": \"djl-concurrent\", \"channels\": %d, \"size\": %d, \"batch\": %d, "
                + "\"steps_each\": %d, \"rounds\": %d, \"sequential_s\": %s, \"concurrent_s\": %s, "
                + "\"ratio_median\": %.3f, \"ratio_min\": %.3f, \"ratio_max\": %.3f}%n", channels, size, batch, repeats,
                rounds, Arrays.toString(round3(seqs)), Arrays.toString(round3(concs)), r[r.length / 2], r[0],
                r[r.length - 1]);
        return 0;
    }

    /** Trains a fresh network for warm-up + n steps on a fixed random batch; returns the timed steps in ms. */
    private double[] steps(long seed, int warm, int n) {
        DartsGenotype g = genotype.equals("V1") ? DartsGenotype.DARTS_V1 : DartsGenotype.DARTS_V2;
        SgdConfig sgd = new SgdConfig(0.05, 0.9, 3e-4, gradClip);
        DartsNetwork net = new DartsNetwork(g, new DartsNetworkConfig(1, size, 10, channels, layers, 3));
        SeededRandom rng = new SeededRandom(seed);
        float[] x = new float[batch * size * size];
        float[] y = new float[batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < batch; i++) {
            y[i] = rng.nextInt(10);
        }
        double[] times = new double[n];
        try (ProxyTrainer t = new ProxyTrainer("bench", net, sgd, 1, Device.cpu(), new Shape(batch, 1, size, size),
                warm + n, seed)) {
            for (int i = 0; i < warm + n; i++) {
                long s = System.nanoTime();
                t.step(x, y);
                if (i >= warm) {
                    times[i - warm] = (System.nanoTime() - s) / 1e6;
                }
            }
        }
        return times;
    }

    private static double[] round3(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(v[i] * 1000) / 1000.0;
        }
        return out;
    }

    private String json(String peer, double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "{\"peer\": \"%s\", \"genotype\": \"%s\", \"channels\": %d, \"layers\": %d, "
                + "\"batch\": %d, \"size\": %d, \"grad_clip\": %s, \"median_ms\": %.3f, \"q1_ms\": %.3f, \"q3_ms\": %.3f, "
                + "\"repeats\": %d}", peer, genotype, channels, layers, batch, size, gradClip, s[s.length / 2],
                s[s.length / 4], s[3 * s.length / 4], s.length);
    }
}
