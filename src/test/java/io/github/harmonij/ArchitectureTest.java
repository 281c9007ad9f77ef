// SPDX-License-Identifier: MIT
package io.github.harmonij;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package tree is the architecture: these rules are it, checked on the compiled classes (so
 * a fully qualified name in the code is a dependency like an import). From the bottom up:
 * <pre>
 *   core      models, statistics, simulation engine: plain Java, ImgLib2, Commons Math only
 *   io        formats: NIfTI, CSV, JSON, gzip, output folders, the version; no GUI, no ImageJ 1.x
 *   cohort    what the user brings: manifests and tables, covariate coding, the cohort matrix
 *   model     the saved harmonisation model: its files and the value read from them
 *   pipeline  the runs, voxelwise and on tables: harmonisation, apply, site addition, effects
 *   report    the HTML report and its figures (drawn off screen)
 *   command   one SciJava command per user action; headless
 *   ij1       the ImageJ 1.x bridge: ImagePlus and NIfTI, the menu shim, macros
 *   display   what is shown in ImageJ windows after a run
 *   cli       the harmonij command line: may use anything
 * </pre>
 * Each package may use only those below it (listed per layer), and no two packages depend on each
 * other. The menu shim (ij1) shows results through {@code ij1.ResultPresenter}, which display
 * provides, so ij1 never names display.
 */
@AnalyzeClasses(packages = "io.github.harmonij", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

	private static final String ROOT = "io.github.harmonij";

	private static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
		.layer("core").definedBy(ROOT + ".core..")
		.layer("io").definedBy(ROOT + ".io..")
		.layer("cohort").definedBy(ROOT + ".cohort..")
		.layer("model").definedBy(ROOT + ".model..")
		.layer("pipeline").definedBy(ROOT + ".pipeline..")
		.layer("report").definedBy(ROOT + ".report..")
		.layer("command").definedBy(ROOT + ".command..")
		.layer("ij1").definedBy(ROOT + ".ij1..")
		.layer("display").definedBy(ROOT + ".display..")
		.layer("cli").definedBy(ROOT + ".cli..")
		.whereLayer("core").mayNotAccessAnyLayer()
		.whereLayer("io").mayOnlyAccessLayers("core")
		.whereLayer("cohort").mayOnlyAccessLayers("core", "io")
		.whereLayer("model").mayOnlyAccessLayers("core", "io", "cohort")
		.whereLayer("pipeline").mayOnlyAccessLayers("core", "io", "cohort", "model")
		.whereLayer("report").mayOnlyAccessLayers("core", "io")
		.whereLayer("command").mayOnlyAccessLayers("core", "io", "cohort", "model", "pipeline",
			"report")
		.whereLayer("ij1").mayOnlyAccessLayers("core", "io", "command")
		.whereLayer("display").mayOnlyAccessLayers("core", "io", "command", "ij1")
		.whereLayer("cli").mayOnlyAccessLayers("core", "io", "cohort", "model", "pipeline", "report",
			"command", "ij1", "display")
		.because("each package uses only those below it (see the class javadoc)");

	private static final ArchRule NO_CYCLES = slices().matching(ROOT + ".(*)..").should().beFreeOfCycles()
		.because("two packages that use each other are one package");

	private static final ArchRule EVERY_CLASS_IN_A_LAYER = classes().that().resideInAPackage(ROOT + "..")
		.should().resideInAnyPackage(ROOT + ".core..", ROOT + ".io..", ROOT + ".cohort..", ROOT +
			".model..", ROOT +
			".pipeline..", ROOT + ".report..", ROOT + ".command..", ROOT + ".ij1..", ROOT +
			".display..", ROOT + ".cli..")
		.because("a new package gets its place in the layers above before it gets classes");

	private static final ArchRule CORE_USES_ONLY_JAVA_IMGLIB2_AND_COMMONS_MATH = classes().that().resideInAPackage(
		ROOT + ".core..").should().onlyDependOnClassesThat().resideInAnyPackage(ROOT + ".core..",
			"java..", "net.imglib2..", "org.apache.commons.math3..", "com.sun.management..")
		.because("the models run anywhere: plain Java (with the JDK's com.sun.management, to ask " +
			"the JVM about FMA), ImgLib2 and Commons Math");

	private static final ArchRule CORE_HAS_NO_GUI_OR_FRAMEWORK = noClasses().that().resideInAPackage(ROOT +
		".core..").should().dependOnClassesThat().resideInAnyPackage("ij..", "java.awt..",
			"javax.swing..", "org.scijava..")
		.because("the models run anywhere: no ImageJ, no SciJava, no GUI");

	private static final ArchRule IO_HAS_NO_GUI = noClasses().that().resideInAnyPackage(ROOT +
		".io..", ROOT + ".cohort..", ROOT + ".model..").should().dependOnClassesThat()
			.resideInAnyPackage("ij..",
			"java.awt..", "javax.swing..")
		.because("formats are read and written headless, without ImageJ 1.x");

	private static final ArchRule PIPELINES_ARE_HEADLESS = noClasses().that().resideInAPackage(ROOT +
		".pipeline..").should().dependOnClassesThat().resideInAnyPackage("ij..", "java.awt..",
			"javax.swing..", "org.scijava..")
		.because("a run reads, computes and writes: the same from a menu, a macro or the command line");

	private static final ArchRule COMMANDS_ARE_HEADLESS = noClasses().that().resideInAPackage(ROOT +
		".command..").should().dependOnClassesThat().resideInAnyPackage("ij..", "javax.swing..")
		.because("a command never opens a window or calls ImageJ 1.x: results are shown by " +
			"display, after the run, so a recorded macro line replays to the same outputs");

	// @ArchTest on methods, not fields: surefire 3.5.3 skips @ArchTest fields (TNG/ArchUnit#1442)
	@ArchTest
	static void layers(final JavaClasses classes) {
		LAYERS.check(classes);
	}

	@ArchTest
	static void noCycles(final JavaClasses classes) {
		NO_CYCLES.check(classes);
	}

	@ArchTest
	static void everyClassInALayer(final JavaClasses classes) {
		EVERY_CLASS_IN_A_LAYER.check(classes);
	}

	@ArchTest
	static void coreUsesOnlyJavaImgLib2AndCommonsMath(final JavaClasses classes) {
		CORE_USES_ONLY_JAVA_IMGLIB2_AND_COMMONS_MATH.check(classes);
	}

	@ArchTest
	static void coreHasNoGuiOrFramework(final JavaClasses classes) {
		CORE_HAS_NO_GUI_OR_FRAMEWORK.check(classes);
	}

	@ArchTest
	static void ioHasNoGui(final JavaClasses classes) {
		IO_HAS_NO_GUI.check(classes);
	}

	@ArchTest
	static void pipelinesAreHeadless(final JavaClasses classes) {
		PIPELINES_ARE_HEADLESS.check(classes);
	}

	@ArchTest
	static void commandsAreHeadless(final JavaClasses classes) {
		COMMANDS_ARE_HEADLESS.check(classes);
	}
}
