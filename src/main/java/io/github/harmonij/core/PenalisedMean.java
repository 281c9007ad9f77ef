// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.Arrays;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * A mean model with one penalised block of covariate columns (a smooth such as
 * {@link CubicRegressionSpline}'s constrained basis): per feature,
 * {@code b = argmin |y - X b|^2 + lambda b' S b}, with the smoothing parameter lambda chosen by
 * REML with the residual variance profiled out, as {@code mgcv::gam(..., method="REML")} does for
 * a Gaussian model:
 *
 * <pre>
 * V(lambda) = (n - Mp)/2 log D(lambda) + 1/2 log|X'X + lambda S| - r/2 log(lambda)
 * D(lambda) = |y - X b|^2 + lambda b' S b
 * </pre>
 *
 * (r the rank of S, Mp = p - r). The design is the same for every feature, so it is factored once:
 * {@code X = QR} and {@code R^-T S R^-1 = U diag(s) U'}. With {@code z = U'Q'y} and
 * {@code t_i = lambda s_i / (1 + lambda s_i)}, {@code D = |y - QQ'y|^2 + sum z_i^2 t_i} and
 * {@code log|X'X + lambda S| = log|R'R| + sum log(1 + lambda s_i)}: one projection per feature
 * (O(N p)), then O(p) per trial lambda in a Newton search on log lambda. At the optimum
 * {@code b = R^-1 U diag(1 - t) z}, and the block's effective degrees of freedom are
 * {@code sum_i (1 - t_i)} less the unpenalised columns outside the block (the trace of
 * {@code (X'X + lambda S)^-1 X'X} over the block; each unpenalised column contributes 1).
 * <p>
 * Immutable; the fitter is thread-safe.
 */
final class PenalisedMean implements MeanModel {

	/** Newton stops when the step in log lambda is below this. */
	static final double TOL = 1e-10;

	private static final int MAX_ITER = 200;

	/** The search bounds around the penalty's scale, in log lambda. */
	private static final double SPAN = 25;

	private final int blockFrom;

	private final int blockLen;

	private final double[] penalty;

	private final int aliased;

	/**
	 * @param blockFrom the first covariate column of the penalised block (index among the
	 *          design's covariates)
	 * @param blockLen the block's number of columns
	 * @param penalty S, blockLen x blockLen row-major, symmetric positive semi-definite
	 * @param aliased aliased unpenalised columns that mgcv would count in Mp (see
	 *          {@link #comfamAliased}); 0 for the REML of the design as given
	 */
	PenalisedMean(final int blockFrom, final int blockLen, final double[] penalty,
		final int aliased)
	{
		if (penalty.length != blockLen * blockLen) throw new IllegalArgumentException(
			"penalty is not " + blockLen + " x " + blockLen);
		if (aliased < 0) throw new IllegalArgumentException("aliased < 0");
		this.blockFrom = blockFrom;
		this.blockLen = blockLen;
		this.penalty = penalty.clone();
		this.aliased = aliased;
	}

	/**
	 * The aliased columns of ComBatFamily's model for a design: comfam fits
	 * {@code update(formula, ~ . + batch - 1)}, and without an intercept R's
	 * {@code model.matrix} codes the first factor covariate with all its levels, one column more
	 * than the treatment coding of {@link Design}, aliased with the site columns. mgcv drops that
	 * column from the fit (the fitted values are those of the design as given) but counts it in
	 * {@code Mp}, the unpenalised dimension of its REML criterion ({@code n - Mp} multiplies
	 * {@code log D}). So to give mgcv's smoothing parameters, pass 1 when the covariates include
	 * a factor, 0 when they are all numeric.
	 *
	 * @param hasFactor whether any covariate of the formula is categorical
	 */
	static int comfamAliased(final boolean hasFactor) {
		return hasFactor ? 1 : 0;
	}

	@Override
	public String name() {
		return "reml";
	}

	@Override
	public PenalisedFitter fitter(final Design design, final int ref) {
		if (blockFrom < 0 || blockFrom + blockLen > design.nCovariates())
			throw new IllegalArgumentException("the penalised block is outside the covariates");
		return new PenalisedFitter(FactoredDesign.of(design, ref));
	}

	/** The smoothing of one feature at the REML optimum. */
	static final class Smoothing {

		/** lambda on the penalty as given. */
		final double lambda;

		/** The block's effective degrees of freedom. */
		final double edf;

		/** The REML criterion V at lambda (up to constants; lower is better). */
		final double reml;

		/** Whether Newton converged inside the search bounds (else lambda is at a bound). */
		final boolean converged;

		Smoothing(final double lambda, final double edf, final double reml,
			final boolean converged)
		{
			this.lambda = lambda;
			this.edf = edf;
			this.reml = reml;
			this.converged = converged;
		}
	}

	/** The model prepared for one design. Thread-safe. */
	final class PenalisedFitter implements MeanModel.Fitter {

		final FactoredDesign x;

		/** (QU)': row i is the i-th rotated direction, {@code w[i * n + j]}. */
		private final double[] w;

		/** R^-1 U, p x p row-major. */
		private final double[] g;

		/** The eigenvalues s_i of R^-T S R^-1 (tiny ones set to 0). */
		final double[] s;

		/** The rank r of S and the unpenalised columns outside the block. */
		private final int rank, outside;

		/** Centre of the search in log lambda: minus the log of the mean positive s_i. */
		private final double centre;

		PenalisedFitter(final FactoredDesign x) {
			this.x = x;
			final int n = x.n, p = x.p;
			final double[][] xm = new double[n][p];
			for (int j = 0; j < n; j++)
				System.arraycopy(x.x, j * p, xm[j], 0, p);
			final QRDecomposition qr = new QRDecomposition(new Array2DRowRealMatrix(xm, false));
			final RealMatrix q = qr.getQ().getSubMatrix(0, n - 1, 0, p - 1);
			final RealMatrix r = qr.getR().getSubMatrix(0, p - 1, 0, p - 1);
			final RealMatrix rInv = new org.apache.commons.math3.linear.LUDecomposition(r).getSolver()
				.getInverse();
			final double[][] sf = new double[p][p];
			final int o = x.nBatches + blockFrom;
			for (int a = 0; a < blockLen; a++)
				for (int b = 0; b < blockLen; b++)
					sf[o + a][o + b] = penalty[a * blockLen + b];
			RealMatrix m = rInv.transpose().multiply(new Array2DRowRealMatrix(sf, false)).multiply(
				rInv);
			m = m.add(m.transpose()).scalarMultiply(0.5);
			final EigenDecomposition eig = new EigenDecomposition(m);
			s = eig.getRealEigenvalues().clone();
			final RealMatrix uM = eig.getV();
			double max = 0;
			for (final double si : s)
				max = Math.max(max, si);
			int rk = 0;
			double sum = 0;
			for (int i = 0; i < p; i++) {
				if (s[i] <= max * 1e-10) s[i] = 0;
				else {
					rk++;
					sum += s[i];
				}
			}
			rank = rk;
			outside = p - blockLen;
			centre = rk == 0 ? 0 : -Math.log(sum / rk);
			final RealMatrix qu = q.multiply(uM);
			w = new double[p * n];
			for (int i = 0; i < p; i++)
				for (int j = 0; j < n; j++)
					w[i * n + j] = qu.getEntry(j, i);
			final RealMatrix gm = rInv.multiply(uM);
			g = new double[p * p];
			for (int a = 0; a < p; a++)
				for (int b = 0; b < p; b++)
					g[a * p + b] = gm.getEntry(a, b);
		}

		@Override
		public int nColumns() {
			return x.p;
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
					continue;
				}
				for (int j = 0; j < n; j++)
					yv[j] = c.y[j * len + v];
				fitFeature(yv, bv);
				double loc = 0;
				for (int q = 0; q < p; q++)
					c.coef[q * len + v] = bv[q];
				for (int q = 0; q < k; q++)
					loc += x.grandWeights[q] * bv[q];
				c.location[v] = loc;
			}
		}

		/**
		 * Fits one feature.
		 *
		 * @param y the feature's value of every subject
		 * @param coef receives the p coefficients at the REML optimum
		 * @return the smoothing parameter, edf and criterion there
		 */
		Smoothing fitFeature(final double[] y, final double[] coef) {
			final int n = x.n, p = x.p;
			final double[] z = new double[p];
			for (int i = 0; i < p; i++) {
				double a = 0;
				for (int j = 0; j < n; j++)
					a += w[i * n + j] * y[j];
				z[i] = a;
			}
			double rss0 = 0;
			for (int j = 0; j < n; j++) {
				double e = y[j];
				for (int i = 0; i < p; i++)
					e -= w[i * n + j] * z[i];
				rss0 += e * e;
			}
			final double[] z2 = new double[p];
			for (int i = 0; i < p; i++)
				z2[i] = z[i] * z[i];
			// a coarse grid for the basin, then safeguarded Newton on rho = log lambda
			final double lo = centre - SPAN, hi = centre + SPAN;
			double rho = lo, best = Double.POSITIVE_INFINITY;
			for (double t = lo; t <= hi + 1e-9; t += 0.5) {
				final double vt = criterion(t, z2, rss0, null);
				if (vt < best) {
					best = vt;
					rho = t;
				}
			}
			final double[] d = new double[2];
			boolean converged = false;
			double v = criterion(rho, z2, rss0, d);
			for (int it = 0; it < MAX_ITER; it++) {
				double step = d[1] > 0 ? -d[0] / d[1] : -Math.signum(d[0]);
				if (Math.abs(step) > 2) step = 2 * Math.signum(step);
				double next = Math.max(lo, Math.min(hi, rho + step));
				double vn = criterion(next, z2, rss0, null);
				int halvings = 0;
				while (vn > v && halvings < 60) {
					step /= 2;
					next = Math.max(lo, Math.min(hi, rho + step));
					vn = criterion(next, z2, rss0, null);
					halvings++;
				}
				final double moved = Math.abs(next - rho);
				if (vn <= v) {
					rho = next;
					v = criterion(rho, z2, rss0, d);
				}
				if (moved < TOL || halvings == 60) {
					converged = rho > lo && rho < hi;
					break;
				}
			}
			final double lambda = Math.exp(rho);
			double edf = 0;
			final double[] bz = new double[p];
			for (int i = 0; i < p; i++) {
				final double keep = 1 / (1 + lambda * s[i]);
				edf += keep;
				bz[i] = keep * z[i];
			}
			for (int a = 0; a < p; a++) {
				double b = 0;
				for (int i = 0; i < p; i++)
					b += g[a * p + i] * bz[i];
				coef[a] = b;
			}
			return new Smoothing(lambda, edf - outside, v, converged);
		}

		/**
		 * V(rho) up to constants; with {@code d}, its first and second derivatives in rho into
		 * d[0] and d[1].
		 */
		double criterion(final double rho, final double[] z2, final double rss0,
			final double[] d)
		{
			final double lambda = Math.exp(rho);
			double dev = rss0, d1 = 0, d2 = 0, logDet = 0, st = 0, st1 = 0;
			for (int i = 0; i < z2.length; i++) {
				if (s[i] == 0) continue;
				final double ls = lambda * s[i];
				final double t = ls / (1 + ls);
				dev += z2[i] * t;
				logDet += Math.log1p(ls);
				if (d != null) {
					final double tt = t * (1 - t);
					d1 += z2[i] * tt;
					d2 += z2[i] * tt * (1 - 2 * t);
					st += t;
					st1 += tt;
				}
			}
			final double nm = x.n - (x.p - rank) - aliased;
			if (d != null) {
				d[0] = nm / 2 * d1 / dev + st / 2 - rank / 2.0;
				d[1] = nm / 2 * (d2 / dev - d1 * d1 / (dev * dev)) + st1 / 2;
			}
			return nm / 2 * Math.log(dev) + logDet / 2 - rank / 2.0 * rho;
		}

		/**
		 * REML of one feature at a given lambda (for tests comparing optima).
		 */
		double reml(final double[] y, final double lambda) {
			final int n = x.n, p = x.p;
			final double[] z2 = new double[p];
			double rss0 = 0;
			final double[] z = new double[p];
			for (int i = 0; i < p; i++) {
				for (int j = 0; j < n; j++)
					z[i] += w[i * n + j] * y[j];
				z2[i] = z[i] * z[i];
			}
			for (int j = 0; j < n; j++) {
				double e = y[j];
				for (int i = 0; i < p; i++)
					e -= w[i * n + j] * z[i];
				rss0 += e * e;
			}
			return criterion(Math.log(lambda), z2, rss0, null);
		}

		@Override
		public void residuals(final FeatureChunk c) {
			x.residuals(c);
		}

		@Override
		public void means(final FeatureChunk c) {
			x.means(c);
		}

		@Override
		public String toString() {
			return "penalised mean, rank " + rank + ", eigenvalues " + Arrays.toString(s);
		}
	}
}
