package io.sparknas.estimators.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.proxy.ProxyTrainingEstimator;

import java.util.Optional;

/** Proxy training ({@code estimator.kind = proxy}): the budget of one evaluation and the images it uses. */
@JsonIgnoreProperties({"table", "oneshot"})
public record ProxySpec(ProxyConfig proxy, DataConfig data) implements EstimatorSpec {
    public static final String KIND = "proxy";

    public ProxySpec {
        if (proxy == null || data == null) {
            throw new IllegalArgumentException("estimator.kind = proxy needs estimator.proxy and estimator.data");
        }
    }

    /** The epochs of one training. */
    public int epochs() {
        return proxy.epochs();
    }

    /** The same proxy training for {@code n} epochs (OFA's scratch baseline at the supernet's budget). */
    public ProxySpec withEpochs(int n) {
        return new ProxySpec(proxy.withEpochs(n), data);
    }

    /** The size of the networks this proxy trains (what compound scaling starts from). */
    public io.sparknas.space.NetworkSize network() {
        return proxy.network();
    }

    /** The DARTS network this proxy trains a genotype as (its data's images, its network size). */
    public io.sparknas.space.darts.DartsNetworkConfig dartsNetwork() {
        return new io.sparknas.space.darts.DartsNetworkConfig(data.imageChannels(), data.imageSide(), data.classes(),
                proxy.network().channels(), proxy.network().layers(), proxy.network().stemMultiplier());
    }

    /** The NAS-Bench-201 network this proxy trains a cell as. */
    public io.sparknas.space.nb201.Nb201NetworkConfig nb201Network() {
        return new io.sparknas.space.nb201.Nb201NetworkConfig(data.imageChannels(), data.imageSide(), data.classes(),
                proxy.network().channels(), proxy.nb201CellsPerStage());
    }

    /** libtorch threads per evaluating task (the proxy's setting, shared by jobs that evaluate other ways). */
    public int torchThreads() {
        return proxy.torchThreads();
    }

    @Override
    public boolean trains() {
        return true;
    }

    @Override
    public boolean pausable() {
        return true;
    }

    /** The scheduler's epochs replace {@code estimator.proxy.epochs}; a drawn number of epochs contradicts them. */
    @Override
    public void checkScheduled(int maxEpochs) {
        if (proxy.epochsUpTo() > 0) {
            throw new IllegalArgumentException("search.scheduler decides each candidate's epochs (up to maxEpochs="
                    + maxEpochs + "); set estimator.proxy.epochsUpTo = 0");
        }
    }

    @Override
    public Optional<DataConfig> dataset() {
        return Optional.of(data);
    }

    @Override
    public Optional<io.sparknas.space.darts.DartsNetworkConfig> dartsNetworkShape() {
        return Optional.of(dartsNetwork());
    }

    @Override
    public Optional<io.sparknas.space.nb201.Nb201NetworkConfig> nb201NetworkShape() {
        return Optional.of(nb201Network());
    }

    /** The dataset is there and reads whole (headers, counts); local-mode executors share this JVM's copy. */
    @Override
    public void checkLocal() {
        data.checkPresent();
        try {
            Datasets.shared(data);
        } catch (io.sparknas.estimators.data.DatasetException e) {
            throw new IllegalArgumentException("estimator.data: " + e.getMessage()
                    + " (fix or replace the file, or point estimator.data.dir at a good copy)", e);
        }
    }

    /**
     * {@code spec} as a proxy spec, for a job that trains networks itself ({@code who}: darts, scale, ofa); another
     * kind is refused in one line.
     */
    public static ProxySpec required(EstimatorSpec spec, String who) {
        if (spec instanceof ProxySpec p) {
            return p;
        }
        throw new IllegalArgumentException(who + " needs estimator.kind = proxy (" + why(who) + "), got '"
                + spec.kind() + "'");
    }

    private static String why(String who) {
        return switch (who) {
            case "darts" -> "images to search on";
            case "scale" -> "networks to train";
            case "ofa" -> "the images, and the budget of the from-scratch baseline";
            default -> "networks to train";
        };
    }

    /** Cells per stage of the NAS-Bench-201 networks this proxy trains. */
    public int nb201CellsPerStage() {
        return proxy.nb201CellsPerStage();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Estimator create() {
        Devices.configureThreads(proxy.torchThreads());
        return new ProxyTrainingEstimator(proxy, Datasets.shared(data), side -> Datasets.shared(data.withResize(side)));
    }
}
