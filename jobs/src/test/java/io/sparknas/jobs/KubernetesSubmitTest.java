package io.sparknas.jobs;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.k8s.submit.KubernetesClientApplication;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kubernetes submission as {@code spark-submit --deploy-mode cluster} does it (Spark's own
 * {@code KubernetesClientApplication}), against the fabric8 mock API server Spark's tests use: the driver pod it
 * creates carries the image, the service account and the data volume of the pod template (deploy/k8s/), the GPU the
 * settings ask for, and the memory overhead; the executors' template and GPU settings reach the driver's
 * configuration.
 */
class KubernetesSubmitTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /**
     * The mock's CRUD mode, plus server-side apply of a resource that does not exist yet, which a real API server
     * creates (Spark applies the driver's service and config maps that way) and the mock answers 404.
     */
    static final class ApplyCreates extends KubernetesCrudDispatcher {
        @Override
        public MockResponse handlePatch(RecordedRequest request) {
            byte[] body = request.getBody().getBytes().clone(); // the patch handler reads it once
            MockResponse patched = super.handlePatch(request);
            String type = String.valueOf(request.getHeader("Content-Type"));
            if (patched.code() != 404 || !type.contains("apply-patch")) {
                return patched;
            }
            String path = request.getPath().replaceFirst("\\?.*$", "");
            String collection = path.substring(0, path.lastIndexOf('/'));
            return handleCreate(new RecordedRequest("POST " + collection + " HTTP/1.1", HttpMethod.POST, collection,
                    request.getHeaders(), new io.fabric8.mockwebserver.http.Buffer(body)));
        }
    }

    @Test
    void submissionMakesADriverPodWithTheTemplatesImageVolumesServiceAccountAndGpu() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new ApplyCreates(), false);
        server.init();
        try (KubernetesClient client = server.createClient()) {
            submitAndCheck(client);
        } finally {
            server.destroy();
        }
    }

    private static void submitAndCheck(KubernetesClient client) {
        String master = "k8s://" + client.getConfiguration().getMasterUrl();
        SparkConf conf = new SparkConf(false)
                .set("spark.master", master)
                .set("spark.submit.deployMode", "cluster")
                .set("spark.app.name", "sparknas")
                .set("spark.kubernetes.namespace", "sweeps")
                .set("spark.kubernetes.container.image", "registry.example/sparknas:0.1.0")
                .set("spark.kubernetes.authenticate.driver.serviceAccountName", "sparknas")
                .set("spark.kubernetes.driver.podTemplateFile", REPO.resolve("deploy/k8s/driver-pod.yaml").toString())
                .set("spark.kubernetes.executor.podTemplateFile", REPO.resolve("deploy/k8s/executor-pod-gpu.yaml").toString())
                .set("spark.kubernetes.submission.waitAppCompletion", "false")
                .set("spark.driver.memory", "2g")
                .set("spark.driver.memoryOverhead", "1g")
                .set("spark.driver.resource.gpu.amount", "1")
                .set("spark.driver.resource.gpu.vendor", "nvidia.com")
                .set("spark.driver.resource.gpu.discoveryScript", "/opt/sparknas/gpu-discovery.sh")
                .set("spark.executor.memoryOverhead", "6g")
                .set("spark.executor.resource.gpu.amount", "1")
                .set("spark.executor.resource.gpu.vendor", "nvidia.com")
                .set("spark.executor.resource.gpu.discoveryScript", "/opt/sparknas/gpu-discovery.sh")
                .set("spark.task.resource.gpu.amount", "0.25")
                .set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true");
        String[] args = {"--main-class", "io.sparknas.jobs.Main", "--primary-java-resource",
            "local:///opt/sparknas/app.jar", "--arg", "search", "--arg", "--conf", "--arg", "/opt/sparknas/k8s.conf"};
        new KubernetesClientApplication().start(args, conf);

        List<Pod> pods = client.pods().inNamespace("sweeps").list().getItems();
        assertEquals(1, pods.size(), "one driver pod");
        Pod driver = pods.get(0);
        assertEquals("sparknas", driver.getSpec().getServiceAccountName());
        assertEquals("sparknas", driver.getMetadata().getLabels().get("app.kubernetes.io/name"), "the template's label");
        assertTrue(driver.getSpec().getVolumes().stream().anyMatch(v -> v.getName().equals("data")
                && v.getPersistentVolumeClaim().getClaimName().equals("sparknas-data")), "the template's volume");
        Container c = driver.getSpec().getContainers().stream()
                .filter(x -> x.getName().equals("spark-kubernetes-driver")).findFirst().orElseThrow();
        assertEquals("registry.example/sparknas:0.1.0", c.getImage());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("data")
                && m.getMountPath().equals("/data")), "mounted at /data");
        Map<String, Quantity> limits = c.getResources().getLimits();
        assertEquals("1", limits.get("nvidia.com/gpu").getAmount(), "the GPU request: " + limits);
        assertEquals(3 * 1024L * 1024 * 1024, Quantity.getAmountInBytes(limits.get("memory")).longValue(),
                "driver memory plus overhead: " + limits);
        assertTrue(c.getArgs().containsAll(List.of("search", "--conf", "/opt/sparknas/k8s.conf")), c.getArgs().toString());

        // what the driver will build its executors from: the executor template and the GPU settings
        List<ConfigMap> maps = client.configMaps().inNamespace("sweeps").list().getItems();
        String all = maps.stream().flatMap(m -> m.getData().values().stream()).reduce("", String::concat);
        assertTrue(all.contains("nvidia.com/gpu.present"), "the executor pod template travels to the driver");
        assertTrue(all.contains("spark.executor.resource.gpu.amount=1") && all.contains("spark.task.resource.gpu.amount=0.25")
                && all.contains("spark.executor.memoryOverhead=6g"), all);
    }
}
