// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

/** The calibration bar of the difference maps: its range, its numbers and which end is which. */
class CalibrationBarsTest {

	@Test
	void aDifferenceStackGetsASymmetricRangeAndABarWithItsNumbers() {
		final ImageStack stack = new ImageStack(40, 80);
		for (int s = 0; s < 3; s++) {
			final float[] px = new float[40 * 80];
			for (int i = 0; i < px.length; i++)
				px[i] = (i % 40 - 20) / 40f; // -0.5 .. 0.475
			stack.addSlice(new FloatProcessor(40, 80, px));
		}
		final ImagePlus imp = new ImagePlus("Difference", stack);
		CohortStacks.showAsDifference(imp, "harmonised - original");
		final double m = imp.getDisplayRangeMax();
		assertEquals(-m, imp.getDisplayRangeMin(), "symmetric about 0");
		assertTrue(m > 0.45 && m <= 0.5, "the 99.5th percentile of |value|: " + m);
		final List<String> texts = new ArrayList<>();
		ImageRoi bar = null;
		for (final Roi r : imp.getOverlay().toArray()) {
			if (r instanceof TextRoi) texts.add(((TextRoi) r).getText().trim());
			if (r instanceof ImageRoi) bar = (ImageRoi) r;
			assertEquals(0, r.getPosition(), "on every slice");
		}
		assertTrue(texts.containsAll(List.of(CalibrationBars.format(m, true), "0", CalibrationBars
			.format(-m, true), "harmonised - original")), texts.toString());
		assertNotNull(bar);
		// the top of the bar is the positive end (red), the bottom the negative end (blue)
		final ImageProcessor ip = bar.getProcessor();
		final int top = ip.getPixel(0, 0), bottom = ip.getPixel(0, ip.getHeight() - 1);
		assertTrue(red(top) > blue(top) + 100, Integer.toHexString(top));
		assertTrue(blue(bottom) > red(bottom) + 100, Integer.toHexString(bottom));
		assertEquals(imp.getWidth() - 2, bar.getBounds().x + bar.getBounds().width, "right edge");
	}

	@Test
	void numbersAreShortAndSignedWhereTheScaleIs() {
		assertEquals("+0.685", CalibrationBars.format(0.685, true));
		assertEquals("-0.685", CalibrationBars.format(-0.685, true));
		assertEquals("0.0043", CalibrationBars.format(0.0043, false));
		assertEquals("24.4", CalibrationBars.format(24.43, false));
		assertEquals("1.50", CalibrationBars.format(1.5, false));
		assertEquals("100", CalibrationBars.format(100, false));
		assertEquals("0", CalibrationBars.format(0, true));
	}

	private static int red(final int rgb) {
		return (rgb >> 16) & 0xff;
	}

	private static int blue(final int rgb) {
		return rgb & 0xff;
	}
}
