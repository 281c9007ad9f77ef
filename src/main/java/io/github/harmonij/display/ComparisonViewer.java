// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.awt.Color;
import java.nio.file.Path;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Plot;
import ij.gui.PlotWindow;
import ij.measure.Calibration;
import ij.measure.ResultsTable;
import ij.plugin.LutLoader;
import ij.process.FloatProcessor;
import ij.process.LUT;

import io.github.harmonij.core.ScanComparison;
import io.github.harmonij.ij1.NiftiImagePlus;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiImage;
import io.github.harmonij.io.ScanPair;

/**
 * Shows a comparison of two scans (Compare Two Scans): the difference B - A and the percent
 * difference as calibrated stacks with a diverging lookup table centred on zero, a scatter plot
 * of B against A with the identity line (an ImageJ Plot), the joint histogram (log counts) and
 * the summary numbers as a Results table.
 */
public final class ComparisonViewer {

	/** Most points in the scatter plot; more is slow to draw and shows nothing new. */
	private static final int MAX_POINTS = 20_000;

	/** Bins per axis of the joint histogram. */
	private static final int BINS = 256;

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
		final String names = scanB.getFileName() + " - " + scanA.getFileName();
		if (CohortStacks.fitsInMemory(4, h.voxelsPerVolume())) {
			final ImagePlus diff = NiftiImagePlus.toImagePlus(new NiftiImage(h, c.difference()),
				"Difference " + names);
			CohortStacks.showAsDifference(diff);
			final ImagePlus pct = NiftiImagePlus.toImagePlus(new NiftiImage(h, c
				.percentDifference()), "Percent difference " + names);
			CohortStacks.showAsDifference(pct);
			pct.setDisplayRange(Math.max(-100, pct.getDisplayRangeMin()), Math.min(100, pct
				.getDisplayRangeMax()));
			pct.getCalibration().setValueUnit("%");
			center(diff);
			center(pct);
			CohortStacks.showZoomed(diff, 10, 120, 400);
			CohortStacks.showZoomed(pct, 460, 120, 400);
		}
		else IJ.log("HarmonIJ: the difference maps of " + names + " do not fit in memory and are " +
			"not shown; use out=... to write them.");
		final double[] range = range(pair.a().data(), pair.b().data(), pair.mask());
		final PlotWindow pw = scatter(pair, c, range, scanA.getFileName().toString(), scanB
			.getFileName().toString()).show();
		if (pw != null) pw.setLocation(910, 120);
		final ImagePlus joint = jointHistogram(pair, range, "Joint histogram " + names);
		CohortStacks.showZoomed(joint, 910, 600, 256);
		table(scanA, scanB, c).show(TABLE);
		final java.awt.Window w = ij.WindowManager.getWindow(TABLE);
		if (w != null) w.setBounds(10, 600, 880, 130);
	}

	/** The summary numbers as a one-row Results table. */
	public static ResultsTable table(final Path scanA, final Path scanB, final ScanComparison c) {
		final ResultsTable rt = new ResultsTable();
		rt.incrementCounter();
		rt.addValue("scan_a", scanA.getFileName().toString());
		rt.addValue("scan_b", scanB.getFileName().toString());
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
			"n = %d, mean |B - A| = %.4g (%.2f %%), r = %.4f", c.nVoxels(), c.meanAbsDifference(), c
				.meanAbsPercentDifference(), c.correlation()));
		return plot;
	}

	private static ImagePlus jointHistogram(final ScanPair pair, final double[] range,
		final String title)
	{
		final long[][] counts = ScanComparison.jointHistogram(pair.a().data(), pair.b().data(), pair
			.mask(), BINS, range[0], range[1]);
		final float[] px = new float[BINS * BINS];
		float max = 0;
		for (int jb = 0; jb < BINS; jb++)
			for (int ja = 0; ja < BINS; ja++) {
				// B increases upwards: row 0 of the image is the highest B bin.
				final float v = (float) Math.log10(1 + counts[jb][ja]);
				px[(BINS - 1 - jb) * BINS + ja] = v;
				max = Math.max(max, v);
			}
		final ImagePlus imp = new ImagePlus(title, new FloatProcessor(BINS, BINS, px));
		final Calibration cal = imp.getCalibration();
		cal.pixelWidth = cal.pixelHeight = (range[1] - range[0]) / BINS;
		cal.xOrigin = -range[0] / cal.pixelWidth;
		cal.setValueUnit("log10(1 + voxels)");
		imp.setLut(new LUT(LutLoader.getLut("fire"), 0, 255));
		imp.setDisplayRange(0, Math.max(1, max));
		return imp;
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
