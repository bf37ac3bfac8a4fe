package io.sparknas.jobs;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.apache.spark.launcher.SubmitLine;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployment templates as a cluster reads them: each spark-submit line of the configuration headers parsed by
 * Spark's own option parser and its job arguments by the CLI, the Kubernetes manifests by fabric8, the Airflow DAG's
 * settings; and what each cluster needs asserted (libtorch shipped from the build, not a Maven repository; the malloc
 * tunables; a second YARN attempt; an SDK v2 credentials provider; a CPU template without GPU nodes; the claim the
 * pod templates mount defined by a manifest).
 */
class DeploymentTemplatesTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void yarnSubmitShipsLibtorchFromTheBuildTheTunablesAndASecondAttempt() throws IOException {
        Submit s = trainingSubmit("conf/yarn.conf");
        assertTrue(Integer.parseInt(s.conf.getOrDefault("spark.yarn.maxAppAttempts", "1")) >= 2,
                "a lost application master gets a second attempt: " + s.conf);
    }

    @Test
    void standaloneSubmitGivesExecutorsLibtorchAndTheTunables() throws IOException {
        trainingSubmit("conf/standalone.conf");
    }

    /** A submission whose executors train on nodes without libtorch: the build's CPU libtorch and the tunables. */
    private static Submit trainingSubmit(String file) throws IOException {
        Submit s = Submit.of(file);
        s.assertRunsTheCli();
        assertNativeJarFromTheBuild(s);
        assertEquals(launcherTunables(), s.conf.get("spark.executorEnv.GLIBC_TUNABLES"));
        return s;
    }

    @Test
    void kubernetesSubmitNamesAnSdkV2CredentialsProviderAndTemplatesThatExist() throws IOException {
        Submit s = Submit.of("conf/k8s.conf");
        s.assertRunsTheCli();
        String provider = s.conf.get("spark.hadoop.fs.s3a.aws.credentials.provider");
        assertNotNull(provider, "the S3A credentials provider: " + s.conf);
        assertTrue(provider.startsWith("software.amazon.awssdk."), "hadoop-aws 3.4+ loads AWS SDK v2 providers only: "
                + provider);
        for (String key : List.of("spark.kubernetes.driver.podTemplateFile", "spark.kubernetes.executor.podTemplateFile")) {
            assertTrue(Files.isRegularFile(REPO.resolve(s.conf.get(key))), key + " = " + s.conf.get(key));
        }
        assertTrue(s.conf.get("spark.kubernetes.executor.podTemplateFile").endsWith("-gpu.yaml"),
                "the GPU submission uses the GPU executor template");
    }

    @Test
    void podTemplatesMountTheClaimTheManifestDefinesAndOnlyTheGpuOneSelectsGpuNodes() throws IOException {
        PersistentVolumeClaim claim = manifest("data-pvc.yaml", PersistentVolumeClaim.class);
        String claimName = claim.getMetadata().getName();
        assertTrue(claim.getSpec().getAccessModes().contains("ReadWriteMany"), "mounted by every executor at once");
        Pod cpu = manifest("executor-pod.yaml", Pod.class);
        Pod gpu = manifest("executor-pod-gpu.yaml", Pod.class);
        Pod driver = manifest("driver-pod.yaml", Pod.class);
        for (Pod pod : List.of(cpu, gpu, driver)) {
            assertTrue(claims(pod.getSpec().getVolumes()).contains(claimName), "mounts " + claimName);
        }
        assertTrue(cpu.getSpec().getNodeSelector() == null || cpu.getSpec().getNodeSelector().isEmpty(),
                "the CPU template runs on any node: " + cpu.getSpec().getNodeSelector());
        assertTrue(cpu.getSpec().getTolerations() == null || cpu.getSpec().getTolerations().isEmpty());
        assertEquals("true", gpu.getSpec().getNodeSelector().get("nvidia.com/gpu.present"));

        List<String> accounts = new ArrayList<>();
        for (HasMetadata r : manifests("rbac.yaml")) {
            if (r instanceof ServiceAccount) {
                accounts.add(r.getMetadata().getName());
            }
        }
        assertTrue(accounts.contains(driver.getSpec().getServiceAccountName()), "rbac.yaml creates "
                + driver.getSpec().getServiceAccountName() + ": " + accounts);
    }

    @Test
    @SuppressWarnings("unchecked")
    void sparkOperatorApplicationRunsTheCliWithTheAccountTheClaimAndTheOverhead() throws IOException {
        GenericKubernetesResource app = manifest("spark-application.yaml", GenericKubernetesResource.class);
        assertEquals("SparkApplication", app.getKind());
        Map<String, Object> spec = (Map<String, Object>) app.getAdditionalProperties().get("spec");
        assertEquals(Main.class.getName(), spec.get("mainClass"));
        Main.commandLine().parseArgs(((List<String>) spec.get("arguments")).toArray(String[]::new));
        Map<String, Object> driver = (Map<String, Object>) spec.get("driver");
        Map<String, Object> executor = (Map<String, Object>) spec.get("executor");
        assertEquals(manifest("driver-pod.yaml", Pod.class).getSpec().getServiceAccountName(), driver.get("serviceAccount"));
        assertNotNull(executor.get("memoryOverhead"), "room for libtorch's native memory");
        String claimName = manifest("data-pvc.yaml", PersistentVolumeClaim.class).getMetadata().getName();
        assertTrue(spec.get("volumes").toString().contains("claimName=" + claimName), spec.get("volumes").toString());
        Map<String, String> conf = (Map<String, String>) spec.get("sparkConf");
        assertTrue(conf.get("spark.executor.extraJavaOptions").contains("-Dai.djl.offline=true"));
    }

    @Test
    void airflowDagSetsTheTunablesASecondAttemptAndArgumentsTheCliAccepts() throws IOException {
        String dag = Files.readString(REPO.resolve("deploy/airflow/sparknas_nightly.py"));
        assertEquals(launcherTunables(), group(dag, "(?m)^GLIBC_TUNABLES = \"([^\"]+)\""));
        for (String key : List.of("spark.executorEnv.GLIBC_TUNABLES", "spark.yarn.appMasterEnv.GLIBC_TUNABLES")) {
            assertTrue(dag.contains("\"" + key + "\": GLIBC_TUNABLES"), key);
        }
        assertTrue(Integer.parseInt(group(dag, "\"spark.yarn.maxAppAttempts\": \"(\\d+)\"")) >= 2);
        assertTrue(group(dag, "(?m)^NATIVE_JAR = \"([^\"]+)\"").endsWith("/" + nativeJarOnTheClasspath()));
        List<String> args = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(group(dag, "application_args=\\[([^]]*)]"));
        while (m.find()) {
            args.add(m.group(1).replace("{{ ds }}", "2026-12-04"));
        }
        Main.commandLine().parseArgs(args.toArray(String[]::new));
    }

    /** A spark-submit command written in a configuration file's header, as Spark's own parser reads it. */
    static final class Submit {
        final Map<String, String> conf;
        final Map<String, String> options;
        final List<String> jobArgs;

        private Submit(SubmitLine line) {
            this.conf = line.conf;
            this.options = line.options;
            this.jobArgs = line.appArgs;
        }

        static Submit of(String file) throws IOException {
            SubmitLine line = SubmitLine.of(ShellWords.split(command(Files.readAllLines(REPO.resolve(file)), file)));
            assertNotNull(line.resource, file + ": no application jar");
            return new Submit(line);
        }

        void assertRunsTheCli() {
            assertEquals(Main.class.getName(), options.get("--class"));
            assertTrue(conf.getOrDefault("spark.executor.extraJavaOptions", "").contains("-Dai.djl.offline=true"),
                    "executors never download: " + conf);
            Main.commandLine().parseArgs(jobArgs.toArray(String[]::new));
        }

        /** The header's {@code spark-submit ...} lines (continued by a backslash), without the comment marks. */
        private static String command(List<String> lines, String file) {
            StringBuilder b = new StringBuilder();
            boolean in = false;
            for (String line : lines) {
                String text = line.replaceFirst("^#\\s*", "");
                if (!in && text.startsWith("spark-submit ")) {
                    in = true;
                    text = text.substring("spark-submit ".length());
                }
                if (in) {
                    boolean more = text.endsWith("\\");
                    b.append(more ? text.substring(0, text.length() - 1) : text).append(' ');
                    if (!more) {
                        return b.toString();
                    }
                }
            }
            throw new AssertionError(file + " has no spark-submit line");
        }
    }

    private static void assertNativeJarFromTheBuild(Submit s) {
        String jars = s.options.get("--jars");
        assertNotNull(jars, "executors need libtorch: no --jars");
        assertEquals(List.of("jobs/target/native/" + nativeJarOnTheClasspath()), Arrays.asList(jars.split(",")),
                "the CPU libtorch the app build puts beside the jar, not a Maven repository of the submit host");
    }

    /**
     * The file name of DJL's CPU libtorch jar for a Linux x86-64 cluster, of the version this build resolved (the
     * classifier on the test classpath is this machine's).
     */
    private static String nativeJarOnTheClasspath() {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Matcher m = Pattern.compile("pytorch-native-cpu-([0-9.]+)-[a-z0-9_-]+\\.jar$")
                    .matcher(Path.of(entry).getFileName().toString());
            if (m.find()) {
                return "pytorch-native-cpu-" + m.group(1) + "-linux-x86_64.jar";
            }
        }
        throw new AssertionError("no pytorch-native-cpu jar on the test classpath");
    }

    /** The launcher's malloc tunables (the one setting that keeps libtorch's step time steady). */
    private static String launcherTunables() throws IOException {
        return group(Files.readString(REPO.resolve("sparknas")), "GLIBC_TUNABLES:-([^}]+)}");
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex);
        return m.group(1);
    }

    private static <T> T manifest(String name, Class<T> type) throws IOException {
        return Serialization.unmarshal(Files.readString(REPO.resolve("deploy/k8s").resolve(name)), type);
    }

    private static List<HasMetadata> manifests(String name) throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : Files.readString(REPO.resolve("deploy/k8s").resolve(name)).split("(?m)^---$")) {
            out.add(Serialization.unmarshal(doc));
        }
        return out;
    }

    private static List<String> claims(List<Volume> volumes) {
        List<String> out = new ArrayList<>();
        for (Volume v : volumes) {
            if (v.getPersistentVolumeClaim() != null) {
                assertFalse(v.getPersistentVolumeClaim().getClaimName().isBlank());
                out.add(v.getPersistentVolumeClaim().getClaimName());
            }
        }
        return out;
    }
}
