// SPDX-License-Identifier: MIT
package io.github.harmonij.core.stats;

import java.util.Arrays;

/**
 * Benjamini-Hochberg false discovery rate adjustment, exactly as R's
 * {@code p.adjust(p, method = "BH")}: with the m non-missing p-values sorted decreasingly,
 * adjusted p(i) = min over j &gt;= i of min(1, p(j) m / j), where i is the rank in increasing order.
 * NaN p-values stay NaN and do not count in m (R's {@code p.adjust} drops NA the same way).
 * <p>
 * Stateless and thread-safe.
 */
public final class Fdr {

	private Fdr() {}

	/**
	 * @param p p-values in [0, 1] or NaN
	 * @return the BH-adjusted p-values, in the order of {@code p}
	 */
	public static double[] adjustBh(final double[] p) {
		final double[] out = new double[p.length];
		Arrays.fill(out, Double.NaN);
		int m = 0;
		for (final double v : p)
			if (!Double.isNaN(v)) m++;
		if (m == 0) return out;
		// Sort indices by p; ties keep index order (R's order() is stable too)
		final double[] sorted = new double[m];
		final int[] idx = sortedIndices(p, m);
		for (int i = 0; i < m; i++)
			sorted[i] = p[idx[i]];
		double running = Double.POSITIVE_INFINITY;
		for (int i = m - 1; i >= 0; i--) {
			// (m / i) * p in R's order of operations, for the same last bit
			final double adj = Math.min(1, (double) m / (i + 1) * sorted[i]);
			running = Math.min(running, adj);
			out[idx[i]] = running;
		}
		return out;
	}

	/**
	 * @return whether each feature is significant at FDR level q: adjusted p &lt;= q (NaN is not)
	 */
	public static boolean[] significant(final double[] p, final double q) {
		final double[] adj = adjustBh(p);
		final boolean[] sig = new boolean[p.length];
		for (int i = 0; i < p.length; i++)
			sig[i] = adj[i] <= q;
		return sig;
	}

	// -- Helper methods --

	/** Indices of the non-NaN values of {@code p}, ordered by value, ties by index. */
	private static int[] sortedIndices(final double[] p, final int m) {
		final Integer[] boxed = new Integer[m];
		int k = 0;
		for (int i = 0; i < p.length; i++)
			if (!Double.isNaN(p[i])) boxed[k++] = i;
		Arrays.sort(boxed, (a, b) -> {
			final int c = Double.compare(p[a], p[b]);
			return c != 0 ? c : Integer.compare(a, b);
		});
		final int[] out = new int[m];
		for (int i = 0; i < m; i++)
			out[i] = boxed[i];
		return out;
	}
}
