// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HarmonIJ in a real ImageJ 1.x window on a private Xvfb display: the demo macro
 * ({@code macros/demo.ijm}, not in batch mode) harmonises a simulated cohort and the menu command
 * shows its results; the screen is saved as {@code target/screenshots/demo.png}. Compare Two
 * Scans of a subject's true and simulated scan is saved as {@code compare.png}, and the open
 * Plugins &gt; HarmonIJ menu as {@code menu.png}. (docs/images holds copies that were looked at.)
 * After each run a macro reads, inside ImageJ, the overlay (calibration bars, axis labels) of
 * every image and the Log, whose lines must fit its window.
 */
class ScreenshotIT {

	private static final long TIMEOUT_S = 240;

	@TempDir
	static Path tmp;

	static Path app;

	static final Path SHOTS = Paths.get("target/screenshots");

	@BeforeAll
	static void findApp() {
		app = Paths.get(System.getProperty("harmonij.app", "target/app"));
		assertTrue(Files.isRegularFile(app.resolve("ij.jar")), "packaged app at " + app);
		XDisplay.require("xdotool", "import");
	}

	@Test
	void demoMacroShowsHarmonisedDifferenceAndSiteMaps() throws Exception {
		final Path dir = tmp.resolve("demo");
		Files.createDirectories(dir);
		final String[] maps = { "Difference (ComBat)", "Mean difference per site (ComBat)",
			"Site effect before, -log10 p", "Site effect after, -log10 p",
			"Unequal variance, -log10 p", "Covariate of interest (age), -log10 p" };
		final Path macro = checking("demo-checked.ijm", "runMacro(\"" + Paths.get("macros/demo.ijm")
			.toAbsolutePath() + "\", dir);", maps);
		try (XDisplay x = XDisplay.start()) {
			final Process ij = imagej(x, "-macro", macro.toString(), dir.toString());
			try {
				waitForWindow(x, ij, "HarmonIJ combat summary");
				waitForFile(ij, dir.resolve(SHOWN));
				Thread.sleep(2000); // let the windows paint
				x.screenshot(SHOTS.resolve("demo.png"));
				for (final String title : new String[] { "Original cohort", "Harmonised (combat)",
					"Difference (combat)", "Mean difference per site (combat)" })
					assertTrue(window(x, title), title + " is shown");
			}
			finally {
				stop(ij);
			}
		}
		assertTrue(Files.size(SHOTS.resolve("demo.png")) > 50_000, "a screenshot with images");
		// Each map with its calibration bar: at least the bar, its frame, 2 numbers and a label;
		// the site maps also a threshold's legend.
		assertCalibrated(dir, maps, 5);
		assertLogFits(dir);
	}

	@Test
	void compareNamesScansByTheirDifferingPathsAndLabelsItsFigures() throws Exception {
		final Path dir = tmp.resolve("compare");
		Files.createDirectories(dir);
		final String names = "images/sub-001.nii.gz - truth/sub-001.nii.gz";
		final String[] images = { "Difference " + names, "Percent difference " + names,
			"Joint histogram " + names };
		// two files named sub-001.nii.gz: the simulated truth (A) and the scan (B)
		final Path macro = checking("compare-checked.ijm", "c = dir + \"/cohort/\";\n" +
			"run(\"Simulate Multi-site Cohort...\", \"out=[\" + c + \"] subjects=6 sites=3 " +
			"seed=1 resolution=2\");\nrun(\"Compare Two Scans...\", \"scan_a=[\" + c + \"truth/" +
			"sub-001.nii.gz] scan_b=[\" + c + \"images/sub-001.nii.gz] mask=[\" + c + " +
			"\"mask.nii.gz]\");", images);
		try (XDisplay x = XDisplay.start()) {
			final Process ij = imagej(x, "-macro", macro.toString(), dir.toString());
			try {
				waitForWindow(x, ij, "Compare Two Scans");
				waitForFile(ij, dir.resolve(SHOWN));
				Thread.sleep(2000);
				x.screenshot(SHOTS.resolve("compare.png"));
				assertTrue(window(x, "Scatter images/sub-001.nii.gz vs truth/sub-001.nii.gz"),
					"the scatter plot names both scans");
			}
			finally {
				stop(ij);
			}
		}
		// the maps: bar, frame, 3 numbers, label; the joint histogram: frame, 4 numbers, 2 names
		assertCalibrated(dir, images, 6);
		final String log = Files.readString(dir.resolve(LOG));
		assertTrue(log.contains("Compared A = truth/sub-001.nii.gz and B ="), log);
		assertTrue(log.replaceAll("\\s+", " ").contains("mean |percent difference|"), log);
		assertLogFits(dir);
	}

	@Test
	void menuShowsEveryCommand() throws Exception {
		try (XDisplay x = XDisplay.start()) {
			final Process ij = imagej(x);
			try {
				waitForWindow(x, ij, "^ImageJ$");
				Thread.sleep(1000);
				// Plugins is the 6th menu of the ImageJ bar; HarmonIJ is the last Plugins item.
				final String id = search(x, "^ImageJ$");
				x.xdotool("mousemove", "--window", id, "320", "10", "click", "1");
				Thread.sleep(700);
				x.xdotool("mousemove", "--window", id, "330", "156", "click", "1");
				Thread.sleep(1000);
				x.screenshot(SHOTS.resolve("menu.png"));
			}
			finally {
				stop(ij);
			}
		}
		assertTrue(Files.size(SHOTS.resolve("menu.png")) > 5_000);
	}

	// -- Helper methods --

	/** What {@link #checking} writes, into the folder given as the macro's argument. */
	private static final String SHOWN = "shown.txt", LOG = "log.txt";

	/**
	 * @param run macro code that uses {@code dir} (the macro's argument) and shows windows
	 * @return a macro that runs {@code run}, then writes for each of {@code titles} the image's
	 *         overlay size ("missing" if no such image is open) to {@link #SHOWN}, and the Log to
	 *         {@link #LOG}
	 */
	private static Path checking(final String name, final String run, final String... titles)
		throws IOException
	{
		final StringBuilder m = new StringBuilder("dir = getArgument();\n").append(run).append(
			"\ns = \"\";\n");
		for (final String t : titles) {
			final String q = "\"" + t + "\"";
			m.append("if (isOpen(").append(q).append(")) { selectImage(").append(q).append(
				"); s = s + ").append(q).append(" + \"\\t\" + Overlay.size + \"\\n\"; }\n");
			m.append("else s = s + ").append(q).append(" + \"\\tmissing\\n\";\n");
		}
		m.append("File.saveString(getInfo(\"log\"), dir + \"/").append(LOG).append("\");\n");
		m.append("File.saveString(s, dir + \"/").append(SHOWN).append("\");\n");
		return Files.writeString(tmp.resolve(name), m);
	}

	/** Checks that each image of {@link #SHOWN} is open with at least {@code min} overlay items. */
	private static void assertCalibrated(final Path dir, final String[] titles, final int min)
		throws IOException
	{
		final List<String> lines = Files.readAllLines(dir.resolve(SHOWN));
		assertEquals(titles.length, lines.size(), lines.toString());
		for (final String line : lines) {
			final String[] f = line.split("\t");
			assertTrue(!f[1].equals("missing") && Integer.parseInt(f[1]) >= min, "the image \"" +
				f[0] + "\" is shown with a calibration overlay: " + line);
		}
	}

	/** Checks that every line of the Log fits its window, unless it is one word (a path). */
	private static void assertLogFits(final Path dir) throws IOException {
		final List<String> lines = Files.readAllLines(dir.resolve(LOG));
		assertTrue(lines.size() > 1, "the run wrote to the Log: " + lines);
		for (final String line : lines)
			assertTrue(line.length() <= LogLines.WIDTH || !line.trim().contains(" "),
				"a Log line of " + line.length() + " characters: \"" + line + "\"");
	}

	private static void waitForFile(final Process ij, final Path file) throws Exception {
		final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
		while (System.nanoTime() < end && ij.isAlive() && !Files.exists(file))
			Thread.sleep(500);
		assertTrue(Files.exists(file), "the macro wrote " + file + "; ImageJ said:\n" + Files
			.readString(tmp.resolve("imagej.log")));
	}

	private static Process imagej(final XDisplay x, final String... args) throws IOException {
		final List<String> cmd = new java.util.ArrayList<>();
		cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Dplugins.dir=" + app.toAbsolutePath());
		cmd.add("-jar");
		cmd.add(app.resolve("ij.jar").toAbsolutePath().toString());
		cmd.addAll(List.of(args));
		return x.process(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("imagej.log")
			.toFile()).start();
	}

	private static void waitForWindow(final XDisplay x, final Process ij, final String title)
		throws Exception
	{
		final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
		while (System.nanoTime() < end) {
			if (window(x, title)) return;
			if (!ij.isAlive()) break;
			Thread.sleep(500);
		}
		throw new AssertionError("no window \"" + title + "\" in " + TIMEOUT_S + " s; ImageJ said:\n" +
			new String(Files.readAllBytes(tmp.resolve("imagej.log"))));
	}

	private static boolean window(final XDisplay x, final String title) throws Exception {
		return search(x, title) != null;
	}

	/** @return the id of the first visible window whose name matches, or null */
	private static String search(final XDisplay x, final String title) throws Exception {
		// xdotool takes a regular expression; the titles have parentheses
		final String regex = title.replace("(", "\\(").replace(")", "\\)");
		final Process p = x.process(List.of("xdotool", "search", "--onlyvisible", "--name", regex))
			.redirectErrorStream(false).start();
		final String out = new String(p.getInputStream().readAllBytes()).trim();
		p.waitFor(30, TimeUnit.SECONDS);
		return out.isEmpty() ? null : out.split("\\s+")[0];
	}

	private static void stop(final Process p) throws InterruptedException {
		p.destroy();
		if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
	}
}
