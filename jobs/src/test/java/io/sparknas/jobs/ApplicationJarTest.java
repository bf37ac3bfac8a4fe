package io.sparknas.jobs;

import io.sparknas.space.TestData;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.pipeline.search.SearchLoop;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application jar as a cluster gets it: {@code mvn -Papp package} (Spark and Hadoop provided; built here from
 * the classes this build compiled), submitted through Spark's own {@code SparkSubmit} (what {@code spark-submit}
 * runs) with nothing but Spark's jars beside it. Its proxy sweep must commit the rows the same sweep commits when run
 * in-process.
 */
class ApplicationJarTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private static Path built;

    /**
     * Builds the shaded application jar of the current sources, without compiling or testing again: once per build,
     * whichever test JVM asks first (the tests run in two JVMs; the YARN test submits the same jar). A file lock
     * keeps a second JVM from packaging at the same time; a jar newer than every compiled class is reused.
     */
    static synchronized Path buildApplicationJar(Path logDir) throws Exception {
        if (built != null && Files.isRegularFile(built)) {
            return built;
        }
        Path target = Files.createDirectories(REPO.resolve("jobs/target"));
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(target.resolve("app-jar.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = lock.lock()) {
            Optional<Path> jar = appJar(target);
            if (jar.isEmpty() || Files.getLastModifiedTime(jar.get()).toMillis() < newestClass()) {
                // the profile of the Spark line these tests run on: a 3.5 cluster's jar is built with -Pspark35
                String profiles = org.apache.spark.package$.MODULE$.SPARK_VERSION().startsWith("3.") ? "-Pspark35,app"
                        : "-Papp";
                // -DskipTests, not -Dmaven.test.skip: the modules' test jars (test-scoped dependencies of the
                // modules after them) must be packaged in this reactor, or Maven looks for them in ~/.m2, where a
                // fresh machine has none. The test classes are compiled already, and must not be compiled again
                // while the other test JVM loads them: on a fresh clone the first package turns the modules'
                // classes directories into jars, which the compiler's incremental mode takes for changed
                // dependencies, deleting and recompiling every test class (a ClassNotFoundException in the other
                // JVM, seen in a cold rehearsal). Without it, only sources newer than their classes are compiled.
                List<String> mvn = List.of("mvn", "-B", "-q", "-ntp", "-f", REPO.resolve("pom.xml").toString(),
                        profiles, "-pl", "jobs", "-am", "-DskipTests", "-Dmaven.main.skip=true",
                        "-Dmaven.compiler.useIncrementalCompilation=false", "package");
                NotebooksAndReportTest.runProcess(mvn, Map.of("MAVEN_OPTS", (System.getenv()
                        .getOrDefault("MAVEN_OPTS", "") + " " + TestJvms.flagLine()).strip()), Duration.ofMinutes(10),
                        logDir);
                jar = appJar(target);
            }
            built = jar.orElseThrow();
            return built;
        }
    }

    private static Optional<Path> appJar(Path target) throws java.io.IOException {
        try (var jars = Files.list(target)) {
            // the name the templates and docs/clusters.md give, for either Scala line (jobs, not jobs_2.13)
            String name = "jobs-" + io.sparknas.pipeline.core.Provenance.SPARKNAS_VERSION + "-app.jar";
            return jars.filter(p -> p.getFileName().toString().equals(name)).findFirst();
        }
    }

    /** When the newest class file of the modules was written (this build compiled them). */
    private static long newestClass() throws java.io.IOException {
        long newest = 0;
        for (String module : List.of("space", "strategies", "estimators", "oneshot", "pipeline", "jobs")) {
            Path classes = REPO.resolve(module + "/target/classes");
            if (Files.isDirectory(classes)) {
                try (var files = Files.walk(classes)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        newest = Math.max(newest, Files.getLastModifiedTime(f).toMillis());
                    }
                }
            }
        }
        return newest;
    }

    /** Spark's, Scala's and Hadoop's jars from this test's classpath: what a Spark distribution puts beside the app. */
    static String sparkClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.endsWith(".jar"))
                .filter(e -> !e.contains("/io/sparknas/") && !e.contains("/ai/djl/") && !e.contains("/info/picocli/")
                        && !e.contains("/com/typesafe/config/") && !e.contains("/org/junit/")
                        && !e.contains("/com/tngtech/") && !e.contains("/org/opentest4j/")
                        && !e.contains("/org/apiguardian/") && !e.contains("hadoop-client-minicluster"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The libtorch files of DJL's CPU native jar (on this test's classpath), unpacked into {@code to}. */
    static Path unpackLibtorch(Path to) throws Exception {
        String nativeJar = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("pytorch-native-cpu")).findFirst().orElseThrow();
        Files.createDirectories(to);
        try (var zip = new java.util.zip.ZipFile(nativeJar)) {
            for (var e : java.util.Collections.list(zip.entries())) {
                String name = e.getName();
                if (!e.isDirectory() && name.startsWith("pytorch/cpu/linux-x86_64/")) {
                    try (var in = zip.getInputStream(e)) {
                        Files.copy(in, to.resolve(name.substring(name.lastIndexOf('/') + 1)));
                    }
                }
            }
        }
        return to;
    }

    /**
     * What the application jar may carry as it is: sparknas itself (its relocated copies under io/sparknas/shaded),
     * DJL (without libtorch), picocli, Typesafe Config and JNA, none of which Spark ships (neither 4.2 nor 3.5).
     * Everything else in it is a library Spark also has (Jackson, Gson, commons-*, slf4j), which must be relocated or
     * left to Spark.
     */
    private static final List<String> AS_IS = List.of("io/sparknas/", "ai/djl/", "picocli/", "com/typesafe/config/",
            "com/sun/jna/");

    /** The class files of {@code jar} outside {@link #AS_IS} (multi-release copies judged by their own name). */
    static List<String> unrelocated(Path jar) throws java.io.IOException {
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
            return zip.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.endsWith(".class"))
                    .filter(n -> AS_IS.stream().noneMatch(n.replaceFirst("^META-INF/versions/\\d+/", "")::startsWith))
                    .toList();
        }
    }

    @Test
    void theApplicationJarCarriesNoUnrelocatedCopyOfALibrarySparkShips(@TempDir Path dir) throws Exception {
        Path jar = buildApplicationJar(dir);
        List<String> foreign = unrelocated(jar);
        assertTrue(foreign.isEmpty(), foreign.size() + " classes of libraries Spark ships, unrelocated, e.g. "
                + foreign.subList(0, Math.min(5, foreign.size())));
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
            assertTrue(zip.getEntry("io/sparknas/shaded/jackson/databind/ObjectMapper.class") != null,
                    "our Jackson, relocated");
            for (String page : List.of("io/sparknas/jobs/serve/sweep.html", "io/sparknas/jobs/serve/sweep.js",
                    "META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
                assertTrue(zip.getEntry(page) != null, "the live page (sparknas serve) needs " + page);
            }
            assertTrue(zip.stream().anyMatch(e -> e.getName().endsWith("/dist/uPlot.iife.min.js")), "uPlot's script");
        }
    }

    @Test
    void aPlantedCopyOfJacksonIsFound(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("planted.jar");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            for (String name : List.of("io/sparknas/jobs/Main.class", "ai/djl/Model.class",
                    "META-INF/versions/11/com/sun/jna/Native.class", "com/fasterxml/jackson/databind/ObjectMapper.class",
                    "META-INF/versions/9/org/slf4j/Logger.class", "META-INF/MANIFEST.MF")) {
                out.putNextEntry(new java.util.zip.ZipEntry(name));
                out.closeEntry();
            }
        }
        assertEquals(List.of("com/fasterxml/jackson/databind/ObjectMapper.class",
                "META-INF/versions/9/org/slf4j/Logger.class"), unrelocated(jar));
    }

    @Test
    void theApplicationJarRunsTheSweepThroughSparkSubmitAsInProcess(@TempDir Path dir) throws Exception {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Path jar = buildApplicationJar(dir);
        assertTrue(Files.size(jar) > 10_000_000, "a shaded jar: " + jar);
        String classpath = sparkClasspath();
        assertTrue(classpath.contains("spark-core_"), classpath);
        assertTrue(!classpath.contains("/ai/djl/"), "DJL comes from the application jar");
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
            assertTrue(zip.getEntry("jnilib/linux-x86_64/cpu/libdjl_torch.so") != null, "DJL's JNI layer is in the jar");
            assertTrue(zip.stream().noneMatch(e -> e.getName().endsWith("libtorch_cpu.so")),
                    "libtorch is not in the application jar: the cluster's nodes give it");
        }
        // libtorch as a GPU node has it: a folder named by PYTORCH_LIBRARY_PATH (here the CPU build, unpacked from
        // DJL's native jar), the flavour by PYTORCH_FLAVOR, and a DJL cache that has never seen libtorch
        Path libtorch = unpackLibtorch(dir.resolve("libtorch"));
        // (ENGINE_CACHE_DIR too: where it is set, DJL puts the engine's files there instead of DJL_CACHE_DIR)
        Map<String, String> env = Map.of("PYTORCH_LIBRARY_PATH", libtorch.toString(), "PYTORCH_FLAVOR", "cpu",
                "DJL_CACHE_DIR", dir.resolve("djl-cache").toString(), "ENGINE_CACHE_DIR",
                dir.resolve("djl-cache").toString());

        Path submitted = dir.resolve("submitted");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(System.getProperty("sparknas.jvm.opens", "").split(" ")));
        cmd.addAll(TestJvms.flags());
        cmd.addAll(List.of("-Dai.djl.offline=true", "-Xmx2g", "-cp", classpath, "org.apache.spark.deploy.SparkSubmit",
                "--master", "local[2]", "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
                "--class", "io.sparknas.jobs.Main", jar.toString(), "search", "--conf",
                REPO.resolve("conf/quickstart.conf").toString()));
        for (String s : StandaloneClusterTest.proxySweepSettings(submitted)) {
            cmd.addAll(List.of("--set", s));
        }
        cmd.removeIf(String::isEmpty);
        String log = NotebooksAndReportTest.runProcess(cmd, env, Duration.ofMinutes(10), dir);
        assertTrue(log.contains("done: 4 evaluations (0 failed) in 2 rounds"), log);
        Files.createDirectories(dir.resolve("djl-cache")); // DJL makes it only when it caches something
        try (var cached = Files.walk(dir.resolve("djl-cache"))) {
            assertTrue(cached.noneMatch(p -> p.getFileName().toString().startsWith("libtorch")),
                    "libtorch was loaded from PYTORCH_LIBRARY_PATH, not extracted to the cache");
        }

        SparkSession spark = SparkSessions.create("app-jar-check", "local[2]", Map.of("spark.ui.enabled", "false"));
        try {
            List<Row> fromJar = spark.read().parquet(submitted + "/candidates").collectAsList();
            SearchLoop.Result inProcess = new SearchLoop(spark,
                    StandaloneClusterTest.proxySweep(dir.resolve("in-process")), s -> { }).run();
            assertEquals(StandaloneClusterTest.essence(inProcess.sweep().store().candidates().collectAsList()),
                    StandaloneClusterTest.essence(fromJar));
        } finally {
            spark.stop();
        }
        assertTrue(Files.isRegularFile(submitted.resolve("export/model/model-0000.params")),
                "the submitted job exported its winner");
    }
}
