// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cli.Harmonij;
import io.github.harmonij.io.NiftiIO;

/**
 * The macro recorder records a runnable line: in a real ImageJ 1.x window (Xvfb), with the
 * Recorder on, Plugins &gt; HarmonIJ &gt; Harmonise Cohort (ComBat)... is chosen and its dialog
 * filled and confirmed ({@link RecordDriver}); it shows the fields' labels and descriptions, not
 * the keys, and a Help button. The recorded {@code run(...)} line, replayed by
 * {@code harmonij macro} (batch mode) and given to {@code harmonij run}, writes bit-for-bit the
 * same images and the same summary as the dialog did.
 */
class RecorderIT {

	private static final long TIMEOUT_S = 300;

	private static final String LABEL = "Harmonise Cohort (ComBat)...";

	@TempDir
	static Path tmp;

	static Path app;

	static Path cohort;

	@BeforeAll
	static void setUp() {
		app = Paths.get(System.getProperty("harmonij.app", "target/app"));
		assertTrue(Files.isRegularFile(app.resolve("ij.jar")), "packaged app at " + app);
		XDisplay.require();
		cohort = tmp.resolve("sim");
		harmonij("simulate", "--out", cohort.toString(), "--subjects", "8", "--sites", "2",
			"--seed", "4");
	}

	@Test
	void recordedLineReplaysToIdenticalOutputs() throws Exception {
		final Path dialogOut = tmp.resolve("dialog"), replayOut = tmp.resolve("replay"), runOut = tmp
			.resolve("run");
		final String typed = "manifest=[" + cohort.resolve("cohort.csv") + "] batch=site " +
			"covariates=[age,sex] categorical=sex mask=[" + cohort.resolve("mask.nii.gz") +
			"] eb=parametric mean_only=true out=[" + dialogOut + "]";
		final Path recorded = tmp.resolve("recorded.txt");
		try (XDisplay x = XDisplay.start()) {
			final List<String> cmd = XDisplay.java(app, Paths.get("target/test-classes")
				.toAbsolutePath().toString());
			cmd.addAll(List.of(RecordDriver.class.getName(), LABEL, typed, recorded.toString()));
			run(x, cmd, "record");
		}
		// The dialog names its fields for people and has a Help button; the keys stay the
		// parameter names (the recorded line below).
		final List<String> shown = Files.readAllLines(Paths.get(recorded + ".shown"));
		for (final String label : new String[] { "Cohort manifest (CSV)", "Site column",
			"Spline degrees of freedom", "Reference site", "FDR level q", "Empirical Bayes",
			"Mean only", "button: Help" })
			assertTrue(shown.contains(label), label + " in the dialog:\n" + shown);
		for (final String key : new String[] { "manifest", "batch", "smooth df", "ref batch", "q",
			"eb", "mean only", "out" })
			assertFalse(shown.contains(key), "the key " + key + " shown as a label:\n" + shown);
		assertTrue(shown.contains("manifest column with the site or scanner"), "descriptions " +
			"shown:\n" + shown);
		final String text = new String(Files.readAllBytes(recorded), StandardCharsets.UTF_8);
		final Matcher m = Pattern.compile("run\\(\"" + Pattern.quote(LABEL) + "\", \"(.*)\"\\);")
			.matcher(text);
		assertTrue(m.find(), "a run(...) line in the recorder:\n" + text);
		final String options = m.group(1);
		for (final String key : new String[] { "manifest=", "batch=site", "covariates=age,sex",
			"categorical=sex", "mask=", "eb=parametric", "mean_only", "out=" })
			assertTrue(options.contains(key), key + " in " + options);
		assertTrue(Files.isRegularFile(dialogOut.resolve("summary.csv")), "the dialog run wrote");

		// Replay the recorded line in a macro (batch mode) and through harmonij run.
		final String replay = options.replace(dialogOut.toString(), replayOut.toString());
		final Path macro = tmp.resolve("replay.ijm");
		Files.write(macro, ("run(\"" + LABEL + "\", \"" + replay + "\");\n").getBytes(
			StandardCharsets.UTF_8));
		try (XDisplay x = XDisplay.start()) {
			final List<String> cmd = XDisplay.java(app, null);
			cmd.addAll(List.of(MacroRunner.class.getName(), macro.toString()));
			run(x, cmd, "replay");
		}
		harmonij("run", LABEL, options.replace(dialogOut.toString(), runOut.toString()));

		for (final Path other : new Path[] { replayOut, runOut }) {
			assertArrayEquals(Files.readAllBytes(dialogOut.resolve("summary.csv")), Files
				.readAllBytes(other.resolve("summary.csv")), "summary.csv of " + other);
			for (final String sub : new String[] { "harmonised", "difference" }) {
				final List<Path> files = list(dialogOut.resolve(sub));
				assertEquals(8, files.size(), sub);
				for (final Path f : files)
					assertArrayEquals(NiftiIO.read(f).data(), NiftiIO.read(other.resolve(sub).resolve(f
						.getFileName())).data(), other + "/" + sub + "/" + f.getFileName());
			}
		}
	}

	/**
	 * On a laptop's screen (1280 x 720) the ComBat dialog is taller than the screen: its fields
	 * scroll, OK stays on the screen, and a run from it records and writes as on a tall screen.
	 */
	@Test
	void dialogFitsALaptopScreen() throws Exception {
		final Path out = tmp.resolve("laptop");
		final String typed = "manifest=[" + cohort.resolve("cohort.csv") + "] batch=site " +
			"covariates=[age,sex] categorical=sex mask=[" + cohort.resolve("mask.nii.gz") +
			"] eb=parametric mean_only=true out=[" + out + "]";
		final Path recorded = tmp.resolve("laptop.txt");
		try (XDisplay x = XDisplay.start("1280x720x24")) {
			final List<String> cmd = XDisplay.java(app, Paths.get("target/test-classes")
				.toAbsolutePath().toString());
			cmd.addAll(List.of(RecordDriver.class.getName(), LABEL, typed, recorded.toString()));
			run(x, cmd, "laptop");
		}
		final List<String> shown = Files.readAllLines(Paths.get(recorded + ".shown"));
		assertTrue(shown.contains("scrolls"), "the fields scroll:\n" + shown);
		assertTrue(shown.contains("OK on screen"), "OK on the screen:\n" + shown);
		assertTrue(shown.contains("Cohort manifest (CSV)"), "the fields:\n" + shown);
		assertTrue(Files.isRegularFile(out.resolve("summary.csv")), "the dialog run wrote");
	}

	// -- Helper methods --

	/** Runs {@code harmonij args...} in this JVM and asserts exit 0, with what it printed. */
	private static void harmonij(final String... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream();
		final PrintStream ps = new PrintStream(out, true);
		assertEquals(0, new Harmonij(ps, ps).execute(args), String.join(" ", args) + ":\n" + out
			.toString(StandardCharsets.UTF_8));
	}

	private static void run(final XDisplay x, final List<String> cmd, final String name)
		throws Exception
	{
		final Path log = tmp.resolve(name + ".log");
		final Process p = x.process(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
			.start();
		if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError(name + " did not end in " + TIMEOUT_S + " s:\n" + Files
				.readString(log));
		}
		assertEquals(0, p.exitValue(), name + ":\n" + Files.readString(log));
	}

	private static List<Path> list(final Path dir) throws Exception {
		try (Stream<Path> s = Files.list(dir)) {
			return s.sorted().collect(Collectors.toList());
		}
	}
}
