// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static io.github.harmonij.cli.HarmonijCliTest.harmonij;
import static io.github.harmonij.cli.MessagesCliTest.assertClean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cli.HarmonijCliTest.Run;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.Version;

/**
 * What a new user trips over in the first hour (issue 13): the command line speaks in flags, says
 * a forgotten --categorical once, prints warnings once, knows its version and its limits; the
 * demo writes a report and can be run again; {@code harmonij gui} without a display ends at once.
 */
class FirstRunCliTest {

	@TempDir
	static Path dir;

	/** Nine subjects at three sites, sex as F and M. */
	static Path table;

	@BeforeAll
	static void writeTable() throws IOException {
		table = dir.resolve("volumes.csv");
		Files.write(table, String.join("\n", "subject,site,age,sex,vol_a,vol_b",
			"s1,A,50,F,1.1,1.13", "s2,A,55,M,1.4,1.72", "s3,A,60,F,1.2,1.66",
			"s4,B,52,M,2.1,1.30", "s5,B,57,F,2.4,1.63", "s6,B,61,M,2.2,1.55",
			"s7,C,51,F,0.1,1.63", "s8,C,58,M,0.4,1.75", "s9,C,63,F,0.3,1.17", "").getBytes(
				StandardCharsets.UTF_8));
	}

	@Test
	void versionIsPrinted() {
		final Run r = harmonij("--version");
		assertEquals(0, r.status, r.err);
		assertEquals("HarmonIJ " + Version.get(), r.out.trim());
	}

	@Test
	void errorsNameFlagsOnTheCommandLineAndKeysInMacros() {
		final Run out = harmonij("combat-table", "--table", table.toString());
		assertClean(out);
		assertTrue(out.err.contains("--out is required"), out.err);
		assertFalse(out.err.contains("out="), out.err);
		final Run eb = harmonij("combat-table", "--table", table.toString(), "--eb", "Parametric",
			"--out", dir.resolve("never.csv").toString());
		assertClean(eb);
		assertTrue(eb.err.contains("--eb Parametric is not one of"), eb.err);
		assertTrue(eb.err.contains("(did you mean parametric?)"), eb.err);
		assertFalse(eb.err.contains("eb="), eb.err);
		// the same mistake in a macro's option string is named as the macro wrote it
		final Run macro = harmonij("run", "Harmonise Table (ComBat)", "table=[" + table +
			"] eb=Parametric out=[" + dir.resolve("never.csv") + "]");
		assertClean(macro);
		assertTrue(macro.err.contains("eb=Parametric is not one of"), macro.err);
		assertFalse(Files.exists(dir.resolve("never.csv")));
	}

	@Test
	void aForgottenCategoricalIsSaidOnce() throws IOException {
		final Run r = harmonij("combat-table", "--table", table.toString(), "--covariates",
			"age,sex", "--out", dir.resolve("never.csv").toString());
		assertClean(r);
		assertEquals("volumes.csv: sex has text values (F, M); list it in --categorical to use it " +
			"as a category.", r.err.trim());
		final Run macro = harmonij("run", "Harmonise Table (ComBat)", "table=[" + table +
			"] covariates=age,sex out=[" + dir.resolve("never.csv") + "]");
		assertClean(macro);
		assertTrue(macro.err.contains("sex has text values (F, M); list it in categorical=... to " +
			"use it as a category."), macro.err);
		// a number column with a few bad cells still gets one line per row
		final Run typo = harmonij("combat-table", "--table", typo().toString(), "--covariates",
			"age", "--out", dir.resolve("never.csv").toString());
		assertClean(typo);
		assertTrue(typo.err.contains("row 3 (subject s2): age \"fifty\" is not a number"), typo.err);
		// and so does a column of decimal commas, with the hint
		final Run commas = harmonij("combat-table", "--table", commas().toString(), "--covariates",
			"age", "--out", dir.resolve("never.csv").toString());
		assertClean(commas);
		assertTrue(commas.err.contains("row 2 (subject s1): age \"50,5\" is not a number (use a " +
			"decimal point, not a comma)"), commas.err);
		assertFalse(commas.err.contains("text values"), commas.err);
		assertFalse(Files.exists(dir.resolve("never.csv")));
	}

	@Test
	void unknownSubcommandGetsADidYouMean() {
		final Run r = harmonij("combot", "--help");
		assertEquals(2, r.status);
		assertTrue(r.err.contains("unknown subcommand \"combot\" (did you mean combat?)"), r.err);
	}

	@Test
	void helpGivesTheLimitsOfEachOption() {
		final Run r = harmonij("simulate", "--help");
		assertEquals(0, r.status, r.err);
		assertTrue(Pattern.compile("--subjects N +Subjects: at least 2 per site; at least 4 ")
			.matcher(r.out).find(), r.out);
		assertTrue(Pattern.compile("--sites N +Sites: named SiteA, SiteB, \\.\\.\\.; at least 2; " +
			"at most 26 ").matcher(r.out).find(), r.out);
	}

	/**
	 * A warning (an age clamped to the model's range) reaches the user once: as a status line, not
	 * also through the log, which writes to the process's own stderr.
	 */
	@Test
	void warningsArePrintedOnce() throws IOException {
		final Path sim = dir.resolve("sim");
		CliRuns.run("simulate", "--out", sim, "--subjects", "12", "--seed", "4");
		final Path fit = dir.resolve("fit");
		CliRuns.run("combat", "--manifest", sim.resolve("cohort.csv"), "--covariates", "age",
			"--smooth", "age", "--mask", sim.resolve("mask.nii.gz"), "--out", fit);
		final CsvTable cohort = Csv.read(sim.resolve("cohort.csv"));
		final List<String[]> rows = new ArrayList<>();
		for (int j = 0; j < 3; j++) {
			final String[] row = cohort.row(j).clone();
			row[cohort.column("age")] = "150";
			rows.add(row);
		}
		final Path old = sim.resolve("old.csv");
		Csv.write(old, cohort.header(), rows);
		final ByteArrayOutputStream processErr = new ByteArrayOutputStream();
		final PrintStream before = System.err;
		final Run r;
		System.setErr(new PrintStream(processErr, true, StandardCharsets.UTF_8));
		try {
			r = harmonij("apply", "--model", fit.resolve("model").toString(), "--manifest", old
				.toString(), "--clamp", "--out", dir.resolve("applied").toString());
		}
		finally {
			System.setErr(before);
		}
		assertEquals(0, r.status, r.err);
		final String all = r.err + processErr.toString(StandardCharsets.UTF_8);
		assertEquals(3, all.split("is outside the training range", -1).length - 1, all);
		assertFalse(all.contains("[WARNING]"), all);
	}

	@Test
	void demoWritesAReportAndSaysWhere() {
		final Path demo = dir.resolve("demo");
		final Run r = harmonij("demo", "--out", demo.toString(), "--subjects", "9", "--no-show");
		assertEquals(0, r.status, r.err);
		assertTrue(Files.isRegularFile(demo.resolve("combat/report.html")));
		assertTrue(r.out.contains(demo.resolve("combat/report.html").toString()), r.out);
		// run again into the same folder: refused, with the way to run it again
		final Run again = harmonij("demo", "--out", demo.toString(), "--no-show");
		assertClean(again);
		assertTrue(again.err.contains(demo + " is not empty (an earlier demo?); nothing was " +
			"overwritten. To run the demo again, give another folder (harmonij demo --out " + demo +
			"-2), or remove this one first."), again.err);
	}

	@Test
	void demoWithoutOutTakesTheNextFreeFolder() throws IOException {
		final Path first = dir.resolve("harmonij-demo");
		assertEquals(first, Demo.freshFolder(first));
		Files.createDirectories(first.resolve("cohort"));
		Files.createDirectories(dir.resolve("harmonij-demo-2"));
		assertEquals(dir.resolve("harmonij-demo-2"), Demo.freshFolder(first), "empty: usable");
		Files.createDirectories(dir.resolve("harmonij-demo-2/cohort"));
		assertEquals(dir.resolve("harmonij-demo-3"), Demo.freshFolder(first));
	}

	/** The launcher refuses {@code gui} without a display at once, before building anything. */
	@Test
	void guiWithoutADisplayEndsAtOnce() throws IOException, InterruptedException {
		assumeFalse(System.getProperty("os.name").startsWith("Mac"), "macOS has no DISPLAY");
		assumeFalse(System.getProperty("os.name").startsWith("Windows"), "the launcher is bash");
		for (final String[] args : new String[][] { { "gui" }, { "gui", "--help" } }) {
			final List<String> cmd = new ArrayList<>(List.of("bash", Paths.get("harmonij")
				.toAbsolutePath().toString()));
			cmd.addAll(List.of(args));
			final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
			pb.environment().remove("DISPLAY");
			final Process p = pb.start();
			assertTrue(p.waitFor(30, TimeUnit.SECONDS), "harmonij " + String.join(" ", args) +
				" did not end");
			final String text = new String(p.getInputStream().readAllBytes(),
				StandardCharsets.UTF_8);
			assertFalse(text.contains("Exception") || text.contains("building"), text);
			if (args.length == 1) {
				assertEquals(2, p.exitValue(), text);
				assertEquals("harmonij gui: no display; run it under xvfb-run -a or on a desktop.",
					text.trim());
			}
			else {
				assertEquals(0, p.exitValue(), text);
				assertTrue(text.contains("Usage: harmonij gui"), text);
			}
		}
	}

	// -- Helper methods --

	/** The table with every age written with a decimal comma ("50,5", quoted). */
	private static Path commas() throws IOException {
		final Path p = dir.resolve("commas.csv");
		Files.write(p, new String(Files.readAllBytes(table), StandardCharsets.UTF_8).replaceAll(
			"(?m)^(s\\d,[ABC],)(\\d+),", "$1\"$2,5\",").getBytes(StandardCharsets.UTF_8));
		return p;
	}

	/** The table with "fifty" for s2's age. */
	private static Path typo() throws IOException {
		final Path p = dir.resolve("typo.csv");
		Files.write(p, new String(Files.readAllBytes(table), StandardCharsets.UTF_8).replace(
			"s2,A,55,", "s2,A,fifty,").getBytes(StandardCharsets.UTF_8));
		return p;
	}
}
