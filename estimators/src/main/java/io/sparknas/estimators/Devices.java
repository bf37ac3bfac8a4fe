package io.sparknas.estimators;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Optional;

/**
 * Chooses where a candidate trains: the GPU Spark assigned to the task where there is one
 * ({@code spark.task.resource.gpu.amount}), else the first GPU DJL sees, else the CPU. A task Spark gave a GPU that
 * DJL cannot see (a CPU build of libtorch on a GPU node: the commonest GPU misconfiguration) fails with a sentence
 * saying so, rather than training on the CPU unnoticed; with {@code SPARKNAS_GPU_FALLBACK=cpu} in the executors'
 * environment it trains on the CPU and logs a warning (the row records {@code cpu()}).
 */
public final class Devices {
    /** The environment variable (or system property) that lets a task given a GPU DJL cannot see use the CPU. */
    public static final String FALLBACK = "SPARKNAS_GPU_FALLBACK";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Devices.class);

    private Devices() {
    }

    public static Device choose(Optional<String> assignedGpu) {
        int gpus = Engine.getInstance().getGpuCount();
        if (gpus == 0 && assignedGpu.isPresent()) {
            String why = "Spark assigned GPU " + assignedGpu.get() + " to this task but DJL sees no GPU (libtorch "
                    + Engine.getInstance().getVersion() + " loaded from " + libtorchPath() + " is a CPU build, or "
                    + "no CUDA device is visible)";
            String fallback = System.getenv().getOrDefault(FALLBACK, System.getProperty(FALLBACK, ""));
            if (fallback.equalsIgnoreCase("cpu")) {
                LOG.warn("{}; training on the CPU because {}=cpu", why, FALLBACK);
                return Device.cpu();
            }
            throw new IllegalStateException(why + ": give the executors a CUDA build of libtorch "
                    + Engine.getInstance().getVersion() + " (PYTORCH_LIBRARY_PATH and PYTORCH_FLAVOR, docs/clusters.md) "
                    + "or set spark.executorEnv." + FALLBACK + "=cpu to train on the CPU");
        }
        if (gpus == 0) {
            return Device.cpu();
        }
        if (assignedGpu.isPresent()) {
            int id;
            try {
                id = Integer.parseInt(assignedGpu.get().strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("GPU address '" + assignedGpu.get() + "' from Spark's resource "
                        + "discovery is not a device index; the discovery script must print indices", e);
            }
            if (id >= gpus) {
                throw new IllegalArgumentException("Spark assigned GPU " + id + " but DJL sees only " + gpus + " GPU(s)");
            }
            return Device.gpu(id);
        }
        return Device.gpu();
    }

    /** Where the PyTorch engine's native library was loaded from (what {@code doctor} prints). */
    public static String libtorchPath() {
        try {
            return ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
        } catch (RuntimeException | LinkageError e) {
            return "?";
        }
    }

    /** Name as recorded in results: {@code cpu()} or {@code gpu(0)}. */
    public static String describe(Device d) {
        return d.toString();
    }

    /**
     * Sets libtorch's thread pools before the engine starts (they cannot change afterwards); a no-op when the
     * user set the properties explicitly.
     */
    public static void configureThreads(int threads) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
