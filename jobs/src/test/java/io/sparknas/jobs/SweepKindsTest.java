package io.sparknas.jobs;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry of sweep kinds is what the command line, the defaults and the logged configuration are made from. */
class SweepKindsTest {

    @Test
    void everyKindIsASubcommandWithItsSectionsInTheDefaultsAndTheLoggedConfiguration() {
        var cli = Main.commandLine();
        List<String> commands = List.copyOf(cli.getSubcommands().keySet());
        assertEquals(SweepKinds.ALL.stream().map(SweepKinds.Kind::name).toList(),
                commands.subList(0, SweepKinds.ALL.size()), "the kinds come first, in the registry's order");
        var defaults = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), "sparknas-defaults.conf");
        String rendered = JobConfig.load(Path.of("../conf/quickstart.conf"), List.of()).render();
        for (SweepKinds.Kind k : SweepKinds.ALL) {
            assertTrue(cli.getSubcommands().get(k.name()).getCommand() instanceof SweepJob<?>, k.name());
            for (String section : k.sections()) {
                assertTrue(defaults.hasPath(section), section + " of kind " + k.name() + " has defaults");
                assertTrue(rendered.contains(section + " {") || rendered.contains(section + "{"),
                        section + " is in the logged configuration: " + rendered);
            }
        }
    }
}
