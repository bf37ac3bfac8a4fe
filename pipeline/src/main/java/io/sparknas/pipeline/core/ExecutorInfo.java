package io.sparknas.pipeline.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.sparknas.estimators.Devices;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;

/**
 * What a Spark task knows about where it runs, recorded with its results: the host, the executor, the GPU Spark
 * assigned it (resource scheduling), the DJL device that gives and its name, and the engine's version.
 */
public final class ExecutorInfo {
    private ExecutorInfo() {
    }

    /** The GPU address Spark assigned to the task ({@code spark.task.resource.gpu.amount}), if any. */
    public static Optional<String> assignedGpu(TaskContext ctx) {
        if (ctx == null) {
            return Optional.empty();
        }
        Map<String, ResourceInformation> resources = ctx.resourcesJMap();
        ResourceInformation gpu = resources.get("gpu");
        return gpu == null || gpu.addresses().length == 0 ? Optional.empty() : Optional.of(gpu.addresses()[0]);
    }

    /** The DJL device of the running task: its assigned GPU (one DJL cannot see fails the task), else the CPU. */
    public static Device device() {
        return Devices.choose(assignedGpu(TaskContext.get()));
    }

    /** This executor's id, {@code driver} where the task runs in the driver's JVM (local mode). */
    public static String executorId() {
        return SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
    }

    /** The task's attempt number, 0 outside a task. */
    public static int attempt() {
        return TaskContext.get() == null ? 0 : TaskContext.get().attemptNumber();
    }

    public static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }

    /** The device a timing ran on: the GPU, or the CPU's model name. */
    public static String deviceName(Device d) {
        if (d.isGpu()) {
            return Devices.describe(d);
        }
        try {
            for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return "cpu " + line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture is the best name there is
        }
        return "cpu " + System.getProperty("os.arch");
    }

    /** DJL's and the engine's versions, as latency tables record them (a table of another engine is refused). */
    public static String engine() {
        return "djl-" + Provenance.current("").djlVersion() + "/" + Engine.getInstance().getEngineName() + "-"
                + Engine.getInstance().getVersion();
    }
}
