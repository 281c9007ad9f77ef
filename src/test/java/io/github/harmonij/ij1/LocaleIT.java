// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cli.Harmonij;

/**
 * Non-ASCII paths under {@code LC_ALL=C} (cron jobs, containers), where Java names files in ASCII.
 * Through the launcher {@code harmonij}, which starts Java under a UTF-8 locale, they work and the
 * outputs keep their names in UTF-8; with {@code java} run directly they are refused once,
 * naming the flag (or macro key) and saying what to do, with exit status 2 and no stack trace.
 * Runs after {@code package} (failsafe), against {@code target/app}.
 */
class LocaleIT {

	/** A hang must fail, not block CI; the runs here take seconds. */
	private static final long TIMEOUT_S = 300;

	private static final String FOLDER = "my imgs é 脑";

	private static final String IMAGE = "Süb-001 🧠.nii.gz";

	@TempDir
	static Path tmp;

	static Path app, data;

	/** What a child process printed and returned. */
	static final class Run {

		int status;

		String out, err;
	}

	@BeforeAll
	static void makeCohort() throws IOException {
		app = Paths.get(System.getProperty("harmonij.app", "target/app"));
		assertTrue(Files.isRegularFile(app.resolve("ij.jar")), "packaged app at " + app
			.toAbsolutePath());
		// This JVM must name the files itself; it runs under the build's locale.
		Assumptions.assumeTrue(StandardCharsets.UTF_8.name().equals(System.getProperty(
			"sun.jnu.encoding")), "the build runs under a UTF-8 locale (not " + System.getProperty(
				"sun.jnu.encoding") + ")");
		final Path sim = tmp.resolve("sim");
		assertEquals(0, new Harmonij(System.out, System.err).execute("simulate", "--out", sim
			.toString(), "--subjects", "12", "--sites", "3"));
		data = tmp.resolve(FOLDER);
		Files.createDirectories(data.resolve("images"));
		try (Stream<Path> s = Files.list(sim.resolve("images"))) {
			for (final Path p : (Iterable<Path>) s::iterator)
				Files.copy(p, data.resolve("images").resolve(p.getFileName().toString().equals(
					"sub-001.nii.gz") ? IMAGE : p.getFileName().toString()));
		}
		Files.copy(sim.resolve("mask.nii.gz"), data.resolve("mask.nii.gz"));
		final String manifest = new String(Files.readAllBytes(sim.resolve("cohort.csv")),
			StandardCharsets.UTF_8).replace("images/sub-001.nii.gz", "images/" + IMAGE);
		Files.write(data.resolve("cohort.csv"), manifest.getBytes(StandardCharsets.UTF_8));
		// the same manifest in an ASCII folder, naming the images by their non-ASCII folder
		Files.write(tmp.resolve("ascii.csv"), manifest.replace("images/", FOLDER + "/images/")
			.getBytes(StandardCharsets.UTF_8));
	}

	@AfterAll
	static void stopDisplay() {
		if (x != null) x.close();
	}

	static XDisplay x;

	/** Runs {@code cmd} with LC_ALL=C, and LANG, LC_CTYPE and LANGUAGE unset. */
	static Run underC(final List<String> cmd, final boolean display) throws IOException,
		InterruptedException
	{
		return underC(cmd, display, Map.of());
	}

	/** As {@link #underC(List, boolean)}, with {@code env} added. */
	static Run underC(final List<String> cmd, final boolean display, final Map<String, String> env)
		throws IOException, InterruptedException
	{
		final ProcessBuilder pb = display && x != null ? x.process(cmd) : new ProcessBuilder(cmd);
		for (final String v : new String[] { "LANG", "LC_CTYPE", "LANGUAGE", "HARMONIJ_JAVA_OPTS" })
			pb.environment().remove(v);
		pb.environment().put("LC_ALL", "C");
		pb.environment().putAll(env);
		if (!display) pb.environment().remove("DISPLAY");
		final Path out = Files.createTempFile(tmp, "out", ".txt");
		final Path err = Files.createTempFile(tmp, "err", ".txt");
		final Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		final Run r = new Run();
		if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
			throw new AssertionError(cmd + " did not end in " + TIMEOUT_S + " s");
		}
		r.status = p.exitValue();
		r.out = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
		r.err = new String(Files.readAllBytes(err), StandardCharsets.UTF_8);
		return r;
	}

	static List<String> launcher(final String... args) {
		final List<String> cmd = new ArrayList<>(List.of("bash", Paths.get("harmonij")
			.toAbsolutePath().toString()));
		cmd.addAll(Arrays.asList(args));
		return cmd;
	}

	static List<String> java(final String main, final String... args) {
		final List<String> cmd = XDisplay.java(app, null);
		cmd.add(1, "-Djava.awt.headless=" + (main.endsWith("MacroRunner") ? "false" : "true"));
		cmd.add(main);
		cmd.addAll(Arrays.asList(args));
		return cmd;
	}

	/** @return sun.jnu.encoding of a JVM started under LC_ALL=C */
	static String childEncoding() throws IOException, InterruptedException {
		final Run r = underC(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
			.toString(), "-XshowSettings:properties", "-version"), false);
		for (final String line : r.err.split("\n"))
			if (line.trim().startsWith("sun.jnu.encoding = ")) return line.split("=")[1].trim();
		throw new AssertionError("no sun.jnu.encoding in\n" + r.err);
	}

	/** Bad input, said once: status 2, no crash, no stack trace. */
	static void assertClean(final Run r) {
		assertEquals(2, r.status, r.out + r.err);
		for (final String s : new String[] { r.out, r.err }) {
			assertFalse(s.contains("internal error"), s);
			assertFalse(s.contains("\tat "), "no stack trace:\n" + s);
			assertFalse(s.contains("Exception"), s);
		}
	}

	static int count(final String s, final String part) {
		int n = 0;
		for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1))
			n++;
		return n;
	}

	@Test
	void launcherRunsNonAsciiPathsUnderTheCLocale() throws Exception {
		final Path out = data.resolve("out 脑");
		final Run r = underC(launcher("combat", "--manifest", data.resolve("cohort.csv").toString(),
			"--mask", data.resolve("mask.nii.gz").toString(), "--out", out.toString()), false);
		assertEquals(0, r.status, r.err);
		assertTrue(r.out.contains(out.toString()), "the summary names the folder in UTF-8:\n" + r.out);
		assertTrue(Files.isRegularFile(out.resolve("harmonised").resolve(IMAGE)),
			"the harmonised image keeps its name");
		final String json = new String(Files.readAllBytes(out.resolve("run.json")),
			StandardCharsets.UTF_8);
		assertTrue(json.contains(IMAGE.replace(".nii.gz", "")), "run.json in UTF-8:\n" + json);
		assertTrue(json.contains(FOLDER), json);
		assertTrue(Files.isRegularFile(out.resolve("summary.csv")));

		final Path cmp = data.resolve("compare 脑");
		final Run c = underC(launcher("compare", "--scan-a", data.resolve("images").resolve(IMAGE)
			.toString(), "--scan-b", data.resolve("images/sub-002.nii.gz").toString(), "--out", cmp
				.toString()), false);
		assertEquals(0, c.status, c.err);
		assertTrue(Files.isRegularFile(cmp.resolve("summary.csv")), c.out + c.err);
	}

	@Test
	void theLauncherSetsOnlyLcCtypeAndJavaNamesFilesInUtf8() throws Exception {
		final Run r = underC(launcher("--help"), false, Map.of("HARMONIJ_JAVA_OPTS",
			"-XshowSettings:properties"));
		assertEquals(0, r.status, r.err);
		assertTrue(r.err.contains("sun.jnu.encoding = UTF-8"), r.err);
		// numbers keep the C locale's format: no decimal commas
		assertTrue(r.err.contains("user.language = en"), r.err);
	}

	@Test
	void theLauncherPrefersCThenEnglishUtf8Locales() throws Exception {
		// locale(1) of a system without C.UTF-8 (CentOS 7), and a java that shows its locale
		final Path bin = Files.createDirectories(tmp.resolve("fakebin"));
		final Path locale = bin.resolve("locale");
		Files.write(locale, List.of("#!/bin/sh", "if [ \"$1\" = -a ]; then printf " +
			"'aa_DJ.utf8\\nC\\nde_DE.utf8\\nen_GB.utf8\\nen_US.utf8\\nPOSIX\\n'; " +
			"else echo ANSI_X3.4-1968; fi"));
		final Path java = bin.resolve("java");
		Files.write(java, List.of("#!/bin/sh", "echo \"LC_ALL=${LC_ALL-unset} " +
			"LC_CTYPE=${LC_CTYPE-unset} LC_NUMERIC=${LC_NUMERIC-unset} " +
			"LC_MESSAGES=${LC_MESSAGES-unset} LANG=${LANG-unset}\""));
		for (final Path p : new Path[] { locale, java })
			p.toFile().setExecutable(true);
		final Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"));
		final Run r = underC(launcher("--help"), false, env);
		assertEquals(0, r.status, r.err);
		assertEquals("LC_ALL=unset LC_CTYPE=en_US.utf8 LC_NUMERIC=C LC_MESSAGES=C LANG=C", r.out
			.trim());
		// without English ones, any UTF-8 locale for LC_CTYPE alone
		Files.write(locale, List.of("#!/bin/sh", "if [ \"$1\" = -a ]; then printf " +
			"'C\\nde_DE.utf8\\nPOSIX\\n'; else echo ANSI_X3.4-1968; fi"));
		assertEquals("LC_ALL=unset LC_CTYPE=de_DE.utf8 LC_NUMERIC=C LC_MESSAGES=C LANG=C",
			underC(launcher("--help"), false, env).out.trim());
	}

	@Test
	void javaUnderTheCLocaleRefusesOnceNamingEachFlag() throws Exception {
		final Path out = data.resolve("direct 脑");
		final Run r = underC(java("io.github.harmonij.cli.Harmonij", "combat", "--manifest", data
			.resolve("cohort.csv").toString(), "--mask", data.resolve("mask.nii.gz").toString(),
			"--out", out.toString()), false);
		if (childEncoding().equals("UTF-8")) {
			assertEquals(0, r.status, "this JVM maps the names under C:\n" + r.err);
			return;
		}
		assertClean(r);
		assertEquals(3, count(r.err, "cannot be used under the current locale"), r.err);
		for (final String flag : new String[] { "--manifest ", "--mask ", "--out " })
			assertEquals(1, count(r.err, flag), flag + " once:\n" + r.err);
		assertTrue(r.err.contains("run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8"), r.err);
		assertFalse(Files.exists(out));

		// a manifest in an ASCII folder naming non-ASCII images: its rows are refused
		final Run m = underC(java("io.github.harmonij.cli.Harmonij", "combat", "--manifest", tmp
			.resolve("ascii.csv").toString(), "--out", tmp.resolve("ascii-out").toString()), false);
		assertClean(m);
		assertTrue(m.err.contains("ascii.csv row 2 (subject sub-001): image \""), m.err);
		assertTrue(m.err.contains("cannot be used under the current locale"), m.err);
	}

	@Test
	void imageJMacrosUnderTheCLocale() throws Exception {
		final boolean display = System.getenv("DISPLAY") != null && !System.getenv("DISPLAY")
			.isEmpty();
		if (!display && x == null) {
			XDisplay.require();
			x = XDisplay.start();
		}
		final Path macro = tmp.resolve("combat.ijm");
		Files.write(macro, ("args = split(getArgument(), \"|\");\n" +
			"run(\"Harmonise Cohort (ComBat)...\", \"manifest=[\" + args[0] + \"] batch=site " +
			"out=[\" + args[1] + \"]\");\nprint(\"done\");\n").getBytes(StandardCharsets.UTF_8));
		final String manifest = data.resolve("cohort.csv").toString();

		// through the launcher (harmonij macro), Java runs under a UTF-8 locale: it works
		final Path viaLauncher = tmp.resolve("macro-launcher");
		final Run ok = underC(launcher("macro", macro.toString(), manifest + "|" + viaLauncher),
			true);
		assertEquals(0, ok.status, ok.out + ok.err);
		assertTrue(Files.isRegularFile(viaLauncher.resolve("harmonised").resolve(IMAGE)), ok.out +
			ok.err);

		// java run directly: ImageJ shows the refusal (the macro runner prints the dialog)
		final Path direct = tmp.resolve("macro-direct");
		final Run r = underC(java("io.github.harmonij.ij1.MacroRunner", macro.toString(), manifest +
			"|" + direct), true);
		if (childEncoding().equals("UTF-8")) {
			assertEquals(0, r.status, r.out + r.err);
			return;
		}
		assertClean(r);
		assertTrue((r.out + r.err).contains("manifest=" + tmp), r.out + r.err);
		assertTrue((r.out + r.err).contains("cannot be used under the current locale"), r.out +
			r.err);
		assertFalse(r.out.contains("done"), r.out);
		assertFalse(Files.exists(direct));
	}
}
