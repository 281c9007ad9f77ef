// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * The first part of a harmonisation method: per feature v, the expected value of subject j from
 * its site and its coded covariates, {@code E[y_jv] = alpha_v + gamma_site(j),v + X_j beta_v},
 * fitted one {@link FeatureChunk} at a time. Today's model is ordinary least squares
 * ({@link OlsMean}); natural-spline terms are coded covariate columns ({@code age[ns1]} ...), so
 * OLS fits them too. A penalised smooth or a random subject intercept is another implementation:
 * it writes the same estimates (coefficients, location, standardisation mean, residuals), and the
 * rest of the method (scale model, empirical Bayes, the adjustment, the writers) is unchanged.
 * <p>
 * Implementations are immutable; {@link #fitter} does the per-design work once, and the fitter
 * is then called from several threads, one chunk each.
 */
interface MeanModel {

	/** @return the name in run records ("ols") */
	String name();

	/**
	 * @param design subjects, sites and coded covariates, already validated by the method
	 * @param ref the reference site's index, or -1: with a reference, the reference site's
	 *          column is the intercept (sva's coding) and alpha is its level; without, the site
	 *          columns are one-hot and alpha weighs them by site size
	 */
	Fitter fitter(Design design, int ref);

	/** A mean model prepared for one design. Thread-safe. */
	interface Fitter {

		/** @return the number of coefficients per feature: sites, then covariate columns */
		int nColumns();

		/**
		 * Screens the chunk's features (their {@link FeatureStatus} into the chunk's status) and
		 * fits the harmonised ones: coefficients and location.
		 */
		void fit(FeatureChunk c);

		/** The residuals y - fitted (site included) of every subject, after {@link #fit}. */
		void residuals(FeatureChunk c);

		/** The standardisation mean alpha + X_j beta of every subject, after {@link #fit}. */
		void means(FeatureChunk c);
	}
}
