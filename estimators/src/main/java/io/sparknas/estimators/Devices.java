package io.sparknas.estimators;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Optional;

/**
 * Chooses where a candidate trains: the GPU Spark assigned to the task where there is one
 * ({@code spark.task.resource.gpu.amount}), else the first GPU DJL sees, else the CPU.
 */
public final class Devices {
    private Devices() {
    }

    public static Device choose(Optional<String> assignedGpu) {
        int gpus = Engine.getInstance().getGpuCount();
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
