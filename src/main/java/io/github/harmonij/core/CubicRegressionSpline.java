// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.Arrays;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The cubic regression spline of mgcv's {@code s(x, bs="cr", k)} (Wood, "Generalized Additive
 * Models", 2nd ed., 5.3.1): k knots at quantiles of the unique covariate values (mgcv's
 * {@code place.knots}), coefficients that are the function's values at the knots, a natural
 * cubic interpolant (second derivative 0 at the end knots, linear beyond them), and the penalty
 * {@code integral f''(x)^2 dx = beta' S beta} with {@code S = D' B^-1 D}.
 * <p>
 * The sum-to-zero constraint (mean of the smooth over the training subjects 0) is absorbed as
 * mgcv's {@code smoothCon} does: with {@code c} the column means of the raw basis, {@code Z} is
 * the last k - 1 columns of the Householder reflection that maps {@code c} onto the first axis,
 * the constrained basis is {@code X Z} and its penalty {@code Z' S Z}. Any orthonormal basis of
 * the constraint's null space gives the same fits, edf and smoothing parameters.
 * <p>
 * mgcv reports smoothing parameters for the penalty divided by {@link #penaltyScale()}
 * ({@code S.scale}, computed on the raw basis before the constraint): its {@code sp} is this
 * class's lambda (on {@link #penalty()}) times that scale. Immutable.
 */
final class CubicRegressionSpline {

	final double[] knots;

	final int k;

	/** The map from knot values to second derivatives at the knots, k x k row-major. */
	private final double[] f;

	/** The raw penalty, k x k row-major. */
	private final double[] sRaw;

	/** The Householder vector of the constraint (reflection I - 2 u u' / u'u). */
	private final double[] u;

	private final double uu;

	private final double penaltyScale;

	/**
	 * @param x the covariate of every training subject (finite)
	 * @param k the number of knots, at least 3
	 * @throws InputException if x has fewer than k unique values
	 */
	CubicRegressionSpline(final double[] x, final int k) {
		if (k < 3) throw new IllegalArgumentException("a cubic regression spline needs k >= 3");
		this.k = k;
		knots = placeKnots(x, k);
		final double[] h = new double[k - 1];
		for (int i = 0; i < k - 1; i++)
			h[i] = knots[i + 1] - knots[i];
		final int m = k - 2;
		final double[][] b = new double[m][m], d = new double[m][k];
		for (int i = 0; i < m; i++) {
			b[i][i] = (h[i] + h[i + 1]) / 3;
			if (i + 1 < m) {
				b[i][i + 1] = h[i + 1] / 6;
				b[i + 1][i] = h[i + 1] / 6;
			}
			d[i][i] = 1 / h[i];
			d[i][i + 1] = -1 / h[i] - 1 / h[i + 1];
			d[i][i + 2] = 1 / h[i + 1];
		}
		final RealMatrix dm = new Array2DRowRealMatrix(d, false);
		final RealMatrix binvD = new LUDecomposition(new Array2DRowRealMatrix(b, false)).getSolver()
			.solve(dm);
		f = new double[k * k];
		for (int i = 0; i < m; i++)
			for (int j = 0; j < k; j++)
				f[(i + 1) * k + j] = binvD.getEntry(i, j);
		final RealMatrix s = dm.transpose().multiply(binvD);
		sRaw = new double[k * k];
		for (int i = 0; i < k; i++)
			for (int j = 0; j < k; j++)
				sRaw[i * k + j] = (s.getEntry(i, j) + s.getEntry(j, i)) / 2;
		// the constraint: column means of the raw basis; mgcv's penalty scale on the raw basis
		final double[] c = new double[k];
		double maxRow = 0;
		final double[] row = new double[k];
		for (final double xi : x) {
			rawRow(xi, row);
			double a = 0;
			for (int j = 0; j < k; j++) {
				c[j] += row[j];
				a += Math.abs(row[j]);
			}
			maxRow = Math.max(maxRow, a);
		}
		for (int j = 0; j < k; j++)
			c[j] /= x.length;
		double maxCol = 0;
		for (int j = 0; j < k; j++) {
			double a = 0;
			for (int i = 0; i < k; i++)
				a += Math.abs(sRaw[i * k + j]);
			maxCol = Math.max(maxCol, a);
		}
		penaltyScale = maxCol / (maxRow * maxRow);
		double norm = 0;
		for (final double cj : c)
			norm += cj * cj;
		norm = Math.sqrt(norm);
		u = c.clone();
		u[0] += c[0] >= 0 ? norm : -norm;
		double s2 = 0;
		for (final double uj : u)
			s2 += uj * uj;
		uu = s2;
	}

	/**
	 * mgcv's {@code place.knots}: the end knots at the smallest and largest unique value, the
	 * others at equally spaced positions of the sorted unique values, interpolated linearly.
	 *
	 * @throws InputException if there are fewer than k unique values
	 */
	static double[] placeKnots(final double[] x, final int k) {
		final double[] xu = Arrays.stream(x).sorted().distinct().toArray();
		final int n = xu.length;
		if (n < k) throw new InputException("The smooth covariate has " + n +
			" different values, fewer than the " + k + " knots asked for. Use a smaller k.");
		final double[] knot = new double[k];
		knot[0] = xu[0];
		knot[k - 1] = xu[n - 1];
		final double delta = (double) (n - 1) / (k - 1);
		for (int i = 1; i <= k - 2; i++) {
			final int lbi = (int) Math.floor(delta * i) + 1; // 1-based, as in R
			final double frac = delta * i + 1 - lbi;
			knot[i] = xu[lbi - 1] * (1 - frac) + xu[lbi] * frac;
		}
		return knot;
	}

	/** The raw (unconstrained) basis at x into {@code row[0, k)}: the knot-value coefficients. */
	void rawRow(final double x, final double[] row) {
		Arrays.fill(row, 0, k, 0);
		final double lo = knots[0], hi = knots[k - 1];
		if (x < lo || x > hi) {
			// linear beyond the end knot: value and first derivative of the end interval there
			final boolean left = x < lo;
			final int j = left ? 0 : k - 2;
			final double h = knots[j + 1] - knots[j];
			final double dx = left ? x - lo : x - hi;
			// f'(x_j) = (b_{j+1} - b_j)/h - h (2 d_j + d_{j+1}) / 6
			// f'(x_{j+1}) = (b_{j+1} - b_j)/h + h (d_j + 2 d_{j+1}) / 6
			final double wj = left ? -h / 3 : h / 6, wj1 = left ? -h / 6 : h / 3;
			row[left ? 0 : k - 1] += 1;
			row[j] -= dx / h;
			row[j + 1] += dx / h;
			for (int q = 0; q < k; q++)
				row[q] += dx * (wj * f[j * k + q] + wj1 * f[(j + 1) * k + q]);
			return;
		}
		int j = Arrays.binarySearch(knots, x);
		if (j < 0) j = -j - 2;
		if (j > k - 2) j = k - 2;
		final double h = knots[j + 1] - knots[j];
		final double am = (knots[j + 1] - x) / h, ap = (x - knots[j]) / h;
		final double em = knots[j + 1] - x, ep = x - knots[j];
		final double cm = (em * em * em / h - h * em) / 6, cp = (ep * ep * ep / h - h * ep) / 6;
		row[j] += am;
		row[j + 1] += ap;
		for (int q = 0; q < k; q++)
			row[q] += cm * f[j * k + q] + cp * f[(j + 1) * k + q];
	}

	/** @return the constrained basis at x: {@code k - 1} columns ({@code raw row * Z}) */
	double[] basis(final double x) {
		final double[] row = new double[k];
		rawRow(x, row);
		final double[] hx = reflect(row);
		return Arrays.copyOfRange(hx, 1, k);
	}

	/** @return the constrained penalty {@code Z' S Z}, (k - 1) x (k - 1) row-major */
	double[] penalty() {
		// H S H, then drop the first row and column
		final double[][] hs = new double[k][];
		for (int j = 0; j < k; j++) {
			final double[] col = new double[k];
			for (int i = 0; i < k; i++)
				col[i] = sRaw[i * k + j];
			hs[j] = reflect(col); // column j of H S
		}
		final double[] out = new double[(k - 1) * (k - 1)];
		for (int i = 1; i < k; i++) {
			final double[] r = new double[k];
			for (int j = 0; j < k; j++)
				r[j] = hs[j][i]; // row i of H S
			final double[] rh = reflect(r); // row i of H S H (H symmetric)
			for (int j = 1; j < k; j++)
				out[(i - 1) * (k - 1) + j - 1] = rh[j];
		}
		for (int i = 0; i < k - 1; i++)
			for (int j = 0; j < i; j++) {
				final double a = (out[i * (k - 1) + j] + out[j * (k - 1) + i]) / 2;
				out[i * (k - 1) + j] = a;
				out[j * (k - 1) + i] = a;
			}
		return out;
	}

	/**
	 * @return mgcv's {@code S.scale}: the raw penalty's 1-norm over the squared infinity norm of
	 *         the raw basis; mgcv's {@code sp} = lambda on {@link #penalty()} times this
	 */
	double penaltyScale() {
		return penaltyScale;
	}

	private double[] reflect(final double[] v) {
		double dot = 0;
		for (int i = 0; i < k; i++)
			dot += u[i] * v[i];
		final double a = 2 * dot / uu;
		final double[] out = new double[k];
		for (int i = 0; i < k; i++)
			out[i] = v[i] - a * u[i];
		return out;
	}
}
