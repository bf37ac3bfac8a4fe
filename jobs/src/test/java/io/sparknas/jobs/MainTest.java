package io.sparknas.jobs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's contract: exit codes, one-line errors, the version; in YARN cluster mode no System.exit. */
class MainTest {
    @Test
    void inClusterModeSuccessReturnsAndFailureThrowsWithTheExitCode() {
        String before = System.getProperty("spark.submit.deployMode");
        System.setProperty("spark.submit.deployMode", "cluster");
        try {
            assertDoesNotThrow(() -> Main.main(new String[] {"--version"}));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Main.main(new String[] {"search", "--conf", "absent.conf"}));
            assertTrue(e.getMessage().contains("failed with exit code 2"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("spark.submit.deployMode");
            } else {
                System.setProperty("spark.submit.deployMode", before);
            }
        }
    }

    @Test
    void anErrorWithoutAMessageSaysWhatAndWhereAndVerbosePrintsTheStackTrace() throws Exception {
        String line = Main.reason(new NullPointerException());
        assertTrue(line.startsWith("internal error java.lang.NullPointerException at ") && line.contains("--verbose"),
                line);
        assertEquals("sweep.output is empty", Main.reason(new IllegalStateException("sweep.output is empty")));
    }

    @Test
    void theVersionIsThePomsAndVerboseIsAcceptedByEveryCommand() {
        String version = new Main.Version().getVersion()[0];
        assertTrue(version.startsWith("sparknas 0.1.0-SNAPSHOT (Spark "), version); // the pom's, filtered in
        for (String cmd : new String[] {"search", "report", "score"}) {
            assertEquals(0, Main.run(cmd, "--verbose", "--help"), cmd + " --verbose");
        }
    }

    @Test
    void everyCommandsHelpShowsItsDefaultsExitCodesAndARunnableExample() throws Exception {
        picocli.CommandLine cli = Main.commandLine();
        for (SweepKinds.Kind k : SweepKinds.ALL) {
            String help = cli.getSubcommands().get(k.name()).getUsageMessage();
            assertTrue(help.contains("Exit codes: 0 done") && help.contains("Example: ./sparknas " + k.name()), help);
            assertTrue(java.nio.file.Files.isRegularFile(java.nio.file.Path.of("..", k.example())), k.example());
            String[] example = help.substring(help.indexOf("Example: ./sparknas ") + 20).strip().split(" ");
            cli.parseArgs(example); // the example is a command line the CLI accepts
        }
        String bench = cli.getSubcommands().get("bench-train-step").getUsageMessage();
        assertTrue(bench.contains("Default: 5") && bench.contains("Exit codes:"), bench);
    }

    @Test
    void shellCompletionNamesEveryCommand() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cli = Main.commandLine();
        cli.setOut(new java.io.PrintWriter(out));
        assertEquals(0, cli.execute("generate-completion"));
        String script = out.toString();
        assertTrue(script.contains("complete -F"), script.substring(0, Math.min(300, script.length())));
        for (String cmd : new String[] {"search", "darts", "score", "report", "doctor"}) {
            assertTrue(script.contains(cmd), cmd);
        }
    }
}
