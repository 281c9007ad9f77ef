// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.awt.Window;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.app.event.StatusEvent;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.event.EventSubscriber;

import io.github.harmonij.cli.Harmonij;
import io.github.harmonij.core.InputException;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;

/**
 * Every HarmonIJ command, headless, the way a script or a server runs them: in a SciJava context
 * with {@code java.awt.headless=true} (surefire sets it), and through {@code harmonij run "<label>"}.
 * No command may open a window or start ImageJ 1.x. Also: Compare Two Scans refuses scans on
 * different grids, and a canceled run leaves no output folder.
 */
class HeadlessCommandsTest {

	@TempDir
	static Path dir;

	static Context context;

	static Path cohort;

	static Path table = Paths.get("src/test/resources/reference/sva/dataset_small.csv");

	@BeforeAll
	static void setUp() {
		assertTrue(GraphicsEnvironment.isHeadless(), "tests run with java.awt.headless=true");
		context = new Context();
		cohort = dir.resolve("sim");
		Commands.run(context, Commands.byCli(context, "simulate"), Commands.inputs(Commands.byCli(
			context, "simulate"), MacroOptions.parse("out=[" + cohort + "] subjects=8 sites=2 seed=3")));
		// A finished harmonisation with site-effect maps, for the report command.
		final CommandInfo combat = Commands.byCli(context, "combat");
		Commands.run(context, combat, Commands.inputs(combat, MacroOptions.parse("manifest=[" +
			cohort.resolve("cohort.csv") + "] batch=site covariates=[age,sex] categorical=sex mask=[" +
			cohort.resolve("mask.nii.gz") + "] site_effects out=[" + dir.resolve("prepared") + "]")));
		// A saved table model, for apply-table.
		final CommandInfo combatTable = Commands.byCli(context, "combat-table");
		Commands.run(context, combatTable, Commands.inputs(combatTable, MacroOptions.parse(
			"table=[" + table.toAbsolutePath() + "] batch=batch covariates=[age,sex] categorical=sex " +
				"out=[" + dir.resolve("prepared.csv") + "] model_out=[" + dir.resolve(
					"prepared-model.json") + "]")));
	}

	/** The rows of the first row's site, renamed to a site the models do not know. */
	static Path newSite(final Path in, final String column, final Path out) {
		final io.github.harmonij.io.CsvTable t = io.github.harmonij.io.Csv.read(in);
		final int c = t.column(column);
		final List<String[]> rows = new ArrayList<>();
		for (int j = 0; j < t.nRows(); j++)
			if (t.cell(j, c).equals(t.cell(0, c))) {
				final String[] r = t.row(j).clone();
				r[c] = "NEW";
				rows.add(r);
			}
		io.github.harmonij.io.Csv.write(out, t.header(), rows);
		return out;
	}

	@AfterAll
	static void tearDown() {
		context.dispose();
	}

	/** Options for each command by CLI name, all outputs under {@code out}. */
	static Map<String, String> options(final Path out) throws java.io.IOException {
		Files.createDirectories(out);
		final String manifest = "manifest=[" + cohort.resolve("cohort.csv") + "] batch=site " +
			"covariates=[age,sex] categorical=sex mask=[" + cohort.resolve("mask.nii.gz") + "]";
		final String tables = "table=[" + table.toAbsolutePath() + "] batch=batch " +
			"covariates=[age,sex] categorical=sex";
		final Map<String, String> m = new LinkedHashMap<>();
		m.put("about", "");
		m.put("simulate", "out=[" + out.resolve("sim") + "] subjects=6 sites=2 seed=9");
		m.put("combat", manifest + " eb=parametric out=[" + out.resolve("combat") + "]");
		m.put("regress", manifest + " out=[" + out.resolve("regress") + "]");
		m.put("combat-table", tables + " eb=nonparametric report out=[" + out.resolve("combat.csv") +
			"]");
		m.put("regress-table", tables + " out=[" + out.resolve("regress.csv") + "]");
		m.put("compare", "scan_a=[" + cohort.resolve("images/sub-001.nii.gz") + "] scan_b=[" +
			cohort.resolve("truth/sub-001.nii.gz") + "] mask=[" + cohort.resolve("mask.nii.gz") +
			"] out=[" + out.resolve("compare") + "]");
		m.put("site-effects", manifest + " q=0.05 interest=age out=[" + out.resolve("effects") +
			"]");
		m.put("table-effects", tables + " out=[" + out.resolve("table-effects") + "]");
		m.put("apply", "model=[" + dir.resolve("prepared/model") + "] manifest=[" + cohort.resolve(
			"cohort.csv") + "] out=[" + out.resolve("apply") + "]");
		m.put("apply-table", "model=[" + dir.resolve("prepared-model.json") + "] table=[" + table
			.toAbsolutePath() + "] out=[" + out.resolve("apply.csv") + "]");
		m.put("add-site", "model=[" + dir.resolve("prepared/model") + "] manifest=[" + newSite(cohort
			.resolve("cohort.csv"), "site", cohort.resolve(out.getFileName() + "-new-site.csv")) + "] out=[" + out.resolve("add-site") +
			"]");
		m.put("add-site-table", "model=[" + dir.resolve("prepared-model.json") + "] table=[" +
			newSite(table, "batch", out.resolve("new-site-table.csv")) + "] out=[" + out.resolve("add-site.csv") +
			"] model_out=[" + out.resolve("add-site-model.json") + "]");
		m.put("report", "run=[" + dir.resolve("prepared") + "] out=[" + out.resolve("report.html") +
			"]");
		return m;
	}

	@Test
	void everyCommandRunsHeadlessInAContextWithoutWindows() throws Exception {
		final Path out = dir.resolve("context");
		final Map<String, String> options = options(out);
		final List<String> missing = new ArrayList<>();
		for (final CommandInfo info : Commands.all(context)) {
			final String name = info.get(Commands.CLI);
			if (!options.containsKey(name)) {
				missing.add(info.get(Commands.LABEL));
				continue;
			}
			final CommandModule m = Commands.run(context, info, Commands.inputs(info, MacroOptions
				.parse(options.get(name))));
			assertNotNull(m.getOutput("summary"), name);
			assertNoWindows(name);
		}
		assertEquals(List.of(), missing, "commands this test does not know; add their options");
		for (final String f : new String[] { "sim/cohort.csv", "combat/summary.csv",
			"regress/summary.csv", "combat.csv", "combat_report/report.html", "regress.csv", "compare/difference.nii.gz",
			"compare/percent_difference.nii.gz", "compare/summary.csv", "effects/site_F.nii.gz",
			"table-effects", "report.html", "apply/summary.csv", "apply.csv", "add-site/model/model.json",
			"add-site/harmonised", "add-site.csv", "add-site-model.json" })
			assertTrue(Files.exists(out.resolve(f)), f);
	}

	@Test
	void harmonijRunRunsEveryCommandByItsLabel() throws Exception {
		final Path out = dir.resolve("run");
		final Map<String, String> options = options(out);
		for (final CommandInfo info : Commands.all(context)) {
			final String name = info.get(Commands.CLI);
			if (!options.containsKey(name)) continue; // reported by the test above
			final ByteArrayOutputStream o = new ByteArrayOutputStream(), e =
				new ByteArrayOutputStream();
			// the label without "...", as a shell user would type it
			final int status = new Harmonij(new PrintStream(o, true), new PrintStream(e, true))
				.execute("run", info.get(Commands.LABEL).replace("...", ""), options.get(name));
			assertEquals(0, status, name + ": " + e.toString(StandardCharsets.UTF_8));
			assertFalse(o.toString(StandardCharsets.UTF_8).isEmpty(), name + " printed its summary");
			assertNoWindows(name);
		}
		assertTrue(Files.exists(out.resolve("compare/summary.csv")));
	}

	@Test
	void compareRefusesScansOnDifferentGrids() {
		final NiftiHeader h = NiftiIO.readHeader(cohort.resolve("mask.nii.gz"));
		final NiftiHeader small = h.toBuilder().size(h.nx() - 2, h.ny(), h.nz(), 1).build();
		final Path other = dir.resolve("other_grid.nii.gz");
		NiftiIO.write(other, small, new float[(int) small.voxelsPerVolume()], 1);
		final CommandInfo info = Commands.byCli(context, "compare");
		final InputException e = assertThrows(InputException.class, () -> Commands.run(context, info,
			Commands.inputs(info, MacroOptions.parse("scan_a=[" + cohort.resolve(
				"images/sub-001.nii.gz") + "] scan_b=[" + other + "] out=[" + dir.resolve("cmp-bad") +
				"]"))));
		assertTrue(e.getMessage().contains("other_grid.nii.gz is not on the grid of sub-001.nii.gz"),
			e.getMessage());
		assertTrue(e.getMessage().contains("size " + (h.nx() - 2) + "x"), e.getMessage());
		assertTrue(e.getMessage().contains("no registration"), e.getMessage());
		assertFalse(Files.exists(dir.resolve("cmp-bad")));
	}

	/** What Esc does in ImageJ (Commands.cancel on the running module), from the first progress. */
	@Test
	void cancelLeavesNoOutputFolder() throws Exception {
		final CommandInfo info = Commands.byCli(context, "combat");
		final Path out = dir.resolve("canceled");
		final Map<String, Object> inputs = Commands.inputs(info, MacroOptions.parse(options(out).get(
			"combat")));
		final CancelOnProgress listener = new CancelOnProgress();
		final List<EventSubscriber<?>> subs = context.service(EventService.class).subscribe(listener);
		try {
			final InputException e = assertThrows(InputException.class, () -> Commands.run(context,
				info, inputs, listener.running::set));
			assertEquals(CancelOnProgress.REASON, e.getMessage(), "the canceller's reason is kept");
		}
		finally {
			context.service(EventService.class).unsubscribe(subs);
		}
		assertFalse(Files.exists(out.resolve("combat")), "no output folder");
		assertFalse(Files.exists(out.resolve(".combat.partial")), "no partial folder");
	}

	/** Cancels the running module at its first progress report. */
	public static final class CancelOnProgress {

		static final String REASON = "Canceled with Esc; nothing was written.";

		final AtomicReference<CommandModule> running = new AtomicReference<>();

		@EventHandler
		public void onEvent(final StatusEvent e) {
			if (e.getProgressMaximum() > 0 && running.get() != null) Commands.cancel(running.get(),
				REASON);
		}
	}

	private static void assertNoWindows(final String command) {
		assertTrue(GraphicsEnvironment.isHeadless(), command + " left headless mode");
		assertEquals(0, Window.getWindows().length, command + " made a window");
		assertEquals(null, ij.IJ.getInstance(), command + " started ImageJ 1.x");
	}
}
