// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.TextRoi;
import ij.plugin.LutLoader;
import ij.process.ColorProcessor;
import ij.process.LUT;

import io.github.harmonij.ij1.NiftiImagePlus;
import io.github.harmonij.io.NiftiIO;

/**
 * Site-effect maps in ImageJ: -log10 p of the site F test before and after harmonisation, with
 * one hot lookup table and one display range for both (so the eye compares like with like) and a
 * calibration bar drawn as an overlay.
 */
public final class SiteEffectViewer {

	/** The file name of a site-effect map (-log10 p of the site test). */
	private static final String MAP = "site_neglog10p.nii.gz";

	private SiteEffectViewer() {}

	/**
	 * @param dir a folder with {@code before/} and {@code after/} (a harmonisation run's
	 *          {@code site_effects}), or the output folder of Site Effect Maps (one map)
	 * @return the images, ready to show, before first; empty if the folder has no maps
	 */
	public static List<ImagePlus> open(final Path dir) {
		final List<ImagePlus> list = new ArrayList<>();
		if (Files.exists(dir.resolve("before").resolve(MAP))) {
			list.add(map(dir.resolve("before").resolve(MAP), "Site effect before, -log10 p"));
			list.add(map(dir.resolve("after").resolve(MAP), "Site effect after, -log10 p"));
		}
		else if (Files.exists(dir.resolve(MAP))) list.add(map(dir.resolve(MAP),
			"Site effect, -log10 p"));
		if (list.isEmpty()) return list;
		double max = 0;
		for (final ImagePlus imp : list)
			max = Math.max(max, CohortStacks.percentileRange(imp, 0.5, 99.5)[1]);
		if (max <= 0) max = 1;
		for (final ImagePlus imp : list) {
			imp.setLut(hot());
			imp.setDisplayRange(0, max);
			imp.setOverlay(calibrationBar(imp, 0, max, "-log10 p"));
		}
		return list;
	}

	/**
	 * Opens the maps of {@code dir} ({@link #open}) and shows them side by side from (x, y),
	 * zoomed to about {@code size} pixels.
	 *
	 * @return the x after the last window shown
	 */
	public static int show(final Path dir, final int x, final int y, final int size) {
		int next = x;
		for (final ImagePlus map : open(dir)) {
			CohortStacks.showZoomed(map, next, y, size);
			if (map.getWindow() != null) next += map.getWindow().getWidth() + 8;
		}
		return next;
	}

	private static ImagePlus map(final Path file, final String title) {
		final ImagePlus imp = NiftiImagePlus.toImagePlus(NiftiIO.read(file), title);
		imp.setSlice(imp.getNSlices() / 2 + 1);
		return imp;
	}

	/** ImageJ's "Fire" lookup table: the colours of the report's maps (EvidenceFigures). */
	static LUT hot() {
		return new LUT(LutLoader.getLut("fire"), 0, 255);
	}

	/** A vertical colour bar with its range and label, at the right edge of the image. */
	static Overlay calibrationBar(final ImagePlus imp, final double min, final double max,
		final String label)
	{
		final int h = Math.max(40, imp.getHeight() * 2 / 3), w = Math.max(4, imp.getWidth() / 25);
		final LUT lut = hot();
		final BufferedImage bar = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < h; y++) {
			final int i = 255 - y * 255 / (h - 1);
			final int rgb = (lut.getRed(i) << 16) | (lut.getGreen(i) << 8) | lut.getBlue(i);
			for (int x = 0; x < w; x++)
				bar.setRGB(x, y, rgb);
		}
		final int x0 = imp.getWidth() - w - 2, y0 = (imp.getHeight() - h) / 2;
		final Overlay overlay = new Overlay();
		overlay.add(new ImageRoi(x0, y0, new ColorProcessor(bar)));
		final Font font = new Font("SansSerif", Font.PLAIN, Math.max(6, imp.getHeight() / 14));
		final TextRoi top = new TextRoi(String.format("%.1f", max), 1, y0, font);
		top.setStrokeColor(Color.WHITE);
		final TextRoi bottom = new TextRoi(String.format("%.1f", min), 1, y0 + h - font.getSize() -
			2, font);
		bottom.setStrokeColor(Color.WHITE);
		final TextRoi name = new TextRoi(label, 1, imp.getHeight() - font.getSize() - 4, font);
		name.setStrokeColor(Color.WHITE);
		overlay.add(top);
		overlay.add(bottom);
		overlay.add(name);
		return overlay;
	}
}
