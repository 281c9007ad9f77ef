// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The cubic regression spline basis checked against what it must be: mgcv's knot rule worked by
 * hand, interpolation of the knot values, exact linear functions, the penalty as the integral of
 * the squared second derivative, and the sum-to-zero constraint.
 */
class CubicRegressionSplineTest {

	private static final double TOL = 1e-10;

	@Test
	void knotsAreMgcvsQuantilesOfTheUniqueValues() {
		// 10 unique values, k = 4: (n - 1)/(k - 1) = 3 steps per knot, knots on values
		assertArrayEquals(new double[] { 1, 4, 7, 10 }, CubicRegressionSpline.placeKnots(
			new double[] { 10, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 1 }, 4), TOL);
		// 11 unique values: 10/3 steps, interpolated between neighbours
		final double[] x = new double[11];
		for (int i = 0; i < x.length; i++)
			x[i] = 1 + i;
		assertArrayEquals(new double[] { 1, 4 + 1.0 / 3, 7 + 2.0 / 3, 11 }, CubicRegressionSpline
			.placeKnots(x, 4), TOL);
		assertThrows(InputException.class, () -> CubicRegressionSpline.placeKnots(new double[] { 1,
			2, 2, 3 }, 4));
	}

	@Test
	void theRawBasisInterpolatesKnotValuesAndIsExactForLines() {
		final CubicRegressionSpline s = new CubicRegressionSpline(ages(200, 1), 8);
		final double[] row = new double[s.k];
		for (int i = 0; i < s.k; i++) {
			s.rawRow(s.knots[i], row);
			for (int j = 0; j < s.k; j++)
				assertEquals(i == j ? 1 : 0, row[j], TOL, "knot " + i + ", column " + j);
		}
		// a line through the knot values is reproduced everywhere, extrapolation included
		for (final double x : new double[] { 3, 8.5, 20.25, 47, 90, 95, 120 }) {
			s.rawRow(x, row);
			double f = 0;
			for (int j = 0; j < s.k; j++)
				f += row[j] * (2 - 0.5 * s.knots[j]);
			assertEquals(2 - 0.5 * x, f, 1e-9, "x = " + x);
		}
	}

	/**
	 * beta' S beta is the integral of f''^2: f'' is linear between knots with the values
	 * delta = F beta (0 at the end knots), so each interval gives h (d0^2 + d0 d1 + d1^2) / 3;
	 * delta is recovered from the basis itself by finite differences at the knots.
	 */
	@Test
	void thePenaltyIsTheIntegralOfTheSquaredSecondDerivative() {
		final CubicRegressionSpline s = new CubicRegressionSpline(ages(300, 2), 10);
		final Random r = new Random(3);
		// coefficients theta of the constrained basis, and their knot values beta = Z theta (the
		// raw basis at the knots is the identity, so the constrained basis there is Z's rows)
		final int m = s.k - 1;
		final double[] theta = new double[m], beta = new double[s.k];
		for (int i = 0; i < m; i++)
			theta[i] = r.nextGaussian();
		for (int i = 0; i < s.k; i++) {
			final double[] zi = s.basis(s.knots[i]);
			for (int j = 0; j < m; j++)
				beta[i] += zi[j] * theta[j];
		}
		final double[] d2 = new double[s.k];
		// inside one interval f is cubic: forward second differences with steps e and 2e are
		// f'' + e f''' and f'' + 2e f''', so 2 a - b is f'' at the knot
		final double e = 1e-2;
		for (int i = 1; i < s.k - 1; i++) {
			final double x = s.knots[i];
			final double a = (f(s, beta, x) - 2 * f(s, beta, x + e) + f(s, beta, x + 2 * e)) / (e *
				e);
			final double b = (f(s, beta, x) - 2 * f(s, beta, x + 2 * e) + f(s, beta, x + 4 * e)) /
				(4 * e * e);
			d2[i] = 2 * a - b;
		}
		double integral = 0;
		for (int i = 0; i < s.k - 1; i++) {
			final double h = s.knots[i + 1] - s.knots[i];
			integral += h * (d2[i] * d2[i] + d2[i] * d2[i + 1] + d2[i + 1] * d2[i + 1]) / 3;
		}
		final double[] sz = s.penalty();
		double pen = 0;
		for (int i = 0; i < m; i++)
			for (int j = 0; j < m; j++)
				pen += theta[i] * sz[i * m + j] * theta[j];
		assertEquals(integral, pen, 1e-7 * integral);
	}

	@Test
	void theConstrainedBasisSumsToZeroOverTheTrainingSubjects() {
		final double[] age = ages(250, 4);
		final CubicRegressionSpline s = new CubicRegressionSpline(age, 10);
		final double[] sum = new double[s.k - 1];
		double scale = 0;
		for (final double a : age) {
			final double[] b = s.basis(a);
			for (int i = 0; i < b.length; i++) {
				sum[i] += b[i];
				scale = Math.max(scale, Math.abs(b[i]));
			}
		}
		for (final double v : sum)
			assertEquals(0, v, 1e-12 * age.length * scale);
		final double[] p = s.penalty();
		for (int i = 0; i < s.k - 1; i++)
			for (int j = 0; j < s.k - 1; j++)
				assertEquals(p[i * (s.k - 1) + j], p[j * (s.k - 1) + i], 0);
	}

	// -- Helper methods --

	private static double f(final CubicRegressionSpline s, final double[] beta, final double x) {
		final double[] row = new double[s.k];
		s.rawRow(x, row);
		double f = 0;
		for (int j = 0; j < s.k; j++)
			f += row[j] * beta[j];
		return f;
	}

	/** Ages 8 to 92 with two decimals, as the family reference has. */
	static double[] ages(final int n, final long seed) {
		final Random r = new Random(seed);
		final double[] a = new double[n];
		for (int j = 0; j < n; j++)
			a[j] = Math.round((8 + 84 * r.nextDouble()) * 100) / 100.0;
		return a;
	}
}
