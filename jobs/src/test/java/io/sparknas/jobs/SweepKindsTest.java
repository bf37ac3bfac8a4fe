package io.sparknas.jobs;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry of sweep kinds is what the command line and the logged configuration are made from. */
class SweepKindsTest {

    @Test
    void everyKindIsASubcommandWithItsSectionsInTheDefaultsAndTheLoggedConfiguration() {
        var cli = Main.commandLine();
        List<String> commands = List.copyOf(cli.getSubcommands().keySet());
        assertEquals(SweepKinds.ALL.stream().map(SweepKinds.Kind::name).toList(),
                commands.subList(0, SweepKinds.ALL.size()), "the kinds come first, in the registry's order");
        var defaults = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), "sparknas-defaults.conf");
        JobConfig quickstart = JobConfig.load(Path.of("../conf/quickstart.conf"), List.of());
        for (SweepKinds.Kind k : SweepKinds.ALL) {
            String rendered = quickstart.render(k.name());
            assertTrue(cli.getSubcommands().get(k.name()).getCommand() instanceof SweepJob<?>, k.name());
            for (String section : k.sections()) {
                assertTrue(defaults.hasPath(section), section + " of kind " + k.name() + " has defaults");
                assertTrue(rendered.contains(section + " {") || rendered.contains(section + "{"),
                        section + " is in the logged configuration: " + rendered);
            }
            SweepKinds.ALL.stream().filter(other -> other != k).flatMap(other -> other.sections().stream())
                    .filter(section -> !k.sections().contains(section)).forEach(section -> assertTrue(
                            !rendered.contains("\n" + section + " {"), section + " is not " + k.name() + "'s"));
        }
    }
}
