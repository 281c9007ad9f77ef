// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

import io.github.harmonij.core.InputException;
import io.github.harmonij.ij1.LogLines;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.RunRecord;

/**
 * Shows a harmonisation result folder in ImageJ 1.x: the original cohort and the harmonised cohort
 * as 4-D hyperstacks with one display range (flip between them to compare), the differences with a
 * diverging lookup table, the per-site mean difference, and summary.csv as a Results table.
 */
public final class ResultViewer {

	/** The label of the difference maps' calibration bar. */
	private static final String DIFFERENCE = "harmonised - original";

	/** Top and height of the summary table's window. */
	private static final int SUMMARY_Y = 110, SUMMARY_HEIGHT = 190;

	/** Left edge of the summary table: right of the image windows. */
	private static int summaryX = 760;

	private ResultViewer() {}

	/** Opens the demo's ComBat results in an ImageJ window (starting ImageJ if needed). */
	public static void showDemo(final Path demoDir) {
		if (IJ.getInstance() == null) new ImageJ();
		showRun(demoDir.resolve("combat"));
	}

	/**
	 * Shows the results of a voxelwise run (a folder with run.json, harmonised/, difference/).
	 * When the cohort does not fit in memory, says so and shows the folder instead. A run without
	 * difference images (no_difference) shows the original and harmonised cohorts only.
	 */
	public static void showRun(final Path out) {
		final RunRecord run = readRun(out);
		final List<RunRecord.Input> inputs = run.inputs();
		final List<Path> originals = new ArrayList<>(), harmonised = new ArrayList<>(),
			differences = new ArrayList<>();
		final List<String> labels = new ArrayList<>();
		final Map<String, Integer> siteIndex = new LinkedHashMap<>();
		final int[] site = new int[inputs.size()];
		for (int j = 0; j < inputs.size(); j++) {
			final RunRecord.Input in = inputs.get(j);
			originals.add(Path.of(in.image()));
			harmonised.add(out.resolve("harmonised").resolve(in.output()));
			differences.add(out.resolve("difference").resolve(in.output()));
			labels.add(in.subject() + " (" + in.batch() + ")");
			site[j] = siteIndex.computeIfAbsent(in.batch(), k -> siteIndex.size());
		}
		final String method = String.valueOf(run.method());
		int rowTop = 110;
		try {
			final ImagePlus before = CohortStacks.cohort("Original cohort", originals, labels);
			final ImagePlus after = CohortStacks.cohort("Harmonised (" + method + ")", harmonised,
				labels);
			CohortStacks.sameDisplayRange(before, after);
			final ImagePlus[] views;
			if (Files.isDirectory(out.resolve("difference"))) {
				final ImagePlus diff = CohortStacks.cohort("Difference (" + method + ")", differences,
					labels);
				CohortStacks.showAsDifference(diff, DIFFERENCE);
				final ImagePlus siteDiff = CohortStacks.siteMeans(diff, site, siteIndex.keySet()
					.toArray(new String[0]), "Mean difference per site (" + method + ")");
				CohortStacks.showAsDifference(siteDiff, diff.getDisplayRangeMax(), DIFFERENCE);
				views = new ImagePlus[] { before, after, diff, siteDiff };
			}
			else views = new ImagePlus[] { before, after };
			// A 2 x 2 grid below the ImageJ bar, each window next to the one before, so that the
			// four fit a 1600 x 1000 screen at the zoom ImageJ allows (steps of 25 %).
			final int size = 340;
			int x = 10, y = 110, rowBottom = y;
			for (int i = 0; i < views.length; i++) {
				if (i == 2) {
					x = 10;
					y = rowBottom + 8;
					rowTop = y;
				}
				CohortStacks.showZoomed(views[i], x, y, size);
				final java.awt.Window w = views[i].getWindow();
				if (w == null) continue;
				x += w.getWidth() + 8;
				rowBottom = Math.max(rowBottom, y + w.getHeight());
				summaryX = Math.max(summaryX, x);
			}
			if (views.length == 2) {
				// no difference images: the second row starts empty (the site maps, and room for
				// the Log under the summary)
				x = 10;
				y = rowBottom + 8;
				rowTop = y;
			}
			// Site-effect maps (--site-effects): before and after, one hot scale, in the second row.
			SiteEffectViewer.show(out.resolve("site_effects"), x, y, size);
		}
		catch (final InputException e) {
			LogLines.log("HarmonIJ: " + e.getMessage());
		}
		showSummary(out.resolve("summary.csv"));
		placeLog(summaryX, SUMMARY_Y + SUMMARY_HEIGHT + 8, rowTop - SUMMARY_Y - SUMMARY_HEIGHT -
			16);
	}

	/**
	 * Moves the Log window to (x, y), at most {@code maxHeight} tall, and to the front: the run's
	 * summary is written there, and it would otherwise stay where ImageJ opened it, under the
	 * result windows.
	 */
	static void placeLog(final int x, final int y, final int maxHeight) {
		final java.awt.Window log = ij.WindowManager.getWindow("Log");
		if (log == null) return;
		log.setBounds(x, y, log.getWidth(), Math.max(100, Math.min(log.getHeight(), maxHeight)));
		log.toFront();
	}

	/** Shows a run's summary.csv as an ImageJ Results table named after the run's folder. */
	public static void showSummary(final Path csv) {
		if (!Files.exists(csv)) return;
		final String title = "HarmonIJ " + csv.getParent().getFileName() + " summary";
		showTable(csv, title);
		final java.awt.Window w = ij.WindowManager.getWindow(title);
		if (w != null) w.setBounds(summaryX, SUMMARY_Y, 640, SUMMARY_HEIGHT);
	}

	/**
	 * Shows a CSV file as an ImageJ table (numbers as numbers, other cells as text).
	 *
	 * @return the table
	 */
	public static ResultsTable showTable(final Path csv, final String title) {
		final ResultsTable rt = toResultsTable(Csv.read(csv));
		rt.show(title);
		return rt;
	}

	/** @return the CSV table as a ResultsTable (numbers as numbers, other cells as text) */
	public static ResultsTable toResultsTable(final CsvTable t) {
		final ResultsTable rt = new ResultsTable();
		rt.setPrecision(6); // shown with 6 decimals; the table holds full doubles
		for (int r = 0; r < t.nRows(); r++) {
			rt.incrementCounter();
			for (int c = 0; c < t.nColumns(); c++) {
				final String v = t.cell(r, c);
				final double d = Csv.parseNumber(v);
				if (Double.isNaN(d)) rt.addValue(t.header().get(c), v);
				else rt.addValue(t.header().get(c), d);
			}
		}
		return rt;
	}

	private static RunRecord readRun(final Path out) {
		try {
			return RunRecord.read(new String(Files.readAllBytes(out.resolve("run.json")),
				StandardCharsets.UTF_8));
		}
		catch (final IOException e) {
			throw new InputException(out + " has no readable run.json; is it a HarmonIJ result " +
				"folder? (" + e.getMessage() + ")");
		}
	}
}
