// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.Locale;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Line;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.process.ColorProcessor;
import ij.process.LUT;

/**
 * Calibration bars for the maps HarmonIJ shows, drawn as an image overlay: an ImageJ window has
 * no room beside its image, and an overlay follows the zoom and every slice of a stack without
 * changing a pixel, so the value under the cursor stays the data. The bar stands at the right
 * edge of the image with its top and bottom values (and 0, on a bar that spans it) beside it;
 * its label, and the legend of a marked threshold, are at the bottom left.
 */
final class CalibrationBars {

	/**
	 * Colour of a marked threshold: the report's blue mark (EvidenceFigures.colourBar), lighter,
	 * so that it shows on the dark end of the Fire scale too.
	 */
	static final Color MARK = new Color(0x5ab4f0);

	private CalibrationBars() {}

	/**
	 * @param lut the lookup table the image is shown with, from {@code min} to {@code max}
	 * @param text colour of the numbers and the label: white on a dark background, black on white
	 * @return an overlay with the bar, its values and {@code label}
	 */
	static Overlay bar(final ImagePlus imp, final LUT lut, final double min, final double max,
		final String label, final Color text)
	{
		final Geometry g = new Geometry(imp);
		final BufferedImage bar = new BufferedImage(g.w, g.h, BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < g.h; y++) {
			final int i = 255 - y * 255 / (g.h - 1);
			final int rgb = (lut.getRed(i) << 16) | (lut.getGreen(i) << 8) | lut.getBlue(i);
			for (int x = 0; x < g.w; x++)
				bar.setRGB(x, y, rgb);
		}
		final Overlay overlay = new Overlay();
		overlay.add(new ImageRoi(g.x0, g.y0, new ColorProcessor(bar)));
		// A frame, so that a bar whose middle is white (differences) still shows on white.
		final Roi frame = new Roi(g.x0 - 1, g.y0 - 1, g.w + 2, g.h + 2);
		frame.setStrokeColor(Color.GRAY);
		overlay.add(frame);
		final boolean signed = min < 0 && max > 0;
		final int right = g.x0 - 2;
		overlay.add(rightAligned(format(max, signed), right, g.y0, g.font, text));
		if (signed) overlay.add(rightAligned("0", right, g.y(0, min, max) - g.line / 2, g.font,
			text));
		overlay.add(rightAligned(format(min, signed), right, g.y0 + g.h - g.line, g.font, text));
		overlay.add(text(label, 1, imp.getHeight() - g.line - 1, g.font, text));
		return overlay;
	}

	/**
	 * Marks {@code value} on the bar that {@link #bar} drew with the same {@code min} and
	 * {@code max}, with a line across it, and writes {@code legend} above the bar's label, both in
	 * {@link #MARK} blue. A value outside the range gets the legend only.
	 *
	 * @param frame the frame of a hyperstack that the mark belongs to (from 1), or 0 for all
	 */
	static void mark(final Overlay overlay, final ImagePlus imp, final double min,
		final double max, final double value, final String legend, final int frame)
	{
		final Geometry g = new Geometry(imp);
		final Roi[] rois = new Roi[2];
		if (value >= min && value <= max) {
			final int y = g.y(value, min, max);
			rois[0] = new Line(g.x0 - 4, y, g.x0 + g.w + 1, y);
			rois[0].setStrokeColor(MARK);
			rois[0].setStrokeWidth(1.5); // wider than 1, so it grows with the zoom
		}
		rois[1] = text(legend, 1, imp.getHeight() - 2 * g.line - 1, g.font, MARK);
		for (final Roi roi : rois)
			if (roi != null) {
				if (frame > 0) roi.setPosition(0, 0, frame);
				overlay.add(roi);
			}
	}

	/** @return the font of the bars' text on {@code imp}: a fourteenth of its height */
	static Font font(final ImagePlus imp) {
		return new Font("SansSerif", Font.PLAIN, Math.max(6, imp.getHeight() / 14));
	}

	/**
	 * @return {@code v} in at most 4 significant digits, with a "+" on a positive value of a
	 *         signed scale
	 */
	static String format(final double v, final boolean signed) {
		if (v == 0) return "0";
		final double a = Math.abs(v);
		String s = String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1
			? "%.2f" : "%.3g", v);
		// %.3g pads small numbers with zeros (-0.00430); they say nothing
		if (a < 1 && s.indexOf('e') < 0) s = s.replaceAll("0+$", "");
		return signed && v > 0 ? "+" + s : s;
	}

	/**
	 * @return {@code s} with its top left corner at (x, y), on a half-transparent background of
	 *         the opposite brightness, so that it can be read over the image too
	 */
	static TextRoi text(final String s, final int x, final int y, final Font font,
		final Color colour)
	{
		final TextRoi roi = new TextRoi(x, y, s, font);
		roi.setStrokeColor(colour);
		final boolean light = colour.getRed() + colour.getGreen() + colour.getBlue() > 3 * 128;
		roi.setFillColor(light ? new Color(0, 0, 0, 190) : new Color(255, 255, 255, 170));
		return roi;
	}

	/** @return {@link #text} that ends at x = {@code right} */
	static TextRoi rightAligned(final String s, final int right, final int y, final Font font,
		final Color colour)
	{
		final TextRoi roi = text(s, right, y, font, colour);
		roi.setLocation(right - roi.getBounds().width, y);
		return roi;
	}

	// -- Helper methods --

	/** Where the bar goes in an image: two thirds of its height, centred, at the right edge. */
	private static final class Geometry {

		final int h, w, x0, y0;

		final Font font;

		/** Height of a line of text in {@link #font}. */
		final int line;

		Geometry(final ImagePlus imp) {
			h = Math.max(40, imp.getHeight() * 2 / 3);
			w = Math.max(4, imp.getWidth() / 25);
			x0 = imp.getWidth() - w - 2;
			y0 = (imp.getHeight() - h) / 2;
			font = font(imp);
			line = new TextRoi(0, 0, "0", font).getBounds().height;
		}

		/** @return the row of the bar that shows {@code v} */
		int y(final double v, final double min, final double max) {
			return y0 + (int) Math.round((h - 1) * (max - v) / (max - min));
		}
	}
}
