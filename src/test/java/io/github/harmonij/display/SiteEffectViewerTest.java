// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Line;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;

import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;

/**
 * What the site-effect windows show, on maps written by hand: every test's map (site effect,
 * unequal variance, covariate of interest), one scale for before and after, and on each map's
 * bar its own FDR threshold.
 */
class SiteEffectViewerTest {

	/** A map: 30 x 60 voxels, 2 slices, -log10 p rising along x from 0 to 10. */
	private static final int NX = 30, NY = 60, NZ = 2;

	@TempDir
	Path tmp;

	@Test
	void beforeAndAfterShowEveryTestWithItsFdrThreshold() throws Exception {
		final Path dir = tmp.resolve("site_effects");
		// significant from -log10 p = 2 (site, before), 3 and 4 (unequal variance); none after
		writeFolder(dir.resolve("before"), 2, 3, 6);
		writeFolder(dir.resolve("after"), Double.NaN, 4, 7);
		final List<ImagePlus> maps = SiteEffectViewer.open(dir);
		assertEquals(List.of("Site effect before, -log10 p", "Site effect after, -log10 p",
			"Unequal variance, -log10 p", "Covariate of interest (age), -log10 p"), titles(maps));
		final ImagePlus before = maps.get(0), after = maps.get(1);
		assertEquals(before.getDisplayRangeMax(), after.getDisplayRangeMax(), "one scale");
		assertEquals(0, before.getDisplayRangeMin());
		assertMarkAt(before.getOverlay(), 2, before.getDisplayRangeMax(), 0);
		assertNotNull(text(before.getOverlay(), "FDR q=0.05: 2.00", 0), texts(before));
		assertNull(mark(after.getOverlay(), 0), "nothing significant after: no mark");
		assertNotNull(text(after.getOverlay(), "FDR q=0.05: none", 0), texts(after));
		// the other tests: one window each, frames before and after, each frame its own mark
		final ImagePlus variance = maps.get(2);
		assertEquals(2, variance.getNFrames());
		assertEquals(NZ, variance.getNSlices());
		assertTrue(variance.getStack().getSliceLabel(1).startsWith("before"));
		assertTrue(variance.getStack().getSliceLabel(NZ + 1).startsWith("after"));
		assertMarkAt(variance.getOverlay(), 3, variance.getDisplayRangeMax(), 1);
		assertMarkAt(variance.getOverlay(), 4, variance.getDisplayRangeMax(), 2);
		assertNotNull(text(variance.getOverlay(), "before", 1), texts(variance));
		assertNotNull(text(variance.getOverlay(), "after", 2), texts(variance));
		assertNotNull(text(maps.get(3).getOverlay(), "FDR q=0.05: 7.00", 2), texts(maps.get(3)));
	}

	@Test
	void oneFolderShowsOneWindowPerTest() throws Exception {
		writeFolder(tmp, 2, 3, 6);
		final List<ImagePlus> maps = SiteEffectViewer.open(tmp);
		assertEquals(List.of("Site effect, -log10 p", "Unequal variance, -log10 p",
			"Covariate of interest (age), -log10 p"), titles(maps));
		for (final ImagePlus imp : maps) {
			assertEquals(1, imp.getNFrames());
			assertEquals(1, count(imp.getOverlay(), ImageRoi.class), "a calibration bar");
			assertNotNull(text(imp.getOverlay(), "-log10 p", 0), texts(imp));
		}
		assertMarkAt(maps.get(1).getOverlay(), 3, maps.get(1).getDisplayRangeMax(), 0);
	}

	@Test
	void theThresholdIsTheSmallestSignificantValue() {
		assertEquals(1.5, SiteEffectViewer.fdrThreshold(new float[] { 3, 1.5f, 1.4f, Float.NaN },
			new float[] { 1, 1, 0, 0 }));
		assertTrue(Double.isNaN(SiteEffectViewer.fdrThreshold(new float[] { 3 }, new float[] {
			0 })));
	}

	// -- Helper methods --

	/**
	 * Writes maps of the three tests into {@code folder}: -log10 p = x / 3 (0 to 9.7), FDR 1 from
	 * the given thresholds on (NaN: nowhere), and a summary.csv naming q and the covariate.
	 */
	private static void writeFolder(final Path folder, final double site, final double variance,
		final double interest) throws Exception
	{
		Files.createDirectories(folder);
		final NiftiHeader h = NiftiHeader.builder().size(NX, NY, NZ, 1).build();
		final String[] prefixes = { "site", "levene", "interest" };
		final double[] thresholds = { site, variance, interest };
		for (int t = 0; t < prefixes.length; t++) {
			final float[] p = new float[NX * NY * NZ], fdr = new float[p.length];
			for (int i = 0; i < p.length; i++) {
				p[i] = (i % NX) / 3f;
				fdr[i] = p[i] >= thresholds[t] ? 1 : 0;
			}
			NiftiIO.write(folder.resolve(prefixes[t] + "_neglog10p.nii.gz"), h, p, 1);
			NiftiIO.write(folder.resolve(prefixes[t] + "_fdr.nii.gz"), h, fdr, 1);
		}
		Files.writeString(folder.resolve("summary.csv"), "test,statistic,q\nsite,F,0.05\n" +
			"variance_brown_forsythe,F,0.05\ninterest:age,t,0.05\n");
	}

	/**
	 * Checks that a mark of {@code frame} crosses the bar at the height of {@code value} on a
	 * scale from 0 (the bar's bottom row) to {@code max} (its top row).
	 */
	private static void assertMarkAt(final Overlay o, final double value, final double max,
		final int frame)
	{
		final Line mark = mark(o, frame);
		assertNotNull(mark, "a mark in frame " + frame);
		assertNotNull(find(o, ImageRoi.class), "a bar");
		final Rectangle bar = find(o, ImageRoi.class).getBounds();
		assertTrue(mark.x1d < bar.x && mark.x2d > bar.x + bar.width - 1, "across the bar");
		final double expected = bar.y + (bar.height - 1) * (1 - value / max);
		assertEquals(expected, mark.y1d, 1, "the row of " + value + " on 0.." + max);
	}

	private static Line mark(final Overlay o, final int frame) {
		for (final Roi r : o.toArray())
			if (r instanceof Line && r.getTPosition() == frame) return (Line) r;
		return null;
	}

	private static TextRoi text(final Overlay o, final String s, final int frame) {
		for (final Roi r : o.toArray())
			if (r instanceof TextRoi && ((TextRoi) r).getText().trim().equals(s) && r
				.getTPosition() == frame) return (TextRoi) r;
		return null;
	}

	private static Roi find(final Overlay o, final Class<?> type) {
		for (final Roi r : o.toArray())
			if (type.isInstance(r)) return r;
		return null;
	}

	private static int count(final Overlay o, final Class<?> type) {
		int n = 0;
		for (final Roi r : o.toArray())
			if (type.isInstance(r)) n++;
		return n;
	}

	/** @return the texts of the overlay, each with its frame, for a failure message */
	private static String texts(final ImagePlus imp) {
		final List<String> list = new ArrayList<>();
		for (final Roi r : imp.getOverlay().toArray())
			if (r instanceof TextRoi) list.add(((TextRoi) r).getText().trim() + "@t" + r
				.getTPosition());
		return list.toString();
	}

	private static List<String> titles(final List<ImagePlus> maps) {
		final List<String> list = new ArrayList<>();
		for (final ImagePlus imp : maps)
			list.add(imp.getTitle());
		return list;
	}
}
