// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.function.BooleanSupplier;
import java.util.concurrent.CancellationException;

/**
 * The travelling-head view of two co-registered scans of one person from two scanners, A and B:
 * voxelwise difference {@code B - A} and percent difference
 * {@code 100 (B - A) / ((|A| + |B|) / 2)} (symmetric in A and B), and summary numbers over a
 * mask: mean of A and B, mean and SD of the difference, mean absolute difference, mean absolute
 * percent difference and Pearson's correlation of A and B.
 * <p>
 * Both scans are {@code float[]} in one voxel order (x fastest) on one grid. Voxels outside the
 * mask, and voxels where A or B is not finite, have difference and percent difference 0 and do
 * not enter the numbers. The percent difference is 0 where {@code |A| + |B|} is 0. Sums are in
 * double, in voxel order, so the numbers do not depend on anything but the data. Immutable.
 */
public final class ScanComparison {

	/** Cancel is checked once per this many voxels. */
	private static final int CANCEL_STRIDE = 1 << 16;

	private final float[] difference;

	private final float[] percentDifference;

	private final long nVoxels;

	private final double meanA, meanB, meanDifference, sdDifference, meanAbsDifference,
			meanAbsPercentDifference, correlation;

	private ScanComparison(final float[] difference, final float[] percentDifference,
		final long nVoxels, final double[] stats)
	{
		this.difference = difference;
		this.percentDifference = percentDifference;
		this.nVoxels = nVoxels;
		meanA = stats[0];
		meanB = stats[1];
		meanDifference = stats[2];
		sdDifference = stats[3];
		meanAbsDifference = stats[4];
		meanAbsPercentDifference = stats[5];
		correlation = stats[6];
	}

	/**
	 * Compares two scans.
	 *
	 * @param a scan A, x fastest
	 * @param b scan B, same length and voxel order
	 * @param mask voxels to compare, same length; null: voxels where A or B is non-zero
	 * @param canceled checked every 65536 voxels
	 * @throws InputException if the lengths differ or no voxel is left to compare
	 * @throws CancellationException if {@code canceled} says so
	 */
	public static ScanComparison compare(final float[] a, final float[] b, final boolean[] mask,
		final BooleanSupplier canceled)
	{
		if (a.length != b.length || mask != null && mask.length != a.length)
			throw new InputException("The scans have " + a.length + " and " + b.length +
				" voxels" + (mask == null ? "" : " and the mask " + mask.length) +
				"; they must share one grid.");
		final float[] diff = new float[a.length], pct = new float[a.length];
		long n = 0;
		double sa = 0, sb = 0;
		for (int i = 0; i < a.length; i++) {
			if (i % CANCEL_STRIDE == 0 && canceled.getAsBoolean()) throw new CancellationException();
			if (!use(a, b, mask, i)) continue;
			n++;
			sa += a[i];
			sb += b[i];
		}
		if (n == 0) throw new InputException(mask != null ? "The mask has no voxel where both " +
			"scans are finite; check that the mask belongs to these scans." : "Both scans are " +
				"zero everywhere; there is nothing to compare.");
		final double ma = sa / n, mb = sb / n;
		// Second pass about the means (more accurate than sums of squares).
		double sd = 0, sdd = 0, sabs = 0, spct = 0, saa = 0, sbb = 0, sab = 0;
		for (int i = 0; i < a.length; i++) {
			if (i % CANCEL_STRIDE == 0 && canceled.getAsBoolean()) throw new CancellationException();
			if (!use(a, b, mask, i)) continue;
			final double d = (double) b[i] - a[i];
			final double scale = (Math.abs((double) a[i]) + Math.abs((double) b[i])) / 2;
			final double p = scale > 0 ? 100 * d / scale : 0;
			diff[i] = (float) d;
			pct[i] = (float) p;
			sd += d;
			sabs += Math.abs(d);
			spct += Math.abs(p);
			final double da = a[i] - ma, db = b[i] - mb;
			saa += da * da;
			sbb += db * db;
			sab += da * db;
		}
		final double md = sd / n;
		for (int i = 0; i < a.length; i++)
			if (use(a, b, mask, i)) {
				final double e = diff[i] - md;
				sdd += e * e;
			}
		final double r = saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Double.NaN;
		return new ScanComparison(diff, pct, n, new double[] { ma, mb, md, n > 1 ? Math.sqrt(sdd /
			(n - 1)) : 0, sabs / n, spct / n, r });
	}

	/**
	 * Counts of (A, B) pairs in a {@code bins} x {@code bins} grid over {@code [lo, hi]} on both
	 * axes, for the voxels that {@link #compare} uses; values outside the range are left out.
	 *
	 * @return {@code counts[binOfB][binOfA]}
	 */
	public static long[][] jointHistogram(final float[] a, final float[] b, final boolean[] mask,
		final int bins, final double lo, final double hi)
	{
		final long[][] counts = new long[bins][bins];
		final double w = (hi - lo) / bins;
		if (!(w > 0)) return counts;
		for (int i = 0; i < a.length; i++) {
			if (!use(a, b, mask, i)) continue;
			final int ia = (int) Math.floor((a[i] - lo) / w), ib = (int) Math.floor((b[i] - lo) / w);
			final int ja = a[i] == hi ? bins - 1 : ia, jb = b[i] == hi ? bins - 1 : ib;
			if (ja < 0 || jb < 0 || ja >= bins || jb >= bins) continue;
			counts[jb][ja]++;
		}
		return counts;
	}

	/** @return whether voxel i takes part: in the mask (or non-zero), both values finite */
	public static boolean use(final float[] a, final float[] b, final boolean[] mask, final int i) {
		if (!Float.isFinite(a[i]) || !Float.isFinite(b[i])) return false;
		return mask != null ? mask[i] : a[i] != 0 || b[i] != 0;
	}

	/** @return B - A per voxel (0 outside the compared voxels); the array itself, not a copy */
	public float[] difference() {
		return difference;
	}

	/** @return 100 (B - A) / ((|A| + |B|) / 2) per voxel (0 outside); the array itself */
	public float[] percentDifference() {
		return percentDifference;
	}

	/** @return number of voxels compared */
	public long nVoxels() {
		return nVoxels;
	}

	/** @return mean of A over the compared voxels */
	public double meanA() {
		return meanA;
	}

	/** @return mean of B over the compared voxels */
	public double meanB() {
		return meanB;
	}

	/** @return mean of B - A */
	public double meanDifference() {
		return meanDifference;
	}

	/** @return sample standard deviation of B - A (n - 1 in the denominator) */
	public double sdDifference() {
		return sdDifference;
	}

	/** @return mean of |B - A| */
	public double meanAbsDifference() {
		return meanAbsDifference;
	}

	/** @return mean of |percent difference| */
	public double meanAbsPercentDifference() {
		return meanAbsPercentDifference;
	}

	/** @return Pearson's correlation of A and B; NaN if either is constant */
	public double correlation() {
		return correlation;
	}
}
