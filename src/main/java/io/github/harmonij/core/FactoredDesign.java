// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularMatrixException;

/**
 * The site-plus-covariates design matrix X = [batch one-hot | covariates] (N x P, P = K + C),
 * factored once. With a reference batch r, column r is all ones (sva::ComBat's coding). Every
 * feature shares X, so the least-squares coefficients of feature v are {@code proj * y_v} with the
 * P x N projector {@code proj = (X'X)^-1 X'} formed here once.
 * <p>
 * Also screens features ({@link FeatureStatus}) and checks designs ({@link #problems}).
 * Package-private; immutable and thread-safe.
 */
final class FactoredDesign {

	/**
	 * Relative tolerance of the rank check: a column whose component orthogonal to the previous
	 * columns is below this fraction of its norm is dependent. It is the default {@code tol} of R's
	 * {@code qr()}, which sva::ComBat uses for its confounding check.
	 */
	static final double RANK_TOL = 1e-7;

	final int n;

	final int nBatches;

	final int nCov;

	final int p;

	/** -1 for none. */
	final int ref;

	final int[] batch;

	final int[] batchSize;

	/** First subject of each batch (-1 if empty). */
	final int[] firstOf;

	/** X row-major: {@code x[j * p + q]}. */
	final double[] x;

	/** (X'X)^-1 X' row-major: {@code proj[q * n + j]}. */
	final double[] proj;

	/** Weights of the batch coefficients in the grand mean: n_k / N, or 1 at the reference. */
	final double[] grandWeights;

	/** Site means of the covariates: {@code covMean[k * nCov + c]} (0 for an empty site). */
	final double[] covMean;

	/** Covariates centred within their site: {@code xc[j * nCov + c] = x_jc - covMean[k(j), c]}. */
	final double[] xc;

	/**
	 * Within-site Gram matrices of the centred covariates, {@code W_k = sum_(j in k) xc_j xc_j'}:
	 * {@code gramSite[(k * nCov + c) * nCov + d]}.
	 */
	final double[] gramSite;

	/** (sum_k W_k)^-1, row-major C x C: the pooled within-site regression (empty if C = 0). */
	final double[] gramInv;

	private FactoredDesign(final Design d, final int ref) {
		this.n = d.nSubjects();
		this.nBatches = d.nBatches();
		this.nCov = d.nCovariates();
		this.p = nBatches + nCov;
		this.ref = ref;
		this.batch = d.batches();
		this.batchSize = d.batchSizes();
		this.firstOf = new int[nBatches];
		Arrays.fill(firstOf, -1);
		for (int j = n - 1; j >= 0; j--)
			firstOf[batch[j]] = j;
		x = new double[n * p];
		for (int j = 0; j < n; j++) {
			for (int k = 0; k < nBatches; k++)
				x[j * p + k] = batch[j] == k || k == ref ? 1 : 0;
			for (int c = 0; c < nCov; c++)
				x[j * p + nBatches + c] = d.covariate(j, c);
		}
		final double[][] xm = new double[n][p];
		for (int j = 0; j < n; j++)
			System.arraycopy(x, j * p, xm[j], 0, p);
		// Householder QR least squares: the pseudo-inverse R^-1 Q' is the projector
		final RealMatrix pinv = new QRDecomposition(new Array2DRowRealMatrix(xm, false)).getSolver()
			.getInverse();
		proj = new double[p * n];
		for (int q = 0; q < p; q++)
			for (int j = 0; j < n; j++)
				proj[q * n + j] = pinv.getEntry(q, j);
		grandWeights = new double[nBatches];
		for (int k = 0; k < nBatches; k++)
			grandWeights[k] = ref >= 0 ? (k == ref ? 1 : 0) : (double) batchSize[k] / n;
		// centred covariates (two-pass means) and the within-site Gram matrices
		covMean = new double[nBatches * nCov];
		for (int j = 0; j < n; j++)
			for (int c = 0; c < nCov; c++)
				covMean[batch[j] * nCov + c] += x[j * p + nBatches + c];
		for (int k = 0; k < nBatches; k++)
			for (int c = 0; c < nCov; c++)
				if (batchSize[k] > 0) covMean[k * nCov + c] /= batchSize[k];
		xc = new double[n * nCov];
		gramSite = new double[nBatches * nCov * nCov];
		final double[][] gram = new double[nCov][nCov];
		for (int j = 0; j < n; j++) {
			final int k = batch[j];
			for (int c = 0; c < nCov; c++)
				xc[j * nCov + c] = x[j * p + nBatches + c] - covMean[k * nCov + c];
			for (int c = 0; c < nCov; c++)
				for (int e = 0; e < nCov; e++) {
					final double w = xc[j * nCov + c] * xc[j * nCov + e];
					gramSite[(k * nCov + c) * nCov + e] += w;
					gram[c][e] += w;
				}
		}
		gramInv = new double[nCov * nCov];
		try {
			if (nCov > 0) {
				final RealMatrix inv = new QRDecomposition(new Array2DRowRealMatrix(gram, false))
					.getSolver().getInverse();
				for (int c = 0; c < nCov; c++)
					for (int e = 0; e < nCov; e++)
						gramInv[c * nCov + e] = inv.getEntry(c, e);
			}
		}
		catch (final SingularMatrixException e) {
			// not for a design that passed problems(); NaN sends every feature to the exact path
			Arrays.fill(gramInv, Double.NaN);
		}
	}

	/** Factors a design already checked with {@link #problems}. */
	static FactoredDesign of(final Design d, final int ref) {
		return new FactoredDesign(d, ref);
	}

	/**
	 * Checks a design before any heavy work.
	 *
	 * @param refBatch reference level or null
	 * @param minPerSite smallest allowed site size (2 for ComBat's variances, 1 otherwise)
	 * @param singleHint what to suggest for a site below {@code minPerSite}
	 * @return one message per problem, naming sites and columns; empty if the design is fine
	 */
	static List<String> problems(final Design d, final String refBatch, final int minPerSite,
		final String singleHint)
	{
		final List<String> out = new ArrayList<>();
		final int[] sizes = d.batchSizes();
		int nonEmpty = 0;
		for (final int s : sizes)
			if (s > 0) nonEmpty++;
		if (nonEmpty < 2) out.add("The cohort has " + nonEmpty + " site" + (nonEmpty == 1 ? "" : "s") +
			(nonEmpty == 1 ? " (\"" + onlyLevel(d, sizes) + "\")" : "") +
			"; harmonisation needs at least 2 sites. Check the site column.");
		for (int k = 0; k < sizes.length; k++) {
			if (sizes[k] == 0) out.add("Site \"" + d.batchLevel(k) +
				"\" has no subjects. Remove the level from the site list.");
			else if (sizes[k] < minPerSite) out.add("Site \"" + d.batchLevel(k) + "\" has " +
				sizes[k] + " subject; " + singleHint);
		}
		if (refBatch != null && d.batchIndex(refBatch) < 0) out.add("Reference site \"" + refBatch +
			"\" is not among the sites " + quoteAll(d.batchLevels()) + ". Choose one of them.");
		final boolean[] constant = new boolean[d.nCovariates()];
		for (int c = 0; c < d.nCovariates(); c++) {
			boolean same = true, finite = true;
			for (int j = 0; j < d.nSubjects(); j++) {
				final double v = d.covariate(j, c);
				finite &= Double.isFinite(v);
				same &= v == d.covariate(0, c);
			}
			if (!finite) {
				constant[c] = true;
				out.add("Covariate \"" + d.covariateName(c) +
					"\" has a missing or infinite value. Enter the values or remove the subjects.");
			}
			else if (same && d.nSubjects() > 0) {
				constant[c] = true;
				out.add("Covariate \"" + d.covariateName(c) + "\" is constant (" +
					d.covariate(0, c) + " for every subject), so its effect cannot be estimated. " +
					"Remove it.");
			}
		}
		out.addAll(rankProblems(d, constant));
		return out;
	}

	// -- Helper methods --

	/**
	 * Modified Gram-Schmidt (twice, for orthogonality) over the columns in order, batches first:
	 * a column whose residual falls under {@link #RANK_TOL} of its norm is a combination of the
	 * earlier independent columns, and the coefficients of that combination name the columns
	 * involved (a minimal dependent set together with the column itself).
	 */
	private static List<String> rankProblems(final Design d, final boolean[] skip) {
		final List<String> out = new ArrayList<>();
		final int n = d.nSubjects(), k = d.nBatches(), c = d.nCovariates();
		final List<double[]> basis = new ArrayList<>(); // orthonormal
		final List<Integer> basisCols = new ArrayList<>();
		final List<double[]> kept = new ArrayList<>(); // raw columns
		for (int q = 0; q < k + c; q++) {
			if (q >= k && skip[q - k]) continue;
			final double[] col = new double[n];
			for (int j = 0; j < n; j++)
				col[j] = q < k ? (d.batch(j) == q ? 1 : 0) : d.covariate(j, q - k);
			final double norm = norm(col);
			if (norm == 0) continue; // an empty site, reported already
			final double[] r = col.clone();
			for (int pass = 0; pass < 2; pass++)
				for (final double[] e : basis) {
					final double dot = dot(e, r);
					for (int j = 0; j < n; j++)
						r[j] -= dot * e[j];
				}
			final double rn = norm(r);
			if (rn <= RANK_TOL * norm) {
				out.add(dependencyMessage(d, q, col, kept, basisCols));
				continue;
			}
			for (int j = 0; j < n; j++)
				r[j] /= rn;
			basis.add(r);
			basisCols.add(q);
			kept.add(col);
		}
		return out;
	}

	private static String dependencyMessage(final Design d, final int q, final double[] col,
		final List<double[]> kept, final List<Integer> cols)
	{
		final int n = col.length, m = kept.size();
		final double[][] a = new double[n][m];
		for (int j = 0; j < n; j++)
			for (int i = 0; i < m; i++)
				a[j][i] = kept.get(i)[j];
		final double[] coef = new QRDecomposition(new Array2DRowRealMatrix(a, false)).getSolver()
			.solve(new org.apache.commons.math3.linear.ArrayRealVector(col)).toArray();
		final double colNorm = norm(col);
		final List<String> names = new ArrayList<>();
		boolean allSites = true;
		for (int i = 0; i < m; i++)
			if (Math.abs(coef[i]) * norm(kept.get(i)) > RANK_TOL * colNorm) {
				names.add(columnName(d, cols.get(i)));
				allSites &= cols.get(i) < d.nBatches();
			}
		final String what = columnName(d, q);
		final String how = allSites ? " is confounded with site: it is determined by " :
			" is a linear combination of ";
		return capitalise(what) + how + String.join(", ", names) +
			", so the design is singular. Remove " + what + " or recode the covariates.";
	}

	private static String columnName(final Design d, final int q) {
		return q < d.nBatches() ? "site \"" + d.batchLevel(q) + "\"" : "covariate \"" +
			d.covariateName(q - d.nBatches()) + "\"";
	}

	private static String capitalise(final String s) {
		return Character.toUpperCase(s.charAt(0)) + s.substring(1);
	}

	private static String onlyLevel(final Design d, final int[] sizes) {
		for (int k = 0; k < sizes.length; k++)
			if (sizes[k] > 0) return d.batchLevel(k);
		return "";
	}

	static String quoteAll(final String[] levels) {
		final StringBuilder sb = new StringBuilder();
		for (int i = 0; i < levels.length; i++)
			sb.append(i == 0 ? "" : ", ").append('"').append(levels[i]).append('"');
		return sb.toString();
	}

	private static double dot(final double[] a, final double[] b) {
		double s = 0;
		for (int i = 0; i < a.length; i++)
			s += a[i] * b[i];
		return s;
	}

	private static double norm(final double[] a) {
		return Math.sqrt(dot(a, a));
	}

	/**
	 * Screens the features of a chunk: {@code y[j * len + v]} for subjects j and features
	 * v in [0, len). Writes {@link FeatureStatus} ordinals into {@code status[offset + v]}.
	 * NON_FINITE wins over CONSTANT, which wins over CONSTANT_IN_SITE (sites of size at least 2).
	 */
	void screen(final double[] y, final int len, final byte[] status, final int offset) {
		final boolean[] finite = new boolean[len];
		final boolean[] differs = new boolean[len];
		final boolean[] siteDiffers = new boolean[nBatches * len];
		Arrays.fill(finite, true);
		for (int j = 0; j < n; j++) {
			final int row = j * len, first = firstOf[batch[j]] * len, b = batch[j] * len;
			for (int v = 0; v < len; v++) {
				final double yv = y[row + v];
				finite[v] &= Double.isFinite(yv);
				differs[v] |= yv != y[v];
				siteDiffers[b + v] |= yv != y[first + v];
			}
		}
		for (int v = 0; v < len; v++) {
			FeatureStatus s = FeatureStatus.HARMONISED;
			if (!finite[v]) s = FeatureStatus.NON_FINITE;
			else if (!differs[v]) s = FeatureStatus.CONSTANT;
			else for (int k = 0; k < nBatches; k++)
				if (batchSize[k] >= 2 && !siteDiffers[k * len + v]) {
					s = FeatureStatus.CONSTANT_IN_SITE;
					break;
				}
			status[offset + v] = (byte) s.ordinal();
		}
	}

	/** Least-squares coefficients of a chunk: {@code b[q * len + v] = sum_j proj[q][j] y[j][v]}. */
	void solve(final double[] y, final int len, final double[] b) {
		Arrays.fill(b, 0, p * len, 0);
		for (int q = 0; q < p; q++) {
			final int bo = q * len;
			for (int j = 0; j < n; j++) {
				final double h = proj[q * n + j];
				final int yo = j * len;
				for (int v = 0; v < len; v++)
					b[bo + v] += h * y[yo + v];
			}
		}
	}

	/**
	 * The residuals {@code y - X coef} (site columns included) of every subject of a chunk whose
	 * coefficients are this design's columns, into the chunk's {@code residual}.
	 */
	void residuals(final FeatureChunk c) {
		final int len = c.len;
		for (int j = 0; j < n; j++) {
			final int row = j * len;
			System.arraycopy(c.y, row, c.residual, row, len);
			for (int q = 0; q < p; q++) {
				final double xq = x[j * p + q];
				if (xq == 0) continue;
				for (int v = 0; v < len; v++)
					c.residual[row + v] -= xq * c.coef[q * len + v];
			}
		}
	}

	/**
	 * The standardisation mean {@code location + X_cov beta} (no site columns) of every subject of
	 * a chunk, into its {@code mean}.
	 */
	void means(final FeatureChunk c) {
		final int len = c.len;
		for (int j = 0; j < n; j++) {
			final int row = j * len;
			System.arraycopy(c.location, 0, c.mean, row, len);
			for (int q = 0; q < nCov; q++) {
				final double xq = x[j * p + nBatches + q];
				for (int v = 0; v < len; v++)
					c.mean[row + v] += xq * c.coef[(nBatches + q) * len + v];
			}
		}
	}

	/** Reads a chunk of features [from, from + len) of all subjects into {@code y[j * len + v]}. */
	void gather(final FeatureMatrix m, final int from, final int len, final double[] y) {
		for (int j = 0; j < n; j++)
			m.get(j, from, from + len, y, j * len);
	}

	/** Checks that a matrix has this design's subjects. */
	static void checkShape(final FeatureMatrix m, final String what, final int nSubjects,
		final int nFeatures)
	{
		if (m.nSubjects() != nSubjects || (nFeatures >= 0 && m.nFeatures() != nFeatures))
			throw new InputException("The " + what + " data have " + m.nSubjects() + " subjects and " +
				m.nFeatures() + " features, but the model has " + nSubjects + " subjects" +
				(nFeatures >= 0 ? " and " + nFeatures + " features" : "") +
				". Use the same cohort as the fit.");
	}
}
