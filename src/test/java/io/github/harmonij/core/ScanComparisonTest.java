// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.Test;

/** Difference maps and agreement numbers of two scans, against values worked by hand. */
class ScanComparisonTest {

	/** Double sums of a handful of floats. */
	private static final double ALGEBRA_TOL = 1e-12;

	@Test
	void numbersByHand() {
		// Voxel 0 is background in both (left out); voxel 4 is outside the mask.
		final float[] a = { 0, 1, 2, 3, 9 }, b = { 0, 2, 2, 5, 1 };
		final boolean[] mask = { true, true, true, true, false };
		final ScanComparison c = ScanComparison.compare(a, b, mask, () -> false);
		// The mask overrules the background rule: voxel 0 (0, 0) counts.
		assertEquals(4, c.nVoxels());
		assertEquals(1.5, c.meanA(), ALGEBRA_TOL);
		assertEquals(2.25, c.meanB(), ALGEBRA_TOL);
		assertArrayEquals(new float[] { 0, 1, 0, 2, 0 }, c.difference());
		assertEquals(0.75, c.meanDifference(), ALGEBRA_TOL);
		assertEquals(0.75, c.meanAbsDifference(), ALGEBRA_TOL);
		// differences 0, 1, 0, 2 about 0.75: 0.5625 + 0.0625 + 0.5625 + 1.5625 = 2.75, / 3
		assertEquals(Math.sqrt(2.75 / 3), c.sdDifference(), ALGEBRA_TOL);
		// percent: 100 * 1 / 1.5, 0, 100 * 2 / 4
		assertEquals((100 / 1.5 + 50) / 4, c.meanAbsPercentDifference(), 1e-5);
		assertEquals(0f, c.percentDifference()[4]);
	}

	@Test
	void withoutMaskBackgroundIsLeftOutAndLinearScansCorrelatePerfectly() {
		final float[] a = new float[100], b = new float[100];
		for (int i = 50; i < 100; i++) {
			a[i] = i;
			b[i] = 2 * i + 3;
		}
		final ScanComparison c = ScanComparison.compare(a, b, null, () -> false);
		assertEquals(50, c.nVoxels());
		assertEquals(1.0, c.correlation(), ALGEBRA_TOL);
		final long[][] h = ScanComparison.jointHistogram(a, b, null, 10, 0, 300);
		long total = 0;
		for (final long[] row : h)
			for (final long n : row)
				total += n;
		assertEquals(50, total);
	}

	@Test
	void percentDifferenceIsSymmetric() {
		final float[] a = { 1, 4 }, b = { 3, 2 };
		final ScanComparison ab = ScanComparison.compare(a, b, null, () -> false);
		final ScanComparison ba = ScanComparison.compare(b, a, null, () -> false);
		for (int i = 0; i < a.length; i++)
			assertEquals(-ab.percentDifference()[i], ba.percentDifference()[i]);
		assertEquals(100f, ab.percentDifference()[0]);
	}

	@Test
	void badInputAndCancel() {
		final InputException e = assertThrows(InputException.class, () -> ScanComparison.compare(
			new float[3], new float[4], null, () -> false));
		assertTrue(e.getMessage().contains("3 and 4 voxels"), e.getMessage());
		assertThrows(InputException.class, () -> ScanComparison.compare(new float[3],
			new float[3], null, () -> false));
		assertThrows(CancellationException.class, () -> ScanComparison.compare(new float[] { 1 },
			new float[] { 2 }, null, () -> true));
	}
}
