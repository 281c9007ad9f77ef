// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.IndexColorModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageCanvas;
import ij.gui.ImageWindow;
import ij.process.LUT;

import io.github.harmonij.core.InputException;
import io.github.harmonij.ij1.LogLines;
import io.github.harmonij.ij1.NiftiImagePlus;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.NiftiImage;

/**
 * ImageJ 1.x views of a cohort: a 4-D hyperstack (x, y, z, subject) with NIfTI calibration and
 * "subject (site)" slice labels; difference stacks with a diverging lookup table centred on zero;
 * per-site mean maps.
 */
public final class CohortStacks {

	private CohortStacks() {}

	/**
	 * @return whether {@code n} images of {@code voxels} float voxels fit in half of the free memory
	 */
	public static boolean fitsInMemory(final int n, final long voxels) {
		final Runtime rt = Runtime.getRuntime();
		final long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		return 4L * n * voxels < free / 2;
	}

	/**
	 * Reads images (one 3-D volume each, one grid) into a hyperstack with frames = subjects.
	 *
	 * @param labels one per image, e.g. "sub-001 (SiteA)"; shown as slice labels
	 * @throws InputException if they do not fit in memory (the message names the files' folder)
	 */
	public static ImagePlus cohort(final String title, final List<Path> images,
		final List<String> labels)
	{
		final NiftiImage first = NiftiIO.read(images.get(0));
		final long voxels = first.header().voxelsPerVolume();
		if (!fitsInMemory(images.size(), voxels)) throw new InputException(title + ": " + images
			.size() + " images of " + first.header().sizeText() + " need " + 4L * images.size() *
				voxels / 1048576 + " MB, more than ImageJ has free; they are not shown. The files are in " +
			images.get(0).getParent() + ".");
		final ImagePlus head = NiftiImagePlus.toImagePlus(first, title);
		final int nz = head.getNSlices();
		final ImageStack stack = new ImageStack(head.getWidth(), head.getHeight());
		for (int j = 0; j < images.size(); j++) {
			final ImagePlus imp = j == 0 ? head : NiftiImagePlus.toImagePlus(NiftiIO.read(images.get(
				j)), title);
			for (int z = 1; z <= nz; z++)
				stack.addSlice(labels.get(j) + " z=" + z, imp.getStack().getProcessor(z));
		}
		final ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(1, nz, images.size());
		imp.setOpenAsHyperStack(true);
		imp.setCalibration(head.getCalibration());
		imp.setProperty(NiftiImagePlus.HEADER_PROPERTY, first.header());
		imp.setPosition(1, nz / 2 + 1, 1);
		final double[] range = percentileRange(imp, 0.5, 99.5);
		imp.setDisplayRange(range[0], range[1]);
		return imp;
	}

	/** Gives {@code target} the display range of {@code source}, so the two can be flipped. */
	public static void sameDisplayRange(final ImagePlus source, final ImagePlus target) {
		target.setDisplayRange(source.getDisplayRangeMin(), source.getDisplayRangeMax());
	}

	/**
	 * Shows a stack of signed values with {@link #divergingLut()}, a range symmetric about zero
	 * (the 99.5th percentile of |value|) and a calibration bar labelled {@code label}.
	 */
	public static void showAsDifference(final ImagePlus imp, final String label) {
		final double[] r = percentileRange(imp, 0.5, 99.5);
		showAsDifference(imp, Math.max(Math.abs(r[0]), Math.abs(r[1])), label);
	}

	/**
	 * Shows a stack of signed values with {@link #divergingLut()} from {@code -maxAbs} to
	 * {@code maxAbs} (-1 to 1 if it is 0) and a calibration bar labelled {@code label}.
	 */
	public static void showAsDifference(final ImagePlus imp, final double maxAbs,
		final String label)
	{
		final double m = maxAbs > 0 ? maxAbs : 1;
		imp.setLut(divergingLut());
		imp.setDisplayRange(-m, m);
		imp.setOverlay(CalibrationBars.bar(imp, divergingLut(), -m, m, label, Color.BLACK));
	}

	/**
	 * @return per-site mean of a subjects hyperstack: frames = sites, in the order of
	 *         {@code siteNames}
	 * @param site site index of each frame (subject)
	 */
	public static ImagePlus siteMeans(final ImagePlus subjects, final int[] site,
		final String[] siteNames, final String title)
	{
		final int nz = subjects.getNSlices(), w = subjects.getWidth(), h = subjects.getHeight();
		final ImageStack stack = new ImageStack(w, h);
		final ImageStack in = subjects.getStack();
		for (int s = 0; s < siteNames.length; s++) {
			int count = 0;
			for (final int b : site)
				if (b == s) count++;
			for (int z = 1; z <= nz; z++) {
				final double[] sum = new double[w * h];
				for (int t = 0; t < site.length; t++) {
					if (site[t] != s) continue;
					final float[] px = (float[]) in.getPixels(subjects.getStackIndex(1, z, t + 1));
					for (int i = 0; i < px.length; i++)
						sum[i] += px[i];
				}
				final float[] mean = new float[w * h];
				for (int i = 0; i < mean.length; i++)
					mean[i] = (float) (sum[i] / Math.max(1, count));
				stack.addSlice(siteNames[s] + " (n=" + count + ") z=" + z, mean);
			}
		}
		final ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(1, nz, siteNames.length);
		imp.setOpenAsHyperStack(true);
		imp.setCalibration(subjects.getCalibration());
		imp.setPosition(1, nz / 2 + 1, 1);
		return imp;
	}

	/**
	 * Shows an image at {@code (x, y)} on the screen, zoomed so that its longer side is about
	 * {@code size} pixels (small 2 mm brains are unreadable at 100 %).
	 */
	public static void showZoomed(final ImagePlus imp, final int x, final int y, final int size) {
		ImageWindow.setNextLocation(x, y);
		imp.show();
		final ImageWindow win = imp.getWindow();
		if (win == null) return;
		final int w = imp.getWidth(), h = imp.getHeight();
		final double mag = Math.max(1, Math.floor(size / (double) Math.max(w, h) * 4) / 4);
		final ImageCanvas canvas = win.getCanvas();
		canvas.setMagnification(mag);
		// Rounded up: a canvas one pixel short (91 x 3.5 = 318.5) shows 90 columns, at 349 %,
		// and cuts off the right edge, where the calibration bar is.
		canvas.setSize((int) Math.ceil(w * mag), (int) Math.ceil(h * mag));
		canvas.setSourceRect(new Rectangle(0, 0, w, h));
		win.pack();
		// setNextLocation can be taken by another window opening at the same time: place it again.
		win.setLocation(x, y);
		imp.updateAndDraw();
	}

	/** Blue (negative), white (zero), red (positive): a lookup table for signed maps. */
	public static LUT divergingLut() {
		final byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int i = 0; i < 256; i++) {
			final double t = (i - 127.5) / 127.5; // -1 .. 1
			final double a = Math.abs(t);
			// white at 0, saturating to (0.15, 0.3, 0.75) and (0.75, 0.1, 0.1)
			final double[] end = t < 0 ? new double[] { 0.13, 0.30, 0.75 } : new double[] { 0.75,
				0.10, 0.10 };
			r[i] = (byte) Math.round(255 * (1 - a + a * end[0]));
			g[i] = (byte) Math.round(255 * (1 - a + a * end[1]));
			b[i] = (byte) Math.round(255 * (1 - a + a * end[2]));
		}
		return new LUT(new IndexColorModel(8, 256, r, g, b), 0, 255);
	}

	/** The [lo, hi] percentiles of the finite non-zero values, from a sample of the stack. */
	static double[] percentileRange(final ImagePlus imp, final double lo, final double hi) {
		final ImageStack stack = imp.getStack();
		final int n = stack.getSize();
		final int step = Math.max(1, n / 64);
		float[] sample = new float[1 << 16];
		int count = 0;
		for (int s = 1; s <= n; s += step) {
			final float[] px = (float[]) stack.getProcessor(s).convertToFloat().getPixels();
			for (int i = 0; i < px.length; i += 7)
				if (px[i] != 0 && Float.isFinite(px[i])) {
					if (count == sample.length) sample = Arrays.copyOf(sample, 2 * count);
					sample[count++] = px[i];
				}
		}
		if (count == 0) return new double[] { 0, 1 };
		Arrays.sort(sample, 0, count);
		final double a = sample[(int) Math.min(count - 1, Math.floor(lo / 100 * count))];
		final double b = sample[(int) Math.min(count - 1, Math.floor(hi / 100 * count))];
		if (a == b) LogLines.log("HarmonIJ: " + imp.getTitle() + " is constant (" + a + ")");
		return a < b ? new double[] { a, b } : new double[] { a, a + 1 };
	}
}
