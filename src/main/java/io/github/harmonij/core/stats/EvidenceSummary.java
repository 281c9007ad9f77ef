// SPDX-License-Identifier: MIT
package io.github.harmonij.core.stats;

import java.util.Arrays;

/**
 * One-number summaries of a map of statistics: the share of features significant after
 * Benjamini-Hochberg at level q, medians, and the correlation of two maps. Stateless.
 */
public final class EvidenceSummary {

	private EvidenceSummary() {}

	/**
	 * @return 100 x (features with BH-adjusted p &lt;= q) / (all features, tested or not); NaN
	 *         for no features
	 */
	public static double percentSignificant(final double[] p, final double q) {
		if (p.length == 0) return Double.NaN;
		return 100.0 * count(Fdr.significant(p, q)) / p.length;
	}

	/** @return the number of true values */
	public static int count(final boolean[] b) {
		int c = 0;
		for (final boolean x : b)
			if (x) c++;
		return c;
	}

	/** @return the median of the non-NaN values (mean of the middle two for an even count); NaN if none */
	public static double median(final double[] a) {
		final double[] s = Arrays.stream(a).filter(x -> !Double.isNaN(x)).sorted().toArray();
		if (s.length == 0) return Double.NaN;
		final int h = s.length / 2;
		return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
	}

	/** @return Pearson's correlation over the features finite in both maps; NaN if undefined */
	public static double correlation(final double[] a, final double[] b) {
		double sa = 0, sb = 0;
		int n = 0;
		for (int i = 0; i < a.length; i++)
			if (Double.isFinite(a[i]) && Double.isFinite(b[i])) {
				sa += a[i];
				sb += b[i];
				n++;
			}
		if (n < 2) return Double.NaN;
		final double ma = sa / n, mb = sb / n;
		double saa = 0, sbb = 0, sab = 0;
		for (int i = 0; i < a.length; i++)
			if (Double.isFinite(a[i]) && Double.isFinite(b[i])) {
				final double da = a[i] - ma, db = b[i] - mb;
				saa += da * da;
				sbb += db * db;
				sab += da * db;
			}
		return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Double.NaN;
	}
}
