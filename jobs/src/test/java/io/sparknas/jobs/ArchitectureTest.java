package io.sparknas.jobs;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module graph of docs/design.md, kept true: {@code space <- strategies}, {@code space <- estimators <- oneshot},
 * {@code pipeline -> {strategies, estimators, oneshot}}, {@code jobs -> pipeline}; DJL only in estimators and oneshot
 * (and what runs them), Spark only in pipeline and jobs; no package cycles; the pipeline sees estimators only
 * through their contract; the pipeline's sweep kinds stand on its core and never on one another; networks multiply
 * by no Java number in a forward pass (DJL's freed scalar, see Torch.times). Runs over the
 * production classes of every module.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // the pipeline's test support
                .importPackages("io.sparknas");
    }

    static void check(ArchRule rule) {
        rule.check(classes);
    }

    @Test
    void theSpaceKnowsNeitherDjlNorSparkNorAnyOtherModule() {
        check(noClasses().that().resideInAPackage("io.sparknas.space..").should().dependOnClassesThat()
                .resideInAnyPackage("ai.djl..", "org.apache.spark..", "org.apache.hadoop..", "scala..",
                        "io.sparknas.strategies..", "io.sparknas.estimators..", "io.sparknas.oneshot..",
                        "io.sparknas.pipeline..", "io.sparknas.jobs.."));
    }

    @Test
    void strategiesDependOnTheSpaceOnly() {
        check(noClasses().that().resideInAPackage("io.sparknas.strategies..").should().dependOnClassesThat()
                .resideInAnyPackage("ai.djl..", "org.apache.spark..", "org.apache.hadoop..", "scala..",
                        "io.sparknas.estimators..", "io.sparknas.oneshot..", "io.sparknas.pipeline..",
                        "io.sparknas.jobs.."));
    }

    @Test
    void estimatorsAndOneShotSearchKnowNoSparkAndNoStrategy() {
        check(noClasses().that().resideInAPackage("io.sparknas.estimators..").should().dependOnClassesThat()
                .resideInAnyPackage("io.sparknas.strategies..", "io.sparknas.oneshot..", "io.sparknas.pipeline..",
                        "io.sparknas.jobs.."));
        check(noClasses().that().resideInAPackage("io.sparknas.oneshot..").should().dependOnClassesThat()
                .resideInAnyPackage("io.sparknas.strategies..", "io.sparknas.pipeline..", "io.sparknas.jobs.."));
    }

    @Test
    void onlyThePipelineAndTheJobsTouchSpark() {
        check(noClasses().that().resideOutsideOfPackages("io.sparknas.pipeline..", "io.sparknas.jobs..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.apache.hadoop.."));
        check(noClasses().that().resideInAPackage("io.sparknas.pipeline..").should().dependOnClassesThat()
                .resideInAPackage("io.sparknas.jobs.."));
    }

    @Test
    void thePipelineAndTheJobsSeeEstimatorsOnlyThroughTheirContract() {
        check(noClasses().that().resideInAnyPackage("io.sparknas.pipeline..", "io.sparknas.jobs")
                .should().dependOnClassesThat().resideInAnyPackage("io.sparknas.estimators.proxy..",
                        "io.sparknas.estimators.tabular..")
                .because("a job runs any estimator kind through Estimator, EvaluationContext and EstimatorSpec "
                        + "(the benchmarks in jobs.bench measure concrete estimators on purpose)"));
    }

    /** The sweep kinds, each a package of the pipeline built on its core only. */
    static final java.util.List<String> KINDS = java.util.List.of("search", "darts", "scale", "ofa", "profile", "score");

    @Test
    void sweepKindsBuildOnTheCoreAndNeverOnOneAnother() {
        for (String kind : KINDS) {
            String[] others = KINDS.stream().filter(k -> !k.equals(kind)).map(k -> "io.sparknas.pipeline." + k + "..")
                    .toArray(String[]::new);
            check(noClasses().that().resideInAPackage("io.sparknas.pipeline." + kind + "..").should()
                    .dependOnClassesThat().resideInAnyPackage(others)
                    .because("what two kinds share belongs in pipeline.core"));
        }
        check(noClasses().that().resideInAPackage("io.sparknas.pipeline.core..").should().dependOnClassesThat()
                .resideInAnyPackage(KINDS.stream().map(k -> "io.sparknas.pipeline." + k + "..").toArray(String[]::new))
                .because("the core is the lifecycle every kind runs on, and knows none of them"));
        check(noClasses().should().resideInAPackage("io.sparknas.pipeline")
                .because("the pipeline's classes live in its core or in a kind's package"));
    }

    @Test
    void nothingInProductionHaltsAJvm() {
        check(noClasses().should().callMethod(Runtime.class, "halt", int.class)
                .because("a crash is injected by the tests' own estimator (pipeline's test support), never shipped"));
    }

    @Test
    void networksMultiplyByNoJavaNumberInTheirForwardPass() {
        // DJL 0.36's mul(Number) closes a tensor over a Java buffer that the autograd graph keeps (see Torch.times)
        check(noClasses().that().resideInAnyPackage("io.sparknas.estimators.nn..", "io.sparknas.oneshot.ofa..",
                        "io.sparknas.oneshot.spos..")
                .should().callMethod(ai.djl.ndarray.NDArray.class, "mul", Number.class)
                .orShould().callMethod(ai.djl.ndarray.NDArray.class, "div", Number.class)
                .orShould().callMethod(ai.djl.ndarray.NDArray.class, "pow", Number.class)
                .because("the backward pass would multiply by a freed scalar; use Torch.times"));
    }

    @Test
    void noPackageCycles() {
        check(slices().matching("io.sparknas.(**)").should().beFreeOfCycles());
    }
}
