// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.harmonij.core.InputException;

/** The natural cubic spline basis: knots, shape, linearity outside, and its coding. */
class SplinesTest {

	/** Double algebra on values of order 1. */
	private static final double TOL = 1e-12;

	@Test
	void knotsAreRType7Quantiles() {
		// R: quantile(c(1, 2, 4, 8, 16), c(0, .25, .5, .75, 1)) = 1 2 4 8 16
		assertArrayEquals(new double[] { 1, 2, 4, 8, 16 }, Splines.knots(new double[] { 16, 4, 1,
			8, 2 }, 4, "x"), TOL);
		// R: quantile(1:10, c(0, 1/3, 2/3, 1)) = 1 4 7 10
		assertArrayEquals(new double[] { 1, 4, 7, 10 }, Splines.knots(new double[] { 1, 2, 3, 4, 5,
			6, 7, 8, 9, 10 }, 3, "x"), TOL);
		final InputException e = assertThrows(InputException.class, () -> Splines.knots(
			new double[] { 1, 1, 1, 1, 2 }, 4, "age"));
		assertTrue(e.getMessage().contains("age has too few distinct values"), e.getMessage());
	}

	@Test
	void basisIsLinearBeyondTheBoundaryKnotsAndSmoothInside() {
		final double[] k = { 20, 35, 50, 65, 80 };
		// linear beyond the boundary: second differences vanish
		for (final double x0 : new double[] { 0, 85 }) {
			final double[] a = Splines.basis(x0, k), b = Splines.basis(x0 + 1, k), c = Splines.basis(
				x0 + 2, k);
			for (int q = 0; q < a.length; q++)
				assertEquals(0, a[q] - 2 * b[q] + c[q], TOL, "column " + q + " at " + x0);
		}
		// continuous second derivative at an interior knot
		final double h = 1e-3;
		for (int q = 0; q < 4; q++) {
			final double left = second(50 - 2 * h, h, k, q), right = second(50 + 2 * h, h, k, q);
			assertEquals(left, right, 1e-5, "column " + q);
		}
		assertEquals(4, Splines.basis(50, k).length);
		assertEquals(0, Splines.basis(20, k)[0], TOL);
		assertEquals(1, Splines.basis(80, k)[0], TOL);
	}

	@Test
	void codingClampsOrRejectsValuesOutsideTheTrainingRange() {
		final CovariateCoding coding = new CovariateCoding(List.of("age"), List.of(
			CovariateCoding.Kind.SMOOTH), List.of(List.of()), List.of(new double[] { 20, 50, 80 }));
		assertEquals(List.of("age[ns1]", "age[ns2]"), coding.codedNames());
		final InputException e = assertThrows(InputException.class, () -> coding.code(
			new String[] { "81" }, "t.csv row 2 (subject a)"));
		assertTrue(e.getMessage().startsWith("t.csv row 2 (subject a): age 81 is outside the " +
			"training range of the smooth covariate (20 to 80)"), e.getMessage());
		final List<String> warnings = new java.util.ArrayList<>();
		assertArrayEquals(Splines.basis(80, new double[] { 20, 50, 80 }), coding.code(new String[] {
			"81" }, "row 2", true, warnings), 0);
		assertEquals(1, warnings.size());
		assertTrue(warnings.get(0).contains("clamped to 80"), warnings.get(0));
	}

	private static double second(final double x, final double h, final double[] k, final int q) {
		return (Splines.basis(x - h, k)[q] - 2 * Splines.basis(x, k)[q] + Splines.basis(x + h, k)[
			q]) / (h * h);
	}
}
