// SPDX-License-Identifier: MIT
package io.github.harmonij.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import javax.imageio.ImageIO;

import ij.gui.Plot;
import ij.plugin.LutLoader;

import io.github.harmonij.io.NiftiImage;

/**
 * The figures of the evidence report, drawn without a display (java.awt.headless=true works):
 * montages of axial slices of a statistic map in ImageJ's "Fire" lookup table with a shared colour
 * scale and a calibration bar, and box plots of residuals by site drawn with ImageJ's {@link Plot}.
 */
public final class EvidenceFigures {

	/** Axial slices per montage row. */
	static final int SLICES = 6;

	/** Largest sideways shift of a box plot's point from its box's centre, in box widths (0.5). */
	static final double JITTER = 0.09;

	/** Seed of the points' sideways shifts. */
	private static final long JITTER_SEED = 20_240_613;

	private EvidenceFigures() {}

	/**
	 * A row of axial slices of a map. Voxels outside the map's support (exactly 0 and the mask
	 * voxels of {@code support}) are white; NaN voxels are grey; values map linearly from 0 to
	 * {@code vmax} onto the Fire lookup table (clipped).
	 *
	 * @param support voxels inside the mask (same grid)
	 * @param slices the z indices to show
	 * @param title drawn top-left, e.g. "before"
	 */
	public static BufferedImage montage(final NiftiImage map, final boolean[] support,
		final int[] slices, final double vmax, final String title)
	{
		final int nx = map.header().nx(), ny = map.header().ny();
		final int scale = Math.max(1, Math.round(180f / nx));
		final int tw = nx * scale, th = ny * scale, top = 26;
		final BufferedImage img = new BufferedImage(tw * slices.length, th + top,
			BufferedImage.TYPE_INT_RGB);
		final Graphics2D g = img.createGraphics();
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, img.getWidth(), img.getHeight());
		final int[] lut = fire();
		final float[] data = map.data();
		final double[][] affine = map.header().affine();
		for (int s = 0; s < slices.length; s++) {
			final int z = slices[s];
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++) {
					final int v = x + nx * (y + ny * z);
					if (!support[v]) continue;
					final float value = data[v];
					final int rgb = Float.isNaN(value) ? 0x909090 : lut[(int) Math.round(255 * Math.max(0,
						Math.min(1, value / vmax)))];
					// Anterior (high y) at the top
					final int px = s * tw + x * scale, py = top + (ny - 1 - y) * scale;
					for (int dy = 0; dy < scale; dy++)
						for (int dx = 0; dx < scale; dx++)
							img.setRGB(px + dx, py + dy, rgb);
				}
			g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
				RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			g.setColor(Color.DARK_GRAY);
			g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
			final double zmm = affine[2][2] * z + affine[2][3] + affine[2][0] * nx / 2.0 + affine[2][1] *
				ny / 2.0;
			g.drawString(String.format(Locale.ROOT, "z = %.0f mm", zmm), s * tw + 4, top - 6);
		}
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
		g.setColor(Color.BLACK);
		final int w = g.getFontMetrics().stringWidth(title);
		g.drawString(title, img.getWidth() - w - 6, top - 6);
		g.dispose();
		return img;
	}

	/**
	 * @return {@link #SLICES} axial slices evenly spaced through the middle 80 % of the z range
	 *         that has mask voxels
	 */
	public static int[] axialSlices(final boolean[] support, final int nx, final int ny,
		final int nz)
	{
		int zmin = nz, zmax = -1;
		for (int z = 0; z < nz; z++)
			for (int i = 0; i < nx * ny; i++)
				if (support[z * nx * ny + i]) {
					zmin = Math.min(zmin, z);
					zmax = Math.max(zmax, z);
					break;
				}
		if (zmax < 0) return new int[] { nz / 2 };
		final double lo = zmin + 0.12 * (zmax - zmin), hi = zmax - 0.12 * (zmax - zmin);
		final int[] z = new int[SLICES];
		for (int s = 0; s < SLICES; s++)
			z[s] = (int) Math.round(lo + (hi - lo) * s / (SLICES - 1));
		return z;
	}

	/**
	 * A horizontal calibration bar for {@link #montage}: the Fire scale from 0 to vmax, with
	 * ticks, a label, and an optional marked threshold (e.g. the FDR cut-off).
	 *
	 * @param threshold a value to mark, or NaN
	 */
	public static BufferedImage colourBar(final double vmax, final String label,
		final double threshold, final String thresholdLabel)
	{
		final int w = 420, h = 62, x0 = 20, bw = 380, bh = 14, y0 = 22;
		final BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
		final Graphics2D g = img.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
			RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, w, h);
		final int[] lut = fire();
		for (int i = 0; i < bw; i++) {
			g.setColor(new Color(lut[Math.round(255f * i / (bw - 1))]));
			g.drawLine(x0 + i, y0, x0 + i, y0 + bh);
		}
		g.setColor(Color.DARK_GRAY);
		g.drawRect(x0, y0, bw, bh);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		g.setColor(Color.BLACK);
		g.drawString(label, x0, 14);
		for (int t = 0; t <= 4; t++) {
			final double v = vmax * t / 4;
			final int x = x0 + (int) Math.round((bw - 1) * t / 4.0);
			g.drawLine(x, y0 + bh, x, y0 + bh + 4);
			final String s = String.format(Locale.ROOT, t == 4 ? "\u2265%.3g" : "%.3g", v);
			final int sw = g.getFontMetrics().stringWidth(s);
			g.drawString(s, Math.max(0, Math.min(w - sw, x - sw / 2)), y0 + bh + 17);
		}
		if (Double.isFinite(threshold) && threshold <= vmax) {
			final int x = x0 + (int) Math.round((bw - 1) * threshold / vmax);
			g.setColor(new Color(0x1f77b4));
			g.setStroke(new BasicStroke(2));
			g.drawLine(x, y0 - 4, x, y0 + bh + 4);
			final String text = String.format(Locale.ROOT, "\u2502 %s = %.3g", thresholdLabel,
				threshold);
			final int sw = g.getFontMetrics().stringWidth(text);
			g.drawString(text, w - sw - 4, 14);
		}
		g.dispose();
		return img;
	}

	/**
	 * Box plots of values by group (e.g. residuals by site), groups ordered by their mean, drawn
	 * with ImageJ's {@link Plot}: box from the first to the third quartile, a line at the median,
	 * whiskers to the furthest values within 1.5 interquartile ranges, every value as a point
	 * (shifted sideways at random, seeded), and a dashed line at 0.
	 *
	 * @param groups group name per value
	 * @param order the groups in display order, or null to order by increasing mean
	 * @param yRange {min, max} of the y axis, or null to fit the data
	 * @return the plot (an ImageJ Plot, for showing or saving)
	 */
	public static Plot boxPlot(final String title, final String yLabel, final double[] values,
		final String[] groups, final List<String> order, final double[] yRange)
	{
		final Map<String, List<Double>> byGroup = new LinkedHashMap<>();
		for (int i = 0; i < values.length; i++)
			if (Double.isFinite(values[i])) byGroup.computeIfAbsent(groups[i], k -> new ArrayList<>())
				.add(values[i]);
		final List<String> names = order != null ? order : orderByMean(values, groups);
		// ImageJ draws an axis label in braces as category names at x = 0, 1, 2...
		final List<String> categories = new ArrayList<>();
		for (final String name : names)
			categories.add(name.replace(',', ';').replace('{', '(').replace('}', ')') + " (n=" + byGroup
				.getOrDefault(name, new ArrayList<>()).size() + ")");
		final Plot plot = new Plot(title, "{" + String.join(",", categories) + "}", yLabel);
		plot.setSize(520, 340);
		final double[] range = yRange != null ? yRange : range(values);
		plot.setLimits(-0.6, names.size() - 0.4, range[0], range[1]);
		plot.setFormatFlags(Plot.X_NUMBERS | Plot.Y_NUMBERS | Plot.Y_TICKS | Plot.Y_GRID);
		plot.setColor(Color.GRAY);
		plot.setLineWidth(1);
		plot.drawDottedLine(-0.6, 0, names.size() - 0.4, 0, 3);
		for (int g = 0; g < names.size(); g++) {
			final List<Double> list = byGroup.getOrDefault(names.get(g), new ArrayList<>());
			if (list.isEmpty()) continue;
			final double[] v = list.stream().mapToDouble(Double::doubleValue).sorted().toArray();
			final double q1 = quantile(v, 0.25), med = quantile(v, 0.5), q3 = quantile(v, 0.75);
			final double iqr = q3 - q1;
			double lo = q1, hi = q3;
			for (final double x : v) {
				if (x >= q1 - 1.5 * iqr) lo = Math.min(lo, x);
				if (x <= q3 + 1.5 * iqr) hi = Math.max(hi, x);
			}
			final double x = g, half = 0.25;
			plot.setColor(new Color(0x1f77b4));
			plot.setLineWidth(2);
			plot.drawLine(x - half, q1, x + half, q1);
			plot.drawLine(x - half, q3, x + half, q3);
			plot.drawLine(x - half, q1, x - half, q3);
			plot.drawLine(x + half, q1, x + half, q3);
			plot.drawLine(x, q3, x, hi);
			plot.drawLine(x, q1, x, lo);
			plot.drawLine(x - half / 2, hi, x + half / 2, hi);
			plot.drawLine(x - half / 2, lo, x + half / 2, lo);
			plot.setColor(new Color(0xd62728));
			plot.setLineWidth(3);
			plot.drawLine(x - half, med, x + half, med);
			final double[] px = jitter(v.length, g);
			for (int i = 0; i < v.length; i++)
				px[i] += x;
			plot.setColor(new Color(0, 0, 0, 120));
			plot.setLineWidth(1);
			plot.addPoints(px, v, Plot.CIRCLE);
		}
		plot.setColor(Color.BLACK);
		plot.addLabel(0.02, 0.08, title);
		return plot;
	}

	/**
	 * Writes box plots of per-feature residuals by site, before (and after) side by side on one
	 * scale, as {@code NN_name.png}; the sites are ordered by mean residual before.
	 *
	 * @param dir an existing folder
	 * @param names the features' names
	 * @param before residuals {@code [subject][feature]}
	 * @param after the same after harmonisation, or null
	 * @param sites each subject's site
	 * @param features the features to plot, in this order (files numbered from 01)
	 * @param canceled checked before each plot
	 * @throws CancellationException if canceled
	 */
	public static void writeBoxPlots(final Path dir, final List<String> names,
		final double[][] before, final double[][] after, final String[] sites, final int[] features,
		final BooleanSupplier canceled) throws IOException
	{
		for (int i = 0; i < features.length; i++) {
			if (canceled.getAsBoolean()) throw new CancellationException();
			final int k = features[i];
			final double[] b = column(before, k);
			final double[] a = after != null ? column(after, k) : null;
			final double[] range = a != null ? range(b, a) : range(b);
			final List<String> siteOrder = orderByMean(b, sites);
			final String label = names.get(k) + " residual";
			final BufferedImage left = image(boxPlot(a != null ? names.get(k) + ": before" : names
				.get(k), label, b, sites, siteOrder, range));
			final BufferedImage img = a == null ? left : sideBySide(left, image(boxPlot(names.get(k) +
				": after", label, a, sites, siteOrder, range)));
			final String file = String.format(Locale.ROOT, "%02d_%s.png", i + 1, names.get(k)
				.replaceAll("[^A-Za-z0-9._-]", "_"));
			Files.write(dir.resolve(file), png(img));
		}
	}

	private static double[] column(final double[][] m, final int c) {
		final double[] v = new double[m.length];
		for (int j = 0; j < m.length; j++)
			v[j] = m[j][c];
		return v;
	}

	/** @return group names ordered by increasing mean of their finite values */
	public static List<String> orderByMean(final double[] values, final String[] groups) {
		final Map<String, double[]> sums = new LinkedHashMap<>();
		for (int i = 0; i < values.length; i++)
			if (Double.isFinite(values[i])) {
				final double[] s = sums.computeIfAbsent(groups[i], k -> new double[2]);
				s[0] += values[i];
				s[1]++;
			}
		final List<String> names = new ArrayList<>(sums.keySet());
		names.sort((a, b) -> Double.compare(sums.get(a)[0] / sums.get(a)[1], sums.get(b)[0] / sums
			.get(b)[1]));
		return names;
	}

	/** @return {min, max} of the finite values of all arrays, padded by 5 %, or {-1, 1} */
	public static double[] range(final double[]... arrays) {
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (final double[] a : arrays)
			for (final double v : a)
				if (Double.isFinite(v)) {
					lo = Math.min(lo, v);
					hi = Math.max(hi, v);
				}
		if (lo > hi) return new double[] { -1, 1 };
		final double pad = hi > lo ? 0.08 * (hi - lo) : Math.max(1e-12, Math.abs(hi) * 0.1);
		return new double[] { lo - pad, hi + pad };
	}

	/** @return the plot as an RGB image */
	public static BufferedImage image(final Plot plot) {
		return plot.getImagePlus().getBufferedImage();
	}

	/** @return PNG bytes of an image */
	public static byte[] png(final BufferedImage img) {
		try {
			final ByteArrayOutputStream out = new ByteArrayOutputStream();
			ImageIO.write(img, "png", out);
			return out.toByteArray();
		}
		catch (final IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Places images side by side on white, with a gap. */
	public static BufferedImage sideBySide(final BufferedImage... images) {
		int w = 0, h = 0;
		for (final BufferedImage i : images) {
			w += i.getWidth() + 16;
			h = Math.max(h, i.getHeight());
		}
		final BufferedImage out = new BufferedImage(w - 16, h, BufferedImage.TYPE_INT_RGB);
		final Graphics2D g = out.createGraphics();
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, out.getWidth(), h);
		int x = 0;
		for (final BufferedImage i : images) {
			g.drawImage(i, x, 0, null);
			x += i.getWidth() + 16;
		}
		g.dispose();
		return out;
	}

	// -- Helper methods --

	/** ImageJ's Fire lookup table as 256 RGB values. */
	static int[] fire() {
		final IndexColorModel cm = LutLoader.getLut("fire");
		final int[] rgb = new int[256];
		for (int i = 0; i < 256; i++)
			rgb[i] = cm.getRed(i) << 16 | cm.getGreen(i) << 8 | cm.getBlue(i);
		return rgb;
	}

	/**
	 * Sideways shifts of a box plot's points, so that ties stay visible: at random, since shifts by
	 * rank drew the sorted values as a diagonal streak that read as a regression line; seeded by
	 * the group's place, so the same data give the same figure.
	 *
	 * @return n shifts in [-{@link #JITTER}, {@link #JITTER})
	 */
	static double[] jitter(final int n, final int group) {
		final Random random = new Random(JITTER_SEED + group);
		final double[] dx = new double[n];
		for (int i = 0; i < n; i++)
			dx[i] = (random.nextDouble() - 0.5) * 2 * JITTER;
		return dx;
	}

	/** R's default quantile (type 7) of sorted values. */
	static double quantile(final double[] sorted, final double p) {
		final double h = (sorted.length - 1) * p;
		final int lo = (int) Math.floor(h);
		final int hi = Math.min(sorted.length - 1, lo + 1);
		return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
	}
}
