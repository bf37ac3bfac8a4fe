package io.sparknas.pipeline.core;

import java.io.Serializable;

/** What every result row carries so that it can be re-run: the configuration hash and the versions used. */
public record Provenance(String configHash, String sparknasVersion, String sparkVersion, String djlVersion,
                         String javaVersion) implements Serializable {

    /** The pom's version, from the build's {@code version.properties}. */
    public static final String SPARKNAS_VERSION = buildVersion();

    private static String buildVersion() {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = Provenance.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (java.io.IOException e) {
            // an unreadable resource is a broken jar: the rows say so rather than name a wrong version
        }
        String v = p.getProperty("version", "unknown");
        return v.startsWith("${") ? "unknown" : v;
    }

    public static Provenance current(String configHash) {
        return new Provenance(configHash, SPARKNAS_VERSION, org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                installedDjlVersion(), System.getProperty("java.version"));
    }

    private static String installedDjlVersion() {
        Package p = ai.djl.engine.Engine.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "0.36.0" : v;
    }
}
