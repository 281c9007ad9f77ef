// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.awt.Color;
import java.awt.Font;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.TextRoi;
import ij.plugin.LutLoader;
import ij.process.LUT;

import io.github.harmonij.ij1.NiftiImagePlus;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.NiftiImage;

/**
 * Site-effect maps in ImageJ: -log10 p of each test that Site Effect Maps wrote (site F test,
 * unequal variance across sites, and the covariate of interest if there was one), with the hot
 * lookup table, a calibration bar drawn as an overlay, and on the bar the FDR threshold: the
 * smallest -log10 p that is significant after the Benjamini-Hochberg correction, as the report
 * marks it.
 * <p>
 * Before and after harmonisation share one display range per test, so the eye compares like with
 * like; each map marks its own threshold (it depends on all of its p values). The site effect,
 * which harmonisation is about, is shown before and after side by side; the other tests as one
 * window each whose frames (the t slider) are before and after.
 */
public final class SiteEffectViewer {

	/** The tests, by the prefix of their files, and the titles of their maps. */
	private static final String[][] TESTS = { { "site", "Site effect" }, { "levene",
		"Unequal variance" }, { "interest", "Covariate of interest" } };

	/** Label of the calibration bars. */
	private static final String UNIT = "-log10 p";

	private SiteEffectViewer() {}

	/**
	 * @param dir a folder with {@code before/} and {@code after/} (a harmonisation run's
	 *          {@code site_effects}), or the output folder of Site Effect Maps (one map per test)
	 * @return the images, ready to show: site effect (before and after), unequal variance and
	 *         covariate of interest (frames before and after); empty if the folder has no maps
	 */
	public static List<ImagePlus> open(final Path dir) {
		final boolean pair = Files.isDirectory(dir.resolve("before"));
		final Path first = pair ? dir.resolve("before") : dir;
		final List<Path> folders = pair ? List.of(first, dir.resolve("after")) : List.of(dir);
		final Path csv = first.resolve("summary.csv");
		final CsvTable summary = Files.exists(csv) ? Csv.read(csv) : null;
		final String q = summaryCell(summary, "site", "q");
		final List<ImagePlus> list = new ArrayList<>();
		for (final String[] test : TESTS) {
			if (!Files.exists(first.resolve(test[0] + "_neglog10p.nii.gz"))) continue;
			final String title = test[0].equals("interest") ? test[1] + " (" + interestName(
				summary) + ")" : test[1];
			final List<ImagePlus> maps = new ArrayList<>();
			final List<Double> thresholds = new ArrayList<>();
			for (final Path folder : folders) {
				final NiftiImage logp = NiftiIO.read(folder.resolve(test[0] + "_neglog10p.nii.gz"));
				final NiftiImage fdr = NiftiIO.read(folder.resolve(test[0] + "_fdr.nii.gz"));
				maps.add(NiftiImagePlus.toImagePlus(logp, title));
				thresholds.add(fdrThreshold(logp.data(), fdr.data()));
			}
			double max = 0;
			for (final ImagePlus imp : maps)
				max = Math.max(max, CohortStacks.percentileRange(imp, 0.5, 99.5)[1]);
			if (max <= 0) max = 1;
			if (!pair) list.add(show(maps.get(0), title + ", " + UNIT, max, q, thresholds));
			else if (test[0].equals("site")) {
				list.add(show(maps.get(0), title + " before, " + UNIT, max, q, thresholds.subList(0,
					1)));
				list.add(show(maps.get(1), title + " after, " + UNIT, max, q, thresholds.subList(1,
					2)));
			}
			else list.add(show(beforeAfter(maps, title + ", " + UNIT), title + ", " + UNIT, max, q,
				thresholds));
		}
		return list;
	}

	/**
	 * Opens the maps of {@code dir} ({@link #open}) and shows them side by side from (x, y),
	 * zoomed to about {@code size} pixels; the before-and-after windows of the secondary tests at
	 * two thirds of it, so that the two fit beside the site-effect pair on a 1600-pixel screen.
	 *
	 * @return the x after the last window shown
	 */
	public static int show(final Path dir, final int x, final int y, final int size) {
		int next = x;
		for (final ImagePlus map : open(dir)) {
			CohortStacks.showZoomed(map, next, y, map.getNFrames() > 1 ? size * 2 / 3 : size);
			if (map.getWindow() != null) next += map.getWindow().getWidth() + 8;
		}
		return next;
	}

	/**
	 * @return the FDR threshold of one map: the smallest -log10 p among the voxels that are 1 in
	 *         its FDR map (Benjamini-Hochberg: every p at most that threshold is significant), or
	 *         NaN if no voxel is significant
	 */
	static double fdrThreshold(final float[] neglog10p, final float[] fdr) {
		double t = Double.POSITIVE_INFINITY;
		for (int v = 0; v < neglog10p.length; v++)
			if (fdr[v] == 1 && Float.isFinite(neglog10p[v])) t = Math.min(t, neglog10p[v]);
		return Double.isInfinite(t) ? Double.NaN : t;
	}

	// -- Helper methods --

	/**
	 * Gives {@code imp} the hot scale from 0 to {@code max} and a bar that marks each map's FDR
	 * threshold ({@code thresholds}: one per frame, before and after, or one for a single map).
	 */
	private static ImagePlus show(final ImagePlus imp, final String title, final double max,
		final String q, final List<Double> thresholds)
	{
		imp.setTitle(title);
		imp.setLut(hot());
		imp.setDisplayRange(0, max);
		final Overlay overlay = CalibrationBars.bar(imp, hot(), 0, max, UNIT, Color.WHITE);
		final String fdr = q == null ? "FDR" : "FDR q=" + q;
		final Font bold = CalibrationBars.font(imp).deriveFont(Font.BOLD);
		for (int i = 0; i < thresholds.size(); i++) {
			final double t = thresholds.get(i);
			final int frame = thresholds.size() > 1 ? i + 1 : 0;
			CalibrationBars.mark(overlay, imp, 0, max, t, fdr + ": " + (Double.isNaN(t) ? "none"
				: CalibrationBars.format(t, false)), frame);
			if (frame > 0) {
				// which frame is which, in the image itself
				final TextRoi name = CalibrationBars.text(i == 0 ? "before" : "after", 1, 1, bold,
					Color.WHITE);
				name.setPosition(0, 0, frame);
				overlay.add(name);
			}
		}
		imp.setOverlay(overlay);
		final int nz = imp.getNSlices();
		imp.setPosition(1, nz / 2 + 1, 1);
		return imp;
	}

	/** @return one hyperstack whose frames are the maps (before, after), slices labelled so */
	private static ImagePlus beforeAfter(final List<ImagePlus> maps, final String title) {
		final ImagePlus head = maps.get(0);
		final int nz = head.getNSlices();
		final ImageStack stack = new ImageStack(head.getWidth(), head.getHeight());
		final String[] names = { "before", "after" };
		for (int t = 0; t < maps.size(); t++)
			for (int z = 1; z <= nz; z++)
				stack.addSlice(names[t] + " z=" + z, maps.get(t).getStack().getProcessor(z));
		final ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(1, nz, maps.size());
		imp.setOpenAsHyperStack(true);
		imp.setCalibration(head.getCalibration());
		imp.setProperty(NiftiImagePlus.HEADER_PROPERTY, head.getProperty(
			NiftiImagePlus.HEADER_PROPERTY));
		return imp;
	}

	/** @return the covariate of interest named in a site-effect summary table, or "?" */
	private static String interestName(final CsvTable summary) {
		if (summary == null || summary.column("test") < 0) return "?";
		final int test = summary.column("test");
		for (int r = 0; r < summary.nRows(); r++)
			if (summary.cell(r, test).startsWith("interest:")) return summary.cell(r, test)
				.substring("interest:".length());
		return "?";
	}

	/** @return a cell of a site-effect summary table (may be null), or null if there is none */
	private static String summaryCell(final CsvTable summary, final String test,
		final String column)
	{
		if (summary == null) return null;
		final int ti = summary.column("test"), ci = summary.column(column);
		if (ti < 0 || ci < 0) return null;
		for (int r = 0; r < summary.nRows(); r++)
			if (summary.cell(r, ti).equals(test)) return summary.cell(r, ci);
		return null;
	}

	/** ImageJ's "Fire" lookup table: the colours of the report's maps (EvidenceFigures). */
	static LUT hot() {
		return new LUT(LutLoader.getLut("fire"), 0, 255);
	}
}
