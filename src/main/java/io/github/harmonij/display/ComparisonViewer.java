// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.nio.file.Path;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Plot;
import ij.gui.PlotWindow;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.Calibration;
import ij.measure.ResultsTable;
import ij.plugin.LutLoader;
import ij.process.FloatProcessor;
import ij.process.LUT;

import io.github.harmonij.core.ScanComparison;
import io.github.harmonij.ij1.LogLines;
import io.github.harmonij.ij1.NiftiImagePlus;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiImage;
import io.github.harmonij.io.ScanPair;

/**
 * Shows a comparison of two scans (Compare Two Scans): the difference B - A and the percent
 * difference as calibrated stacks with a diverging lookup table centred on zero and a calibration
 * bar, a scatter plot of B against A with the identity line (an ImageJ Plot), the joint histogram
 * (log counts, with labelled axes) and the summary numbers as a Results table. The scans are
 * named by the shortest ends of their paths that tell them apart ({@link ScanPair#names}): two
 * files called {@code sub-001.nii.gz} are {@code truth/sub-001.nii.gz} and
 * {@code images/sub-001.nii.gz}.
 */
public final class ComparisonViewer {

	/** Most points in the scatter plot; more is slow to draw and shows nothing new. */
	private static final int MAX_POINTS = 20_000;

	/** Bins per axis of the joint histogram. */
	private static final int BINS = 256;

	/** Margins of the joint histogram, in pixels: left (B's axis), below (A's), and the others. */
	private static final int LEFT = 32, BOTTOM = 32, MARGIN = 6;

	/** What the percent difference is, in the scatter plot under its mean. */
	private static final String PERCENT_DIFFERENCE =
		"% difference = 100 (B - A) / ((|A| + |B|) / 2), per voxel";

	/** Title of the summary table. */
	private static final String TABLE = "Compare Two Scans";

	private ComparisonViewer() {}

	/**
	 * Reads the scans (and mask, may be null), compares them and shows the result; the maps are
	 * left out, with a message, when they would not fit in memory.
	 */
	public static void show(final Path scanA, final Path scanB, final Path mask) {
		final ScanPair pair = ScanPair.read(scanA, scanB, mask);
		final ScanComparison c = ScanComparison.compare(pair.a().data(), pair.b().data(), pair
			.mask(), () -> false);
		final NiftiHeader h = pair.a().header().forFloat32(1);
		final String[] ab = ScanPair.names(scanA, scanB);
		final String names = ab[1] + " - " + ab[0];
		if (CohortStacks.fitsInMemory(4, h.voxelsPerVolume())) {
			final ImagePlus diff = NiftiImagePlus.toImagePlus(new NiftiImage(h, c.difference()),
				"Difference " + names);
			CohortStacks.showAsDifference(diff, "B - A");
			final ImagePlus pct = NiftiImagePlus.toImagePlus(new NiftiImage(h, c
				.percentDifference()), "Percent difference " + names);
			final double[] r = CohortStacks.percentileRange(pct, 0.5, 99.5);
			CohortStacks.showAsDifference(pct, Math.min(100, Math.max(Math.abs(r[0]), Math.abs(
				r[1]))), "% difference");
			pct.getCalibration().setValueUnit("%");
			center(diff);
			center(pct);
			CohortStacks.showZoomed(diff, 10, 120, 400);
			CohortStacks.showZoomed(pct, 460, 120, 400);
		}
		else LogLines.log("HarmonIJ: the difference maps of " + names + " do not fit in memory " +
			"and are not shown; use out=... to write them.");
		final double[] range = range(pair.a().data(), pair.b().data(), pair.mask());
		final PlotWindow pw = scatter(pair, c, range, ab[0], ab[1]).show();
		if (pw != null) pw.setLocation(910, 120);
		final ImagePlus joint = jointHistogram(pair, range, "Joint histogram " + names, ab[0],
			ab[1]);
		CohortStacks.showZoomed(joint, 910, 600, 256);
		table(ab[0], ab[1], c).show(TABLE);
		final java.awt.Window w = ij.WindowManager.getWindow(TABLE);
		if (w != null) w.setBounds(10, 600, 880, 130);
		ResultViewer.placeLog(10, 738, 230);
	}

	/**
	 * The summary numbers as a one-row Results table.
	 *
	 * @param nameA how scan A is named ({@link ScanPair#names})
	 */
	public static ResultsTable table(final String nameA, final String nameB,
		final ScanComparison c)
	{
		final ResultsTable rt = new ResultsTable();
		rt.incrementCounter();
		rt.addValue("scan_a", nameA);
		rt.addValue("scan_b", nameB);
		rt.addValue("voxels", c.nVoxels());
		rt.addValue("mean_a", c.meanA());
		rt.addValue("mean_b", c.meanB());
		rt.addValue("mean_difference", c.meanDifference());
		rt.addValue("sd_difference", c.sdDifference());
		rt.addValue("mean_abs_difference", c.meanAbsDifference());
		rt.addValue("mean_abs_percent_difference", c.meanAbsPercentDifference());
		rt.addValue("correlation", c.correlation());
		return rt;
	}

	// -- Helper methods --

	private static Plot scatter(final ScanPair pair, final ScanComparison c, final double[] range,
		final String nameA, final String nameB)
	{
		final float[] a = pair.a().data(), b = pair.b().data();
		final boolean[] m = pair.mask();
		final int step = (int) Math.max(1, (c.nVoxels() + MAX_POINTS - 1) / MAX_POINTS);
		final float[] xs = new float[(int) Math.min(MAX_POINTS, c.nVoxels())];
		final float[] ys = new float[xs.length];
		int n = 0;
		long seen = 0;
		for (int i = 0; i < a.length && n < xs.length; i++) {
			if (!ScanComparison.use(a, b, m, i)) continue;
			if (seen++ % step != 0) continue;
			xs[n] = a[i];
			ys[n++] = b[i];
		}
		final Plot plot = new Plot("Scatter " + nameB + " vs " + nameA, "A: " + nameA, "B: " + nameB);
		plot.setLimits(range[0], range[1], range[0], range[1]);
		plot.setColor(new Color(40, 80, 160, 90));
		plot.addPoints(java.util.Arrays.copyOf(xs, n), java.util.Arrays.copyOf(ys, n), Plot.DOT);
		plot.setColor(Color.RED);
		plot.drawLine(range[0], range[0], range[1], range[1]);
		plot.setColor(Color.BLACK);
		plot.addLabel(0.02, 0.08, String.format(java.util.Locale.ROOT,
			"n = %d, mean |B - A| = %.4g, mean |%% difference| = %.2f %%, r = %.4f", c.nVoxels(), c
				.meanAbsDifference(), c.meanAbsPercentDifference(), c.correlation()));
		plot.addLabel(0.02, 0.14, PERCENT_DIFFERENCE);
		return plot;
	}

	/**
	 * The joint histogram as a calibrated image with room for its axes: A across, B upwards, the
	 * cursor reading A, B and log10(1 + voxels); the axis names, ranges and a frame are an
	 * overlay, in the margins left of and below the bins.
	 */
	private static ImagePlus jointHistogram(final ScanPair pair, final double[] range,
		final String title, final String nameA, final String nameB)
	{
		final long[][] counts = ScanComparison.jointHistogram(pair.a().data(), pair.b().data(), pair
			.mask(), BINS, range[0], range[1]);
		final int width = LEFT + BINS + MARGIN, height = MARGIN + BINS + BOTTOM;
		final float[] px = new float[width * height];
		float max = 0;
		for (int jb = 0; jb < BINS; jb++)
			for (int ja = 0; ja < BINS; ja++) {
				// B increases upwards: the top row of the bins is the highest B bin.
				final float v = (float) Math.log10(1 + counts[jb][ja]);
				px[(MARGIN + BINS - 1 - jb) * width + LEFT + ja] = v;
				max = Math.max(max, v);
			}
		final ImagePlus imp = new ImagePlus(title, new FloatProcessor(width, height, px));
		final Calibration cal = imp.getCalibration();
		cal.pixelWidth = cal.pixelHeight = (range[1] - range[0]) / BINS;
		cal.xOrigin = LEFT - range[0] / cal.pixelWidth;
		cal.setInvertY(true);
		cal.yOrigin = MARGIN + BINS + range[0] / cal.pixelHeight;
		cal.setValueUnit("log10(1 + voxels)");
		imp.setLut(new LUT(LutLoader.getLut("fire"), 0, 255));
		imp.setDisplayRange(0, Math.max(1, max));
		imp.setOverlay(axes(nameA, nameB, range));
		return imp;
	}

	/**
	 * The frame, the range of each axis and the axis names of {@link #jointHistogram}: under the
	 * bins, a row of numbers and then A's name; left of them, B's name and then a column of
	 * numbers, reading upwards.
	 */
	private static Overlay axes(final String nameA, final String nameB, final double[] range) {
		final Overlay o = new Overlay();
		final Roi frame = new Roi(LEFT - 1, MARGIN - 1, BINS + 2, BINS + 2);
		frame.setStrokeColor(Color.GRAY);
		o.add(frame);
		final Font font = new Font("SansSerif", Font.PLAIN, 11);
		final String lo = CalibrationBars.format(range[0], false), hi = CalibrationBars.format(
			range[1], false);
		final int line = textBox("0", font).height, bottom = MARGIN + BINS;
		o.add(CalibrationBars.text(lo, LEFT, bottom + 1, font, Color.WHITE));
		o.add(CalibrationBars.rightAligned(hi, LEFT + BINS, bottom + 1, font, Color.WHITE));
		final String a = "A: " + nameA, b = "B: " + nameB;
		o.add(CalibrationBars.text(a, LEFT + (BINS - textBox(a, font).width) / 2, bottom + line,
			font, Color.WHITE));
		o.add(upwards(lo, LEFT - line, bottom, font));
		o.add(upwards(hi, LEFT - line, MARGIN + textBox(hi, font).width, font));
		o.add(upwards(b, LEFT - 2 * line, bottom - (BINS - textBox(b, font).width) / 2, font));
		return o;
	}

	/**
	 * @return {@code s} turned to read upwards, starting at row {@code y}, its glyphs' tops at
	 *         column {@code x} (a TextRoi turns about its top left corner)
	 */
	private static TextRoi upwards(final String s, final int x, final int y, final Font font) {
		final TextRoi roi = CalibrationBars.text(s, x, y, font, Color.WHITE);
		roi.setAngle(90);
		return roi;
	}

	private static Rectangle textBox(final String s, final Font font) {
		return new TextRoi(0, 0, s, font).getBounds();
	}

	/** [min, max] of A and B over the compared voxels. */
	private static double[] range(final float[] a, final float[] b, final boolean[] m) {
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (int i = 0; i < a.length; i++) {
			if (!ScanComparison.use(a, b, m, i)) continue;
			lo = Math.min(lo, Math.min(a[i], b[i]));
			hi = Math.max(hi, Math.max(a[i], b[i]));
		}
		return lo < hi ? new double[] { lo, hi } : new double[] { lo, lo + 1 };
	}

	private static void center(final ImagePlus imp) {
		imp.setPosition(1, imp.getNSlices() / 2 + 1, 1);
	}
}
