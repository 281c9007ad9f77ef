// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * What a harmonisation did with one feature. Only {@link #HARMONISED} features are adjusted and
 * enter the empirical Bayes priors; every other feature is copied through unchanged (never NaN),
 * which is sva::ComBat's rule for features with zero variance in a batch.
 */
public enum FeatureStatus {
	/** Adjusted by the model. */
	HARMONISED("harmonised"),
	/** At least one subject has NaN or an infinite value; copied through. */
	NON_FINITE("not finite in some subject"),
	/** The same value in every subject (e.g. outside the brain); copied through. */
	CONSTANT("constant in all subjects"),
	/** The same value in every subject of some site with at least 2 subjects; copied through. */
	CONSTANT_IN_SITE("constant within a site"),
	/**
	 * Missing-value mode only: some site has too few non-missing values (fewer than 2, or 1 in
	 * mean-only mode), or the design restricted to the non-missing subjects is singular; copied
	 * through.
	 */
	TOO_FEW_VALUES("too few non-missing values in some site");

	private final String description;

	FeatureStatus(final String description) {
		this.description = description;
	}

	private static final FeatureStatus[] VALUES = values();

	/** @return the status of ordinal {@code code} (without the copy {@link #values()} makes) */
	static FeatureStatus of(final byte code) {
		return VALUES[code];
	}

	/** @return a short lower-case description for logs and summaries */
	public String description() {
		return description;
	}
}
