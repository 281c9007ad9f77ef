// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * The second part of a location-scale harmonisation method: per feature, the spread
 * {@code sigma^2_v} of the mean model's residuals, by which the data are standardised before the
 * site effects are estimated, and multiplied back after. Today's model is the pooled variance
 * ({@link PooledVariance}); a covariate-dependent scale (ComBatLS) is another implementation.
 * Immutable; the fitter is thread-safe.
 */
interface ScaleModel {

	/** @return the name in run records ("pooled") */
	String name();

	/**
	 * @param design subjects and sites, already validated by the method
	 * @param ref the reference site's index, or -1
	 */
	Fitter fitter(Design design, int ref);

	/** A scale model prepared for one design. Thread-safe. */
	interface Fitter {

		/** Writes sigma^2 of the chunk's features into its {@code var}, from its residuals. */
		void fit(FeatureChunk c);
	}
}
