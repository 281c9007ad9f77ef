// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImageJ 1.x macros against the packaged plugin in {@code target/app}, the way a user runs them:
 * {@code harmonij macro FILE.ijm ARG} (ImageJ with its plugins folder, in batch mode, under Xvfb
 * when there is no display). Runs after {@code package} (failsafe).
 */
class MacroIT {

	/** No macro here needs more; a hang (a modal dialog) must fail, not block CI. */
	private static final long TIMEOUT_S = 240;

	@TempDir
	static Path tmp;

	static Path app;

	/** What a macro run printed and returned. */
	static final class Run {

		int status;

		String out;
	}

	/** One private Xvfb for the class (xvfb-run per macro raced on its temporary files). */
	static XDisplay x;

	@BeforeAll
	static void findApp() throws IOException, InterruptedException {
		app = Paths.get(System.getProperty("harmonij.app", "target/app"));
		assertTrue(Files.isRegularFile(app.resolve("ij.jar")), "packaged app at " + app
			.toAbsolutePath());
		final boolean display = System.getenv("DISPLAY") != null && !System.getenv("DISPLAY")
			.isEmpty();
		if (!display) {
			XDisplay.require();
			x = XDisplay.start();
		}
	}

	@AfterAll
	static void stopDisplay() {
		if (x != null) x.close();
	}

	static Run macro(final Path macro, final String arg) throws IOException,
		InterruptedException
	{
		final List<String> cmd = new ArrayList<>();
		cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Dplugins.dir=" + app.toAbsolutePath());
		cmd.add("-cp");
		cmd.add(app.resolve("ij.jar") + File.pathSeparator + app.resolve("plugins") + "/*" +
			File.pathSeparator + app.resolve("plugins/jars") + "/*");
		cmd.add("io.github.harmonij.ij1.MacroRunner");
		cmd.add(macro.toAbsolutePath().toString());
		if (arg != null) cmd.add(arg);
		final Path log = Files.createTempFile(tmp, "macro", ".log");
		final Process p = (x != null ? x.process(cmd) : new ProcessBuilder(cmd)).redirectErrorStream(
			true).redirectOutput(log
			.toFile()).start();
		final Run r = new Run();
		if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
			throw new AssertionError("macro " + macro + " did not end in " + TIMEOUT_S + " s:\n" +
				new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
		}
		r.status = p.exitValue();
		r.out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
		return r;
	}

	static Path write(final String name, final String text) throws IOException {
		final Path p = tmp.resolve(name);
		Files.write(p, text.getBytes(StandardCharsets.UTF_8));
		return p;
	}

	@Test
	void menusAreInstalled() throws Exception {
		final Run r = macro(write("menus.ijm", "List.setCommands;\n" +
			"labels = newArray(\"Harmonise Cohort (ComBat)...\", \"Harmonise Cohort (Linear Regression)...\", " +
			"\"Harmonise Table (ComBat)...\", \"Harmonise Table (Linear Regression)...\", " +
			"\"Compare Two Scans...\", \"Simulate Multi-site Cohort...\", \"About HarmonIJ\", \"Open NIfTI...\", \"Save NIfTI...\");\n" +
			"for (i = 0; i < labels.length; i++) print(labels[i] + \" -> \" + List.get(labels[i]));\n"),
			null);
		assertEquals(0, r.status, r.out);
		for (final String label : new String[] { "Harmonise Cohort (ComBat)...",
			"Compare Two Scans...", "Simulate Multi-site Cohort...", "About HarmonIJ" })
			assertTrue(r.out.contains(label + " -> io.github.harmonij.ij1.CommandShim"), label +
				" in\n" + r.out);
		assertTrue(r.out.contains("Open NIfTI... -> io.github.harmonij.ij1.ImportNifti"), r.out);
		assertTrue(r.out.contains("Save NIfTI... -> io.github.harmonij.ij1.SaveNifti"), r.out);
	}

	@Test
	void exampleCohortMacroRuns() throws Exception {
		final Path dir = tmp.resolve("cohort-macro");
		Files.createDirectories(dir);
		final Run r = macro(Paths.get("macros/harmonise_cohort.ijm"), dir.toString());
		assertEquals(0, r.status, r.out);
		assertTrue(r.out.contains("(all sites),24"), "summary printed:\n" + r.out);
		// each command's result once: the Log window's line, not also SciJava's [INFO] copy
		assertFalse(r.out.contains("[INFO]"), r.out);
		assertEquals(1, r.out.split("Results: " + Pattern.quote(dir.resolve("combat").toString()),
			-1).length - 1, r.out);
		for (final String f : new String[] { "combat/summary.csv", "combat/run.json",
			"combat/model/model.json", "regress/summary.csv", "cohort/cohort.csv" })
			assertTrue(Files.exists(dir.resolve(f)), f);
		try (var s = Files.list(dir.resolve("combat/harmonised"))) {
			assertEquals(24, s.count());
		}
	}

	@Test
	void macroWithoutItsFolderSaysHowToGiveIt() throws Exception {
		// demo.ijm asks for a folder with getDirectory when it gets no argument
		final Path demo = Paths.get("macros/demo.ijm");
		final Run r = macro(demo, null);
		assertEquals(2, r.status, r.out);
		assertTrue(r.out.contains("harmonij macro: " + demo.toAbsolutePath() + " asks for a " +
			"folder (\"Choose an empty folder for the demo\")"), r.out);
		assertTrue(r.out.contains("Give it as the argument: harmonij macro " + demo
			.toAbsolutePath() + " /path/to/folder"), r.out);
	}

	@Test
	void macroErrorEndsTheRunInsteadOfHanging() throws Exception {
		final Run r = macro(write("bad.ijm", "run(\"Harmonise Cohort (ComBat)...\", " +
			"\"manifest=[" + tmp.resolve("nowhere.csv") + "] batch=site out=[" + tmp.resolve("x") +
			"]\");\nprint(\"not reached\");\n"), null);
		assertEquals(2, r.status, r.out);
		assertTrue(r.out.contains("nowhere.csv"), "names the missing file:\n" + r.out);
		assertFalse(r.out.contains("not reached"), r.out);
		assertFalse(Files.exists(tmp.resolve("x")), "no output folder");
	}

	@Test
	void exampleTableMacroRuns() throws Exception {
		final Path out = tmp.resolve("table-macro/harmonised.csv");
		Files.createDirectories(out.getParent());
		final Path in = tmp.resolve("table-macro/volumes.csv");
		// the example macro's site column is "site"
		Files.write(in, new String(Files.readAllBytes(Paths.get(
			"src/test/resources/reference/sva/dataset_small.csv")), StandardCharsets.UTF_8).replaceFirst(
				"subject,batch,", "subject,site,").getBytes(StandardCharsets.UTF_8));
		final Run r = macro(Paths.get("macros/harmonise_table.ijm"), in + " " + out);
		assertEquals(0, r.status, r.out);
		assertTrue(Files.isRegularFile(out), r.out);
		final Path report = tmp.resolve("table-macro/harmonised_report/report.html");
		assertTrue(Files.isRegularFile(report), r.out);
		assertTrue(r.out.contains("Report: " + report), r.out);
	}

	@Test
	void openTableIsHarmonisedIntoANewTable() throws Exception {
		final Path csv = Paths.get("src/test/resources/reference/sva/dataset_small.csv")
			.toAbsolutePath();
		final Run r = macro(write("open_table.ijm", "Table.open(\"" + csv + "\");\n" +
			"run(\"Harmonise Table (ComBat)...\", \"table=[dataset_small.csv] batch=batch " +
			"covariates=[age,sex] categorical=sex eb=parametric\");\n" +
			"print(\"rows \" + Table.size(\"dataset_small.csv harmonised\"));\n" +
			"print(\"f1 \" + d2s(Table.get(\"f1\", 0, \"dataset_small.csv harmonised\"), 9));\n"),
			null);
		assertEquals(0, r.status, r.out);
		assertTrue(r.out.contains("rows 21"), r.out);
		// sva::ComBat, small_par_full_noref_agesex.csv, S001 f1
		assertTrue(r.out.contains("f1 0.625899441"), r.out);
	}

	@Test
	void reportOfAnOpenTableNeedsOut() throws Exception {
		final Path csv = Paths.get("src/test/resources/reference/sva/dataset_small.csv")
			.toAbsolutePath();
		final Run r = macro(write("open_table_report.ijm", "Table.open(\"" + csv + "\");\n" +
			"run(\"Harmonise Table (ComBat)...\", \"table=[dataset_small.csv] batch=batch " +
			"covariates=[age,sex] categorical=sex eb=parametric report\");\n"), null);
		assertEquals(2, r.status, r.out);
		assertTrue(r.out.contains("needs a place to stay: set out=["), r.out);
	}

	@Test
	void exampleCompareMacroRuns() throws Exception {
		final Path dir = tmp.resolve("compare-macro");
		final Path sim = dir.resolve("sim");
		assertEquals(0, new io.github.harmonij.cli.Harmonij(System.out, System.err).execute(
			"simulate", "--out", sim.toString(), "--subjects", "4", "--sites", "2"));
		final Run r = macro(Paths.get("macros/compare_scans.ijm"), sim.resolve(
			"images/sub-001.nii.gz") + " " + sim.resolve("truth/sub-001.nii.gz") + " " + sim.resolve(
				"mask.nii.gz") + " " + dir.resolve("out"));
		assertEquals(0, r.status, r.out);
		assertTrue(r.out.contains("mean_abs_difference"), r.out);
		for (final String f : new String[] { "difference.nii.gz", "percent_difference.nii.gz",
			"summary.csv" })
			assertTrue(Files.exists(dir.resolve("out").resolve(f)), f);
	}
}
