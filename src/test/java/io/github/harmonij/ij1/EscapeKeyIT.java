// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cli.Harmonij;

/**
 * Esc on the keyboard stops a running harmonisation in a real ImageJ 1.x window: the whole chain
 * key (xdotool, XTEST) &rarr; X server &rarr; AWT &rarr; ImageJ's key handler
 * ({@code IJ.escapePressed()}) &rarr; the shim's watcher &rarr; the command's cancel &rarr; no
 * output. ImageJ runs on a private Xvfb, not in batch mode ({@link EscDriver}), once from a macro
 * and once from the menu command's dialog. The run is ComBat with non-parametric empirical Bayes
 * on a simulated cohort (24 subjects, 3 sites, 235 865 voxels), which takes minutes on 2 cores
 * (a third of it in 90 s); Esc is pressed once its work folder exists, and it must end within
 * seconds, leaving nothing behind.
 * <p>
 * Esc also aborts the macro (ImageJ does so for any command; it waits up to 2 s for the macro to
 * end), so the macro cannot show that ImageJ goes on: the driver runs a new macro and a task on
 * the event queue after the run, and the test finds the ImageJ window still on the display.
 */
class EscapeKeyIT {

	private static final String LABEL = "Harmonise Cohort (ComBat)...";

	/** ImageJ up and the run's work folder made; about 3 s here. */
	private static final long START_S = 60;

	/** Esc to the driver's report (the run's end plus 1 s); about 1 to 3 s here. */
	private static final long STOP_S = 20;

	/** A whole run from ImageJ's start takes minutes; a canceled one must end well before. */
	private static final long CANCELED_RUN_MS = 45_000;

	@TempDir
	static Path tmp;

	static Path app;

	static Path cohort;

	@BeforeAll
	static void setUp() {
		app = Paths.get(System.getProperty("harmonij.app", "target/app"));
		assertTrue(Files.isRegularFile(app.resolve("ij.jar")), "packaged app at " + app);
		XDisplay.require("xdotool");
		cohort = tmp.resolve("sim");
		harmonij("simulate", "--out", cohort.toString(), "--subjects", "24", "--sites", "3",
			"--seed", "1");
	}

	@Test
	void escStopsAMacroRun() throws Exception {
		final Path out = tmp.resolve("macro-out"), after = tmp.resolve("after-the-run.txt");
		final Path macro = tmp.resolve("esc.ijm");
		Files.writeString(macro, "run(\"" + LABEL + "\", \"" + options() + " out=[\" + " +
			"getArgument() + \"]\");\nFile.saveString(\"not reached\", \"" + after + "\");\n");
		final Properties r = pressEscDuringRun(out, "macro", macro.toString(), out.toString());
		assertCanceled(r, out);
		// Esc aborts the macro too, as ImageJ does for its own commands
		assertFalse(Files.exists(after), "the macro went on after Esc");
	}

	@Test
	void escStopsAMenuRun() throws Exception {
		final Path out = tmp.resolve("menu-out");
		final Properties r = pressEscDuringRun(out, "menu", LABEL, options() + " out=[" + out +
			"]");
		assertEquals("ended", r.getProperty("result"), "the menu command's thread ended");
		assertCanceled(r, out);
	}

	// -- Helper methods --

	private static String options() {
		return "manifest=[" + cohort.resolve("cohort.csv") + "] batch=site " +
			"covariates=[age,sex,group] categorical=[sex,group] mask=[" + cohort.resolve(
				"mask.nii.gz") + "] eb=nonparametric";
	}

	/**
	 * Starts ImageJ with the driver, waits for the run's work folder, clicks the ImageJ window's
	 * status bar (as a user focuses it), presses Esc and waits for the driver's report.
	 *
	 * @return the report, with {@code esc_to_report_ms} and {@code window_after} added
	 */
	private static Properties pressEscDuringRun(final Path out, final String mode,
		final String arg1, final String arg2) throws Exception
	{
		final Path report = tmp.resolve(mode + ".properties"), log = tmp.resolve(mode + ".log");
		final Path work = out.resolveSibling("." + out.getFileName() + ".partial");
		try (XDisplay x = XDisplay.start()) {
			final List<String> cmd = XDisplay.java(app, Paths.get("target/test-classes")
				.toAbsolutePath().toString());
			cmd.addAll(List.of(EscDriver.class.getName(), mode, arg1, arg2, report.toString()));
			final Process ij = x.process(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
				.start();
			try {
				final long startEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_S);
				while (!Files.isDirectory(work) && System.nanoTime() < startEnd && ij.isAlive())
					Thread.sleep(100);
				assertTrue(Files.isDirectory(work), "the run started (" + work + ") within " +
					START_S + " s; ImageJ said:\n" + read(log));
				Thread.sleep(1000); // into the fit, the run's longest phase
				final String window = imageJWindow(x);
				assertNotNull(window, "the ImageJ window");
				final int height = Integer.parseInt(x.xdotoolOutput("getwindowgeometry", "--shell",
					window).replaceAll("(?s).*HEIGHT=(\\d+).*", "$1"));
				final String statusBar = String.valueOf(height - 6);
				x.xdotool("mousemove", "--window", window, "100", statusBar, "click", "1");
				final long focusEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
				while (!window.equals(x.xdotoolOutput("getwindowfocus")) && System
					.nanoTime() < focusEnd)
					Thread.sleep(100);
				x.checkWindowManager();
				assertEquals(window, x.xdotoolOutput("getwindowfocus"), "ImageJ has the focus");
				assertFalse(Files.exists(out.resolve("run.json")), "still running at Esc");
				final long pressed = System.nanoTime();
				x.xdotool("key", "Escape");
				final long stopEnd = pressed + TimeUnit.SECONDS.toNanos(STOP_S);
				while (!Files.exists(report) && System.nanoTime() < stopEnd && ij.isAlive())
					Thread.sleep(100);
				assertTrue(Files.exists(report), "the run ended within " + STOP_S + " s of Esc; " +
					"ImageJ said:\n" + read(log));
				final Properties r = new Properties();
				try (Reader in = Files.newBufferedReader(report, StandardCharsets.UTF_8)) {
					r.load(in);
				}
				final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pressed);
				r.setProperty("esc_to_report_ms", String.valueOf(ms));
				r.setProperty("window_after", String.valueOf(imageJWindow(x)));
				return r;
			}
			finally {
				ij.descendants().forEach(ProcessHandle::destroyForcibly);
				ij.destroyForcibly();
				ij.waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	/** What a user sees after Esc, and what is left on disk. */
	private static void assertCanceled(final Properties r, final Path out) throws IOException {
		assertTrue(Long.parseLong(r.getProperty("run_ms")) < CANCELED_RUN_MS, "stopped early: " +
			r);
		// in lines that fit the Log window (LogLines)
		assertTrue(r.getProperty("log").replaceAll("\\s+", " ").contains("HarmonIJ: " +
			CommandShim.ESC_REASON), "the Log says so: " + r);
		assertEquals(CommandShim.ESC_REASON, r.getProperty("status"), "the status bar says so");
		assertEquals("", r.getProperty("dialogs"), "no dialog to dismiss after Esc");
		// ImageJ goes on: its window, its event queue and its macro interpreter
		assertEquals("true", r.getProperty("window_showing"), "window shown: " + r);
		assertFalse("null".equals(r.getProperty("window_after")), "window on the display: " + r);
		assertEquals("true", r.getProperty("event_queue"), "event queue answers: " + r);
		assertEquals("42", r.getProperty("next_macro"), "a new macro runs: " + r);
		// Nothing that looks like a result: no output folder (or an empty one), no work folder
		assertFalse(Files.exists(out.resolveSibling("." + out.getFileName() + ".partial")),
			"work folder removed");
		if (Files.exists(out)) try (Stream<Path> s = Files.list(out)) {
			assertEquals(List.of(), s.collect(Collectors.toList()), "output folder");
		}
		try (Stream<Path> s = Files.walk(tmp)) {
			assertEquals(List.of(), s.filter(p -> p.getFileName().toString().equals("run.json") || p
				.toString().contains("harmonised")).collect(Collectors.toList()), "results");
		}
	}

	/** @return the id of the visible ImageJ main window, or null */
	private static String imageJWindow(final XDisplay x) throws Exception {
		final String ids = x.xdotoolOutput("search", "--onlyvisible", "--name", "^ImageJ$");
		return ids.isEmpty() ? null : ids.split("\\s+")[0];
	}

	private static String read(final Path log) throws IOException {
		return Files.exists(log) ? Files.readString(log) : "";
	}

	/** Runs {@code harmonij args...} in this JVM and asserts exit 0, with what it printed. */
	private static void harmonij(final String... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream();
		final PrintStream ps = new PrintStream(out, true);
		assertEquals(0, new Harmonij(ps, ps).execute(args), String.join(" ", args) + ":\n" + out
			.toString(StandardCharsets.UTF_8));
	}
}
