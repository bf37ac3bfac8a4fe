package io.sparknas.pipeline.core;

import java.io.Serializable;

/** What every result row carries so that it can be re-run: the configuration hash and the versions used. */
public record Provenance(String configHash, String sparknasVersion, String sparkVersion, String djlVersion,
                         String javaVersion) implements Serializable {

    public static final String SPARKNAS_VERSION = "0.1.0";

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
