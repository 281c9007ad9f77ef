// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The non-parametric weights' exponential ({@link SiteEmpiricalBayes#expShifted}) in both of its
 * forms, fused multiply-adds and a multiply and an add, against {@link Math#exp} over the whole
 * range it is used on, [-cut, 0] with cut = 40 + ln(m) for up to a million features.
 */
class ExpShiftedTest {

	/** Documented bound on the relative error: 3e-14 measured, with a margin. */
	private static final double TOL = 1e-13;

	@Test
	void bothFormsAreExpToWithinTheBound() {
		final double cut = 40 + Math.log(1e6);
		final int m = 200_001;
		final double[] l = new double[m];
		final SplittableRandom r = new SplittableRandom(5);
		for (int j = 0; j < m; j++)
			l[j] = j < 100_001 ? -cut * j / 100_000.0 : -cut * r.nextDouble();
		final double max = 0.75; // arguments l - max in [-cut - 0.75, -0.75]: the cut applies
		final double[] fma = new double[m], plain = new double[m];
		SiteEmpiricalBayes.expShiftedFor(l, max, cut, fma, m, true);
		SiteEmpiricalBayes.expShiftedFor(l, max, cut, plain, m, false);
		double worstFma = 0, worstPlain = 0;
		for (int j = 0; j < m; j++) {
			final double x = Math.max(l[j] - max, -cut), exact = Math.exp(x);
			worstFma = Math.max(worstFma, Math.abs(fma[j] - exact) / exact);
			worstPlain = Math.max(worstPlain, Math.abs(plain[j] - exact) / exact);
		}
		assertTrue(worstFma < TOL, "fma: max relative error " + worstFma);
		assertTrue(worstPlain < TOL, "multiply-add: max relative error " + worstPlain);
		final double[] e = new double[m];
		SiteEmpiricalBayes.expShifted(l, max, cut, e, m);
		assertEquals(SiteEmpiricalBayes.FMA ? fma[m - 1] : plain[m - 1], e[m - 1]);
	}

	@Test
	void zeroGivesOne() {
		final double[] e = new double[2];
		SiteEmpiricalBayes.expShiftedFor(new double[] { 3, 3 }, 3, 50, e, 2, true);
		assertEquals(1.0, e[0]);
		SiteEmpiricalBayes.expShiftedFor(new double[] { 3, 3 }, 3, 50, e, 2, false);
		assertEquals(1.0, e[1]);
	}
}
