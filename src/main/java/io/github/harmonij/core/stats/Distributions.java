// SPDX-License-Identifier: MIT
package io.github.harmonij.core.stats;

import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

/**
 * Upper-tail probabilities of the F and chi-squared distributions, computed directly (not as
 * 1 - cdf) so that tiny p-values keep their digits, and -log10 of them.
 * <p>
 * Stateless and thread-safe. NaN in, NaN out.
 */
public final class Distributions {

	/**
	 * Smallest p-value that -log10 is taken of: the smallest positive double, so that a p-value
	 * that underflows reads as about 323.3 rather than infinity.
	 */
	public static final double P_FLOOR = Double.MIN_VALUE;

	private Distributions() {}

	/**
	 * P(F(df1, df2) &gt; f): with x = df2 / (df2 + df1 f), the upper tail is the regularised
	 * incomplete beta I_x(df2/2, df1/2) (Abramowitz and Stegun 26.6.2), which keeps full relative
	 * precision for small p where 1 - cdf(f) would cancel.
	 *
	 * @return the p-value in [0, 1]; 1 for f &lt;= 0; NaN if f is NaN or a df is not positive
	 */
	public static double fUpper(final double f, final double df1, final double df2) {
		if (Double.isNaN(f) || !(df1 > 0) || !(df2 > 0)) return Double.NaN;
		if (f <= 0) return 1;
		if (f == Double.POSITIVE_INFINITY) return 0;
		return Beta.regularizedBeta(df2 / (df2 + df1 * f), df2 / 2, df1 / 2);
	}

	/**
	 * P(chi2(df) &gt; x) = Q(df/2, x/2), the regularised upper incomplete gamma function.
	 *
	 * @return the p-value; 1 for x &lt;= 0; NaN if x is NaN or df is not positive
	 */
	public static double chiSquaredUpper(final double x, final double df) {
		if (Double.isNaN(x) || !(df > 0)) return Double.NaN;
		if (x <= 0) return 1;
		if (x == Double.POSITIVE_INFINITY) return 0;
		return Gamma.regularizedGammaQ(df / 2, x / 2);
	}

	/** @return -log10(max(p, {@link #P_FLOOR})), or NaN for NaN */
	public static double negLog10(final double p) {
		if (Double.isNaN(p)) return Double.NaN;
		return -Math.log10(Math.max(p, P_FLOOR));
	}
}
