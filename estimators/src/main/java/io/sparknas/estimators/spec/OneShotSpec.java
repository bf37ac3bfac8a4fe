package io.sparknas.estimators.spec;

import ai.djl.Device;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Weight-sharing evaluation of discrete candidates ({@code estimator.kind = oneshot}): a single-path supernet of
 * the NAS-Bench-201 space, trained once per sweep on {@code estimator.data} with {@code estimator.proxy}'s network
 * and SGD (or read from {@code oneshot.checkpoint}), scores each candidate with inherited weights after
 * recalibrating its batch normalisation. The supernet lives in the {@code oneshot} module, which sits above this
 * one; it is found through {@link Supernets} (a {@link ServiceLoader} service), so the module arrows stay one-way.
 */
@JsonIgnoreProperties({"table"})
public record OneShotSpec(ProxyConfig proxy, DataConfig data, OneShotConfig oneshot) implements EstimatorSpec {
    public static final String KIND = "oneshot";

    public OneShotSpec {
        if (proxy == null || data == null || oneshot == null) {
            throw new IllegalArgumentException("estimator.kind = oneshot needs estimator.proxy (the network), "
                    + "estimator.data and estimator.oneshot");
        }
    }

    /** The NAS-Bench-201 network every candidate is (proxy training's, so the two estimators score one network). */
    public Nb201NetworkConfig nb201Network() {
        return new ProxySpec(proxy, data).nb201Network();
    }

    /** NAS-Bench-201 cells only. */
    @Override
    public java.util.List<String> spaces() {
        return java.util.List.of(io.sparknas.space.nb201.Nb201Space.NAME);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Estimator create() {
        return supernets().estimator(this);
    }

    private static Supernets supernets() {
        return ServiceLoader.load(Supernets.class).findFirst().orElseThrow(() -> new IllegalStateException(
                "estimator.kind = oneshot needs the sparknas oneshot module on the classpath"));
    }

    /** The winner is exported as its network trained from scratch: proxy training of the same network and data. */
    @Override
    public EstimatorSpec retraining() {
        return new ProxySpec(proxy, data);
    }

    @Override
    public Optional<DataConfig> dataset() {
        return Optional.of(data);
    }

    @Override
    public Optional<Nb201NetworkConfig> nb201NetworkShape() {
        return Optional.of(nb201Network());
    }

    @Override
    public void checkLocal() {
        new ProxySpec(proxy, data).checkLocal();
        if (!oneshot.checkpoint().isEmpty() && !oneshot.checkpoint().contains("://")) {
            if (!new java.io.File(oneshot.checkpoint()).isFile()) {
                throw new IllegalArgumentException("estimator.oneshot.checkpoint: no file " + oneshot.checkpoint()
                        + " (give a supernet an earlier sweep trained, or leave it empty to train one)");
            }
            supernets().check(this);
        }
    }

    /** With no checkpoint given, the sweep trains the supernet. */
    @Override
    public Optional<SweepTraining> sweepTraining() {
        return oneshot.checkpoint().isEmpty() ? Optional.of(new Training(this)) : Optional.empty();
    }

    @Override
    public List<String> filesToShip() {
        return oneshot.checkpoint().isEmpty() ? List.of() : List.of(oneshot.checkpoint());
    }

    @Override
    public EstimatorSpec withLocalFiles(UnaryOperator<String> local) {
        String copy = oneshot.checkpoint().isEmpty() ? null : local.apply(oneshot.checkpoint());
        return copy == null ? this : withCheckpoint(copy);
    }

    public OneShotSpec withCheckpoint(String path) {
        return new OneShotSpec(proxy, data, oneshot.withCheckpoint(path));
    }

    /** The supernet's training, run by the pipeline once per sweep. */
    private record Training(OneShotSpec spec) implements SweepTraining {
        @Override
        public String fileName() {
            Nb201NetworkConfig n = spec.nb201Network();
            return "nb201-single-path-c" + n.channels() + "-n" + n.cellsPerStage() + ".ckpt";
        }

        @Override
        public byte[] train(Device device, BiConsumer<Integer, Map<String, Double>> epochs) {
            return supernets().train(spec, device, epochs);
        }

        @Override
        public EstimatorSpec trained(String checkpoint) {
            return spec.withCheckpoint(checkpoint);
        }
    }

    /** The supernet's estimator and training (implemented in the {@code oneshot} module). */
    public interface Supernets {
        Estimator estimator(OneShotSpec spec);

        byte[] train(OneShotSpec spec, Device device, BiConsumer<Integer, Map<String, Double>> epochs);

        /** Refuses, in one line, a checkpoint that is not a supernet of the spec's network. */
        void check(OneShotSpec spec);
    }
}
