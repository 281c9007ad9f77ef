// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.Locale;

/** How ComBat shrinks the per-feature site estimates (Johnson et al. 2007). */
public enum EmpiricalBayes {
	/** Normal prior on gamma, inverse-gamma prior on delta^2 (sva {@code par.prior = TRUE}). */
	PARAMETRIC("parametric"),
	/** Priors from the other features' estimates (sva {@code par.prior = FALSE}). */
	NONPARAMETRIC("nonparametric"),
	/** No shrinkage: the per-feature estimates are used (neuroCombat {@code eb = False}). */
	NONE("none");

	private final String key;

	EmpiricalBayes(final String key) {
		this.key = key;
	}

	/** @return the option value users type: parametric, nonparametric or none */
	public String key() {
		return key;
	}

	/**
	 * Parses a user's option value ("parametric", "nonparametric", "non-parametric", "none"), case
	 * insensitive.
	 *
	 * @throws InputException naming the allowed values
	 */
	public static EmpiricalBayes parse(final String s) {
		final String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace("-", "")
			.replace("_", "");
		for (final EmpiricalBayes e : values())
			if (e.key.equals(k)) return e;
		throw new InputException("eb=\"" + s +
			"\" is not an empirical Bayes mode; use parametric, nonparametric or none.");
	}
}
