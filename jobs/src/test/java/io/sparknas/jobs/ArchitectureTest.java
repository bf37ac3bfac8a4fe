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
 * through their contract. Runs over the production classes of every module.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
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

    @Test
    void noPackageCycles() {
        check(slices().matching("io.sparknas.(**)").should().beFreeOfCycles());
    }
}
