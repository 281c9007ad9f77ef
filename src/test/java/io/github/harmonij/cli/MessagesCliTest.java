// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static io.github.harmonij.cli.HarmonijCliTest.harmonij;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandInfo;

import io.github.harmonij.cli.HarmonijCliTest.Run;
import io.github.harmonij.command.Commands;

/**
 * Messages for the mistakes users make on the command line: unknown flags, a 1-subject site in
 * the linear adjustment, features left unchanged, outputs that collide, paths Java cannot make.
 * Each says where and what to do, once, with exit status 2 and no stack trace.
 */
class MessagesCliTest {

	@TempDir
	static Path dir;

	static Path table;

	/**
	 * Three sites of three; vol_const is one value everywhere, vol_cis one value within site A,
	 * vol_one has a single non-missing value in site A.
	 */
	@BeforeAll
	static void writeTable() throws IOException {
		table = dir.resolve("t.csv");
		Files.write(table, String.join("\n", "subject,site,age,vol_a,vol_const,vol_cis,vol_one,vol_b",
			"s1,A,50,1.1,5,2.0,3.1,1.13", "s2,A,55,1.4,5,2.0,,1.72", "s3,A,60,1.2,5,2.0,,1.66",
			"s4,B,52,2.1,5,2.5,3.3,1.30", "s5,B,57,2.4,5,2.9,3.6,1.63", "s6,B,61,2.2,5,2.1,3.2,1.55",
			"s7,C,51,0.1,5,1.5,3.0,1.63", "s8,C,58,0.4,5,1.9,3.5,1.75", "s9,C,63,0.3,5,1.1,3.4,1.17",
			"").getBytes(StandardCharsets.UTF_8));
	}

	/** A bad-input run: status 2, one message, nothing that looks like a crash. */
	static void assertClean(final Run r) {
		assertEquals(2, r.status, r.err);
		assertFalse(r.err.contains("internal error"), r.err);
		assertFalse(r.err.contains("\tat "), "no stack trace:\n" + r.err);
		assertFalse(r.err.contains("Exception"), r.err);
	}

	@Test
	void unknownFlagIsNamedNotTheWordAfterIt() {
		final Run r = harmonij("combat", "--bogus-flag", "--out", dir.resolve("x").toString());
		assertClean(r);
		assertTrue(r.err.contains("unknown option --bogus-flag"), r.err);
		assertFalse(r.err.contains("Unexpected argument"), r.err);
		assertTrue(r.err.contains("--manifest"), "lists the options:\n" + r.err);
		assertFalse(Files.exists(dir.resolve("x")));
	}

	@Test
	void unknownFlagIsNamedForEverySubcommand() {
		final List<String> subs = new ArrayList<>();
		try (Context context = new Context()) {
			for (final CommandInfo info : Commands.all(context))
				if (info.get(Commands.CLI) != null) subs.add(info.get(Commands.CLI));
		}
		assertTrue(subs.size() > 10, subs.toString());
		for (final String sub : subs) {
			final Run r = harmonij(sub, "--bogus-flag", "--out", dir.resolve("y").toString());
			assertClean(r);
			assertTrue(r.err.contains("harmonij " + sub + ": unknown option --bogus-flag"), sub +
				": " + r.err);
		}
		final Run demo = harmonij("demo", "--bogus-flag", "--out", dir.resolve("y").toString());
		assertClean(demo);
		assertTrue(demo.err.contains("--bogus-flag"), demo.err);
	}

	@Test
	void mistypedFlagGetsADidYouMean() {
		final Run r = harmonij("combat-table", "--table", table.toString(), "--mena-only",
			"--covarites", "age", "--out", dir.resolve("z.csv").toString());
		assertClean(r);
		assertTrue(r.err.contains("unknown option --mena-only (did you mean --mean-only?)"), r.err);
		assertTrue(r.err.contains("unknown option --covarites (did you mean --covariates?)"), r.err);
		final Run macro = harmonij("run", "Harmonise Table (ComBat)", "table=[" + table +
			"] covarites=age out=[" + dir.resolve("z.csv") + "]");
		assertClean(macro);
		assertTrue(macro.err.contains("\"covarites\" is not an option of Harmonise Table (ComBat)" +
			"... (did you mean covariates?)"), macro.err);
	}

	@Test
	void regressAdvisesWhatRegressCanDo() throws IOException {
		final Path oneSubjectSite = dir.resolve("one.csv");
		Files.write(oneSubjectSite, Files.readAllLines(table).stream().filter(l -> !l.startsWith(
			"s8,") && !l.startsWith("s9,")).collect(Collectors.joining("\n")).getBytes(
				StandardCharsets.UTF_8));
		final Run r = harmonij("regress-table", "--table", oneSubjectSite.toString(), "--features",
			"vol_a", "--out", dir.resolve("r.csv").toString());
		assertClean(r);
		assertTrue(r.err.contains("site \"C\" has 1 subject (row 8, subject s7)"), r.err);
		assertTrue(r.err.contains("linear site adjustment needs at least 2 per site"), r.err);
		assertFalse(r.err.contains("ComBat needs"), r.err);
		assertFalse(r.err.contains("--mean-only"), "regress has no --mean-only:\n" + r.err);
		// combat-table keeps its own advice
		final Run c = harmonij("combat-table", "--table", oneSubjectSite.toString(), "--features",
			"vol_a", "--out", dir.resolve("c.csv").toString());
		assertClean(c);
		assertTrue(c.err.contains("ComBat needs at least 2 per site"), c.err);
	}

	@Test
	void everyUnchangedFeatureIsNamedWithItsReason() {
		final Path out = dir.resolve("named.csv");
		final Run r = harmonij("combat-table", "--table", table.toString(), "--covariates", "age",
			"--out", out.toString());
		assertEquals(0, r.status, r.err);
		assertTrue(r.out.contains("3 features were left unchanged: vol_const (constant in all " +
			"subjects), vol_cis (constant within site A), vol_one (too few non-missing values in " +
			"site A: 1)."), r.out);
	}

	@Test
	void collidingOutputsAreRefusedBeforeAnyWork() {
		final Path out = dir.resolve("same.csv");
		final Run r = harmonij("combat-table", "--table", table.toString(), "--covariates", "age",
			"--out", out.toString(), "--model-out", dir.resolve(".").resolve("same.csv").toString());
		assertClean(r);
		assertTrue(r.err.startsWith("--out and --model-out are the same file"), r.err);
		assertFalse(r.err.contains("%"), "refused before the fit (no progress):\n" + r.err);
		assertFalse(Files.exists(out));

		final Run overInput = harmonij("regress-table", "--table", table.toString(), "--out",
			table.toString());
		assertClean(overInput);
		assertTrue(overInput.err.startsWith("--out is the input --table itself"), overInput.err);

		// the same check where no flag names them: a macro's options
		final Run macro = harmonij("run", "Harmonise Table (ComBat)", "table=[" + table +
			"] covariates=age out=[" + out + "] model_out=[" + out + "]");
		assertClean(macro);
		assertTrue(macro.err.startsWith("out and model_out are the same file"), macro.err);
		assertFalse(macro.err.contains("%"), macro.err);
		assertFalse(Files.exists(out));

		// the model inside the report folder the report would make
		final Run report = harmonij("combat-table", "--table", table.toString(), "--features",
			"vol_a,vol_b", "--out", out.toString(), "--report", "--model-out", dir.resolve(
				"same_report/model.json").toString());
		assertClean(report);
		assertTrue(report.err.contains("is in the report folder"), report.err);
		assertFalse(report.err.contains("%"), report.err);
	}

	@Test
	void addSiteAndApplyTableOutputsAreCheckedFirst() {
		final Path model = dir.resolve("m.json");
		assertEquals(0, harmonij("combat-table", "--table", table.toString(), "--features",
			"vol_a,vol_b", "--out", dir.resolve("m_h.csv").toString(), "--model-out", model
				.toString()).status);
		final Run add = harmonij("add-site-table", "--model", model.toString(), "--table", table
			.toString(), "--out", dir.resolve("a.csv").toString(), "--model-out", dir.resolve("a.csv")
				.toString());
		assertClean(add);
		assertTrue(add.err.startsWith("--out and --model-out are the same file"), add.err);
		final Run apply = harmonij("apply-table", "--model", model.toString(), "--table", table
			.toString(), "--out", model.toString());
		assertClean(apply);
		assertTrue(apply.err.startsWith("--out is the input --model itself"), apply.err);
	}

	@Test
	void pathJavaCannotMakeIsRefusedNamingTheFlag() {
		// Java refuses NUL in any locale; the same code refuses names the locale cannot encode
		final Run r = harmonij("combat", "--manifest", "bad\u0000name.csv", "--out", dir.resolve(
			"nul").toString());
		assertClean(r);
		assertTrue(r.err.startsWith("--manifest bad"), r.err);
		assertTrue(r.err.contains("not a valid path"), r.err);
		assertEquals(1, r.err.trim().split("\n").length, "one line:\n" + r.err);
		final Run macro = harmonij("run", "Harmonise Cohort (ComBat)", "manifest=[bad\u0000name.csv]" +
			" out=[" + dir.resolve("nul") + "]");
		assertClean(macro);
		assertTrue(macro.err.startsWith("manifest=bad"), macro.err);
	}

	@Test
	void mainWritesNoDefaultCharsetFiles() throws IOException {
		// Files must read the same under any locale: JDK 17 takes file.encoding from it.
		final List<String> bad = new ArrayList<>();
		try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
			for (final Path p : s.filter(f -> f.toString().endsWith(".java")).collect(Collectors
				.toList()))
			{
				final List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
				for (int i = 0; i < lines.size(); i++) {
					final String l = lines.get(i);
					if (l.matches(".*(new FileWriter|new FileReader|\\.getBytes\\(\\)|" +
						"new InputStreamReader\\([^,]*\\)\\s*[;)]|new OutputStreamWriter\\([^,]*\\)" +
						"\\s*[;)]|new PrintWriter\\((new File|[a-z]\\w*\\.toFile\\(\\))).*"))
						bad.add(p + ":" + (i + 1) + ": " + l.trim());
				}
			}
		}
		assertTrue(bad.isEmpty(), "use an explicit UTF-8 charset:\n" + String.join("\n", bad));
	}
}
