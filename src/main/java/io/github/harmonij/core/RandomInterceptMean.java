// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A linear mixed mean model with a random intercept per subject (longitudinal ComBat's
 * {@code lmer(y ~ covariates + site + (1|subject), REML=TRUE)}), per feature:
 *
 * <pre>
 * y = X b + Z u + e,   u ~ N(0, theta sigma^2 I),   e ~ N(0, sigma^2 I)
 * </pre>
 *
 * X the site columns and coded covariates of {@link FactoredDesign}, Z the subject indicator
 * (subjects are the design's {@linkplain Design#subjectId subject ids}: rows with the same id are
 * the scans of one subject). theta {@code >= 0} (the variance ratio; lme4's {@code theta} is its
 * square root) is chosen by REML with sigma^2 profiled out; b is the GLS estimate at theta.
 * <p>
 * ZZ' is block diagonal with a block of ones per subject, so the rotation that diagonalises the
 * covariance is explicit: per subject with n_i scans, the direction 1/sqrt(n_i) (eigenvalue n_i)
 * and n_i - 1 Helmert contrasts (eigenvalue 0). The rotated rows are grouped by their eigenvalue
 * d (0 and the distinct visit counts m); a group's sums A_d = sum x~ x~', g_d = sum x~ y~,
 * c_d = sum y~^2 are all the REML needs. For the eigenvalue-0 group the sums over Helmert
 * contrasts equal the within-subject centred sums ({@code sum (x_j - xbar_i)(y_j - ybar_i)}),
 * which are computed instead (same numbers, no contrast matrix); for d = m they are
 * {@code sum n_i xbar_i ybar_i} over the subjects with m scans. With w_d = 1 / (1 + theta d):
 *
 * <pre>
 * REML(theta) = (N - p)(1 + log(2 pi q / (N - p))) + sum_i log(1 + theta n_i) + log|M|
 * M = sum_d w_d A_d,   b = M^-1 sum_d w_d g_d,   q = sum_d w_d (c_d - 2 g_d'b + b'A_d b)
 * sigma^2 = q / (N - p)
 * </pre>
 *
 * which is lme4's {@code REMLcrit} (-2 REML log-likelihood) when X is coded as lme4 codes it
 * (with a reference site: its column all ones, the others indicators; otherwise it differs by a
 * constant, {@code log|T'T|} of the change of coding T). Each evaluation is O(M p^2 + p^3) for M
 * distinct visit counts, independent of the number of scans; the group sums cost O(N p) per
 * feature. theta is found by a grid on log theta, then bisection on the analytic derivative;
 * when the derivative at theta = 0 is not negative and 0 is the grid's best, theta = 0 (the
 * boundary, as lme4 reports a singular fit), and the model is OLS. When every subject has one
 * scan the criterion does not depend on theta (lme4 refuses such a fit); theta is then 0.
 * <p>
 * What the {@link MeanModel} arrays hold: {@code coef} is b (sites then covariates),
 * {@code location} alpha = the site coefficients weighted as {@link FactoredDesign#grandWeights}.
 * The subject's BLUP {@code u_i = theta n_i / (1 + theta n_i) (ybar_i - xbar_i b)} is part of the
 * subject's mean, as in longCombat (whose fitted values, from which the site effects are removed,
 * include it): {@link MeanModel.Fitter#residuals residuals} are {@code y - X b - u_i} (the
 * conditional residuals) and the standardisation {@link MeanModel.Fitter#means mean} is
 * {@code alpha + X_j beta + u_i}. The fit writes sigma^2 (the residual variance, lme4's
 * {@code sigma(fit)^2}) into {@link FeatureChunk#modelVar} for {@link MixedModelVariance} and
 * each scan's u_i into {@link FeatureChunk#offset}.
 * <p>
 * Immutable; the fitter is thread-safe.
 */
final class RandomInterceptMean implements MeanModel {

	static final RandomInterceptMean INSTANCE = new RandomInterceptMean();

	/** Grid on log10 theta, before the bisection. */
	private static final double GRID_LO = -8, GRID_HI = 6, GRID_STEP = 0.25;

	private RandomInterceptMean() {}

	@Override
	public String name() {
		return "random-intercept";
	}

	@Override
	public RandomInterceptFitter fitter(final Design design, final int ref) {
		final String[] ids = new String[design.nSubjects()];
		for (int j = 0; j < ids.length; j++)
			ids[j] = design.subjectId(j);
		return new RandomInterceptFitter(FactoredDesign.of(design, ref), ids);
	}

	/** The fit of one feature. */
	static final class Fit {

		/** theta = sigma_u^2 / sigma^2 at the REML optimum. */
		final double theta;

		/** The residual variance sigma^2. */
		final double sigma2;

		/** The REML criterion there (-2 REML log-likelihood, lme4's scale). */
		final double reml;

		/** The BLUP of each subject (in the fitter's subject order). */
		final double[] blup;

		/** Whether the optimum is inside the search range or at theta = 0. */
		final boolean converged;

		Fit(final double theta, final double sigma2, final double reml, final double[] blup,
			final boolean converged)
		{
			this.theta = theta;
			this.sigma2 = sigma2;
			this.reml = reml;
			this.blup = blup;
			this.converged = converged;
		}

		/** @return the intercept variance sigma_u^2 = theta sigma^2 */
		double interceptVar() {
			return theta * sigma2;
		}
	}

	/** The model prepared for one design. Thread-safe. */
	static final class RandomInterceptFitter implements MeanModel.Fitter {

		final FactoredDesign x;

		/** Subject index of each row, and the number of subjects. */
		final int[] subject;

		final int nSubjects;

		/** Scans of each subject. */
		final int[] size;

		/** Eigenvalue d of each group: d[0] = 0, then the distinct visit counts. */
		final double[] d;

		/** Subjects in each group (0 for group 0, which holds the contrasts). */
		private final int[] count;

		/** Group (1..) of each subject. */
		private final int[] groupOf;

		/** A_d row-major, {@code a[(g * p + r) * p + s]}. */
		private final double[] a;

		/** Each subject's mean of the design rows, {@code xbar[i * p + q]}. */
		private final double[] xbar;

		RandomInterceptFitter(final FactoredDesign x, final String[] ids) {
			this.x = x;
			final int n = x.n, p = x.p;
			subject = new int[n];
			final Map<String, Integer> index = new LinkedHashMap<>();
			for (int j = 0; j < n; j++) {
				final Integer i = index.putIfAbsent(ids[j], index.size());
				subject[j] = i == null ? index.size() - 1 : i;
			}
			nSubjects = index.size();
			size = new int[nSubjects];
			for (final int i : subject)
				size[i]++;
			final int[] sizes = Arrays.stream(size).distinct().sorted().toArray();
			final int ng = sizes.length + 1;
			d = new double[ng];
			count = new int[ng];
			groupOf = new int[nSubjects];
			for (int g = 1; g < ng; g++)
				d[g] = sizes[g - 1];
			for (int i = 0; i < nSubjects; i++) {
				groupOf[i] = 1 + Arrays.binarySearch(sizes, size[i]);
				count[groupOf[i]]++;
			}
			xbar = new double[nSubjects * p];
			for (int j = 0; j < n; j++)
				for (int q = 0; q < p; q++)
					xbar[subject[j] * p + q] += x.x[j * p + q];
			for (int i = 0; i < nSubjects; i++)
				for (int q = 0; q < p; q++)
					xbar[i * p + q] /= size[i];
			a = new double[ng * p * p];
			for (int j = 0; j < n; j++) {
				final int i = subject[j];
				for (int r = 0; r < p; r++) {
					final double er = x.x[j * p + r] - xbar[i * p + r];
					for (int s = 0; s < p; s++)
						a[r * p + s] += er * (x.x[j * p + s] - xbar[i * p + s]);
				}
			}
			for (int i = 0; i < nSubjects; i++) {
				final int o = groupOf[i] * p * p;
				for (int r = 0; r < p; r++)
					for (int s = 0; s < p; s++)
						a[o + r * p + s] += size[i] * xbar[i * p + r] * xbar[i * p + s];
			}
		}

		@Override
		public int nColumns() {
			return x.p;
		}

		/** The per-feature group sums g_d (p each) and c_d. */
		private final class Sums {

			final double[] g = new double[d.length * x.p];

			final double[] c = new double[d.length];

			final double[] ybar = new double[nSubjects];

			Sums(final double[] y) {
				final int n = x.n, p = x.p;
				for (int j = 0; j < n; j++)
					ybar[subject[j]] += y[j];
				for (int i = 0; i < nSubjects; i++)
					ybar[i] /= size[i];
				for (int j = 0; j < n; j++) {
					final int i = subject[j];
					final double e = y[j] - ybar[i];
					c[0] += e * e;
					for (int q = 0; q < p; q++)
						g[q] += (x.x[j * p + q] - xbar[i * p + q]) * e;
				}
				for (int i = 0; i < nSubjects; i++) {
					final int gi = groupOf[i];
					c[gi] += size[i] * ybar[i] * ybar[i];
					for (int q = 0; q < p; q++)
						g[gi * p + q] += size[i] * xbar[i * p + q] * ybar[i];
				}
			}
		}

		/**
		 * The criterion at theta; when given, b into {@code b}, the derivative in theta into
		 * {@code deriv[0]} and q into {@code qOut[0]}.
		 */
		private double criterion(final Sums s, final double theta, final double[] b,
			final double[] deriv, final double[] qOut)
		{
			final int p = x.p, ng = d.length;
			final double[] m = new double[p * p], rhs = new double[p];
			for (int g = 0; g < ng; g++) {
				final double w = 1 / (1 + theta * d[g]);
				for (int k = 0; k < p * p; k++)
					m[k] += w * a[g * p * p + k];
				for (int q = 0; q < p; q++)
					rhs[q] += w * s.g[g * p + q];
			}
			final double[] l = cholesky(m, p);
			if (l == null) return Double.NaN;
			double logDet = 0;
			for (int q = 0; q < p; q++)
				logDet += 2 * Math.log(l[q * p + q]);
			final double[] bb = b != null ? b : new double[p];
			cholSolve(l, p, rhs, bb);
			double q = 0, dq = 0, dTr = 0, logV = 0, dLogV = 0;
			final double[] minv = deriv != null ? cholInverse(l, p) : null;
			for (int g = 0; g < ng; g++) {
				final double w = 1 / (1 + theta * d[g]);
				double r = s.c[g];
				final int o = g * p * p;
				for (int u = 0; u < p; u++) {
					r -= 2 * s.g[g * p + u] * bb[u];
					double ab = 0;
					for (int v = 0; v < p; v++)
						ab += a[o + u * p + v] * bb[v];
					r += bb[u] * ab;
				}
				q += w * r;
				if (g > 0) {
					logV += count[g] * Math.log1p(theta * d[g]);
					dLogV += count[g] * d[g] * w;
				}
				if (deriv != null && g > 0) {
					final double dw = -d[g] * w * w;
					dq += dw * r;
					double tr = 0;
					for (int k = 0; k < p * p; k++)
						tr += minv[k] * a[o + k];
					dTr += dw * tr;
				}
			}
			final double nm = x.n - p;
			if (deriv != null) deriv[0] = nm * dq / q + dLogV + dTr;
			if (qOut != null) qOut[0] = q;
			return nm * (1 + Math.log(2 * Math.PI * q / nm)) + logV + logDet;
		}

		/** The REML criterion of a feature at a given theta (tests compare optima with it). */
		double reml(final double[] y, final double theta) {
			return criterion(new Sums(y), theta, null, null, null);
		}

		/**
		 * Fits one feature.
		 *
		 * @param y the feature's value of every scan
		 * @param coef receives b
		 */
		Fit fitFeature(final double[] y, final double[] coef) {
			final Sums s = new Sums(y);
			final int nGrid = (int) Math.round((GRID_HI - GRID_LO) / GRID_STEP) + 2;
			final double[] grid = new double[nGrid];
			for (int i = 1; i < nGrid; i++)
				grid[i] = Math.pow(10, GRID_LO + (i - 1) * GRID_STEP);
			int best = 0;
			double bestV = Double.POSITIVE_INFINITY;
			for (int i = 0; i < nGrid; i++) {
				final double v = criterion(s, grid[i], null, null, null);
				if (v < bestV) {
					bestV = v;
					best = i;
				}
			}
			final double[] dv = new double[1];
			double theta;
			boolean converged = true;
			if (d.length == 2 && d[1] == 1) theta = 0; // one scan per subject: not identifiable
			else if (best == nGrid - 1) {
				theta = grid[best];
				converged = false;
			} else {
				double lo = best == 0 ? 0 : grid[best - 1], hi = grid[best + 1];
				criterion(s, lo, null, dv, null);
				final double dLo = dv[0];
				criterion(s, hi, null, dv, null);
				final double dHi = dv[0];
				if (best == 0 && dLo >= 0) theta = 0;
				else if (dLo < 0 && dHi > 0) {
					for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
						final double mid = 0.5 * (lo + hi);
						criterion(s, mid, null, dv, null);
						if (dv[0] < 0) lo = mid;
						else hi = mid;
					}
					theta = 0.5 * (lo + hi);
					if (criterion(s, theta, null, null, null) > bestV) theta = grid[best];
				} else theta = grid[best];
			}
			final double[] qq = new double[1];
			final double reml = criterion(s, theta, coef, null, qq);
			final double sigma2 = qq[0] / (x.n - x.p);
			final double[] blup = new double[nSubjects];
			final int p = x.p;
			for (int i = 0; i < nSubjects; i++) {
				double e = s.ybar[i];
				for (int q = 0; q < p; q++)
					e -= xbar[i * p + q] * coef[q];
				blup[i] = theta * size[i] / (1 + theta * size[i]) * e;
			}
			return new Fit(theta, sigma2, reml, blup, converged);
		}

		@Override
		public void fit(final FeatureChunk c) {
			final int len = c.len, n = x.n, p = x.p, k = x.nBatches;
			x.screen(c.y, len, c.status, c.from);
			final double[] yv = new double[n], bv = new double[p];
			for (int v = 0; v < len; v++) {
				if (!c.ok(v)) {
					for (int q = 0; q < p; q++)
						c.coef[q * len + v] = 0;
					c.location[v] = 0;
					c.modelVar[v] = 0;
					setOffset(c, v, null);
					continue;
				}
				for (int j = 0; j < n; j++)
					yv[j] = c.y[j * len + v];
				final Fit f = fitFeature(yv, bv);
				double loc = 0;
				for (int q = 0; q < p; q++)
					c.coef[q * len + v] = bv[q];
				for (int q = 0; q < k; q++)
					loc += x.grandWeights[q] * bv[q];
				c.location[v] = loc;
				c.modelVar[v] = f.sigma2;
				setOffset(c, v, f.blup);
			}
		}

		/**
		 * Each scan's subject BLUP (or 0) as the chunk's offset of feature v; nothing in a chunk
		 * without residuals and means (a fit that reads only the coefficients).
		 */
		private void setOffset(final FeatureChunk c, final int v, final double[] blup) {
			if (c.offset.length == 0) return;
			for (int j = 0; j < x.n; j++)
				c.offset[j * c.len + v] = blup == null ? 0 : blup[subject[j]];
		}

		@Override
		public void residuals(final FeatureChunk c) {
			x.residuals(c);
			for (int i = 0; i < x.n * c.len; i++)
				c.residual[i] -= c.offset[i];
		}

		@Override
		public void means(final FeatureChunk c) {
			x.means(c);
			for (int i = 0; i < x.n * c.len; i++)
				c.mean[i] += c.offset[i];
		}
	}

	/** Lower Cholesky factor of a p x p symmetric matrix, or null if not positive definite. */
	static double[] cholesky(final double[] m, final int p) {
		final double[] l = new double[p * p];
		for (int i = 0; i < p; i++)
			for (int j = 0; j <= i; j++) {
				double s = m[i * p + j];
				for (int k = 0; k < j; k++)
					s -= l[i * p + k] * l[j * p + k];
				if (i == j) {
					if (!(s > 0)) return null;
					l[i * p + i] = Math.sqrt(s);
				} else l[i * p + j] = s / l[j * p + j];
			}
		return l;
	}

	/** Solves L L' out = rhs. */
	static void cholSolve(final double[] l, final int p, final double[] rhs, final double[] out) {
		final double[] z = new double[p];
		for (int i = 0; i < p; i++) {
			double s = rhs[i];
			for (int k = 0; k < i; k++)
				s -= l[i * p + k] * z[k];
			z[i] = s / l[i * p + i];
		}
		for (int i = p - 1; i >= 0; i--) {
			double s = z[i];
			for (int k = i + 1; k < p; k++)
				s -= l[k * p + i] * out[k];
			out[i] = s / l[i * p + i];
		}
	}

	/** (L L')^-1, row-major. */
	static double[] cholInverse(final double[] l, final int p) {
		final double[] inv = new double[p * p], e = new double[p], col = new double[p];
		for (int c = 0; c < p; c++) {
			Arrays.fill(e, 0);
			e[c] = 1;
			cholSolve(l, p, e, col);
			for (int r = 0; r < p; r++)
				inv[r * p + c] = col[r];
		}
		return inv;
	}
}
