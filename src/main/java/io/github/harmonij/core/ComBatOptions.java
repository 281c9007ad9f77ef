// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.Objects;

/**
 * The options of a ComBat fit, named as in sva::ComBat: {@code par.prior} / {@code eb}
 * ({@link #eb()}), {@code mean.only} ({@link #meanOnly()}) and {@code ref.batch}
 * ({@link #refBatch()}). Immutable; the {@code with*} methods return modified copies.
 */
public final class ComBatOptions {

	private final EmpiricalBayes eb;

	private final boolean meanOnly;

	private final String refBatch;

	private final boolean missingValues;

	private ComBatOptions(final EmpiricalBayes eb, final boolean meanOnly, final String refBatch,
		final boolean missingValues)
	{
		this.eb = Objects.requireNonNull(eb, "eb");
		this.meanOnly = meanOnly;
		this.refBatch = refBatch;
		this.missingValues = missingValues;
	}

	/** @return parametric empirical Bayes, location and scale, no reference batch (sva's defaults) */
	public static ComBatOptions defaults() {
		return new ComBatOptions(EmpiricalBayes.PARAMETRIC, false, null, false);
	}

	/** @return how the per-feature site estimates are shrunk */
	public EmpiricalBayes eb() {
		return eb;
	}

	/** @return true to adjust site means only (delta* = 1), sva {@code mean.only = TRUE} */
	public boolean meanOnly() {
		return meanOnly;
	}

	/** @return the batch level left unchanged and used as the target, or null for none */
	public String refBatch() {
		return refBatch;
	}

	public ComBatOptions withEb(final EmpiricalBayes e) {
		return new ComBatOptions(e, meanOnly, refBatch, missingValues);
	}

	public ComBatOptions withMeanOnly(final boolean m) {
		return new ComBatOptions(eb, m, refBatch, missingValues);
	}

	/** @param r a batch level, or null for no reference batch */
	public ComBatOptions withRefBatch(final String r) {
		return new ComBatOptions(eb, meanOnly, r, missingValues);
	}

	/**
	 * @return true for sva's missing-value path: non-finite cells are missing, each feature is
	 *         fitted on its non-missing subjects with sva's denominators (see {@link ComBat}), and
	 *         missing cells stay missing; false (the default) leaves every feature with a
	 *         non-finite value unchanged
	 */
	public boolean missingValues() {
		return missingValues;
	}

	/** @param m true for sva's missing-value path (see {@link #missingValues()}) */
	public ComBatOptions withMissingValues(final boolean m) {
		return new ComBatOptions(eb, meanOnly, refBatch, m);
	}

	/** @return e.g. {@code eb=parametric mean_only=false ref_batch=none} */
	@Override
	public String toString() {
		return "eb=" + eb.key() + " mean_only=" + meanOnly + " ref_batch=" +
			(refBatch == null ? "none" : "\"" + refBatch + "\"") + (missingValues ?
				" missing_values=true" : "");
	}

	@Override
	public boolean equals(final Object o) {
		if (!(o instanceof ComBatOptions)) return false;
		final ComBatOptions c = (ComBatOptions) o;
		return eb == c.eb && meanOnly == c.meanOnly && Objects.equals(refBatch, c.refBatch) &&
			missingValues == c.missingValues;
	}

	@Override
	public int hashCode() {
		return Objects.hash(eb, meanOnly, refBatch, missingValues);
	}
}
