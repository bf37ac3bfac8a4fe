package io.sparknas.jobs.bench;

import ai.djl.Device;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.proxy.ProxyTrainingEstimator;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.oneshot.darts.ArchitectConfig;
import io.sparknas.oneshot.darts.DartsSearch;
import io.sparknas.oneshot.darts.DartsSearchConfig;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.darts.Derivation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * DARTS benchmarks. {@code --mode epoch}: seconds per search epoch of a fixed small supernet on Fashion-MNIST
 * (the peer is {@code bench/pytorch_darts_search.py}, the same supernet and steps in PyTorch); the first epoch
 * is warm-up. {@code --mode collapse}: one search, the skip connections of the genotype derived after every
 * epoch with and without the guard, then both final genotypes trained from scratch by the proxy estimator.
 * Prints JSON lines.
 */
@Command(name = "bench-darts", mixinStandardHelpOptions = true,
        description = "Time DARTS search epochs, or compare the collapse guard's derived genotypes.")
public final class DartsBench implements Callable<Integer> {
    @Option(names = "--mode", defaultValue = "epoch", description = "epoch | collapse")
    String mode;

    @Option(names = "--channels", defaultValue = "8")
    int channels;

    @Option(names = "--layers", defaultValue = "5")
    int layers;

    @Option(names = "--epochs", defaultValue = "4")
    int epochs;

    @Option(names = "--batch", defaultValue = "32")
    int batch;

    @Option(names = "--order", defaultValue = "1")
    int order;

    @Option(names = "--per-class", defaultValue = "50", description = "training and validation images per class")
    int perClass;

    @Option(names = "--size", defaultValue = "16", description = "images resized to size x size")
    int size;

    @Option(names = "--arch-lr", defaultValue = "3e-4")
    double archLr;

    @Option(names = "--lr", defaultValue = "0.025")
    double lr;

    @Option(names = "--max-skips", defaultValue = "2")
    int maxSkips;

    @Option(names = "--ops", split = ",", description = "supernet operations (default: the 8 DARTS primitives), "
            + "e.g. none,skip_connect,sep_conv_3x3 (RobustDARTS's space S3, prone to collapse)")
    List<String> ops;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--proxy-epochs", defaultValue = "8", description = "collapse mode: proxy training epochs")
    int proxyEpochs;

    @Override
    public Integer call() {
        Devices.configureThreads(1);
        Datasets.Split data = Datasets.load(new DataConfig("fashion-mnist", "", perClass, 1.0, perClass, 0, size));
        DartsSearchConfig d = DartsSearchConfig.defaults();
        List<io.sparknas.space.Operation> offered = ops == null ? d.ops()
                : ops.stream().map(io.sparknas.space.Operation::fromText).toList();
        DartsSearchConfig cfg = new DartsSearchConfig(offered, d.nodes(), new NetworkSize(channels, layers, 3), epochs,
                batch, new SgdConfig(lr, d.sgd().momentum(), d.sgd().weightDecay(), d.sgd().gradClip()),
                d.learningRateMin(), new ArchitectConfig(order, archLr, d.architect().archBeta1(),
                d.architect().archBeta2(), d.architect().archWeightDecay()), maxSkips, seed, 1);
        List<DartsSearch.Epoch> trace;
        try (DartsSearch search = new DartsSearch(cfg, data, Device.cpu())) {
            trace = search.run(e -> System.out.printf(Locale.ROOT, "{\"peer\":\"djl\",\"epoch\":%d,\"seconds\":%.3f,"
                            + "\"train_loss\":%.4f,\"val_accuracy\":%.4f,\"skips_normal\":%d,\"skips_normal_guarded\":%d,"
                            + "\"skips_reduce\":%d,\"skips_reduce_guarded\":%d,\"skip_weight_normal\":%.4f,"
                            + "\"skip_weight_reduce\":%.4f}%n", e.epoch(), e.seconds(), e.trainLoss(),
                    e.validationAccuracy(), Derivation.skips(e.unguarded().normal()),
                    Derivation.skips(e.genotype().normal()), Derivation.skips(e.unguarded().reduce()),
                    Derivation.skips(e.genotype().reduce()), meanSkipWeight(e.alphaNormal(), cfg),
                    meanSkipWeight(e.alphaReduce(), cfg)));
        }
        if (mode.equals("epoch")) {
            double[] t = trace.stream().skip(1).mapToDouble(DartsSearch.Epoch::seconds).sorted().toArray();
            System.out.printf(Locale.ROOT, "{\"peer\":\"djl\",\"mode\":\"epoch\",\"order\":%d,\"steps_per_epoch\":%d,"
                    + "\"median_s\":%.3f,\"min_s\":%.3f,\"max_s\":%.3f,\"epochs_timed\":%d}%n", order,
                    data.train().size() / batch, t[t.length / 2], t[0], t[t.length - 1], t.length);
            return 0;
        }
        if (!mode.equals("collapse")) {
            throw new IllegalArgumentException("--mode must be epoch or collapse, got " + mode);
        }
        DartsSearch.Epoch last = trace.get(trace.size() - 1);
        ProxyConfig proxy = new ProxyConfig(proxyEpochs, 32, new SgdConfig(0.05, 0.9, 3e-4, 5), new NetworkSize(8, 3, 3), 1,
                5, 1, 0, 0);
        try (ProxyTrainingEstimator est = new ProxyTrainingEstimator(proxy, data)) {
            for (String which : List.of("unguarded", "guarded")) {
                DartsGenotype g = which.equals("guarded") ? last.genotype() : last.unguarded();
                String text = DartsText.format(g);
                Evaluation e = est.evaluate(new Candidate(which, DartsSpace.NAME, text,
                        new DartsSpace(offered.stream().filter(op -> op != io.sparknas.space.Operation.NONE).toList(),
                                d.nodes()).canonicalKey(g), "darts", List.of(), seed), EvaluationContext.defaults());
                System.out.printf(Locale.ROOT, "{\"genotype\":\"%s\",\"skips_normal\":%d,\"skips_reduce\":%d,"
                                + "\"status\":\"%s\",\"accuracy\":%.4f,\"params\":%.0f,\"text\":\"%s\"}%n", which,
                        Derivation.skips(g.normal()), Derivation.skips(g.reduce()), e.status(), e.accuracy(),
                        e.metric(Metrics.PARAMS), text);
            }
        }
        return 0;
    }

    /** Mean softmax weight of skip_connect over the normal cell's edges. */
    private static double meanSkipWeight(double[][] alpha, DartsSearchConfig cfg) {
        int skip = cfg.ops().indexOf(io.sparknas.space.Operation.SKIP_CONNECT);
        return Arrays.stream(DartsSearch.softmax(alpha)).mapToDouble(w -> w[skip]).average().orElse(Double.NaN);
    }
}
