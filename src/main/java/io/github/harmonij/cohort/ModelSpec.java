// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.github.harmonij.core.InputException;

/**
 * The model part of a {@link CohortSpec} or {@link TableSpec}: the batch column, the covariates
 * and how they are coded, the id column, the smallest allowed batch and the reference batch.
 * Immutable: each setting method returns a changed copy of the concrete spec {@code S}, with its
 * own part (image column or features) unchanged, so settings chain in any order:
 * <pre>
 * CohortSpec spec = CohortSpec.batch("site").covariates("age", "sex").imageColumn("t1");
 * </pre>
 * Defaults: no covariates; the id column is found by the concrete spec; at least 2 subjects per
 * batch (1 with {@link #meanOnly(boolean) meanOnly}); smooth covariates have 4 degrees of freedom;
 * no reference batch.
 * <p>
 * A column named in {@link #categorical} or {@link #smooth} but not in {@link #covariates} is a
 * covariate too: it is appended after the named covariates, in the order given. Only
 * {@link CohortSpec} and {@link TableSpec} extend this class.
 *
 * @param <S> the concrete spec, returned by every setting method
 */
public abstract class ModelSpec<S extends ModelSpec<S>> {

	/**
	 * The model settings as one immutable value, so that a concrete spec makes its changed copy
	 * from one reference ({@code with}) and never lists the fields it does not own.
	 */
	static final class Model {

		private final String batchColumn;

		private final List<String> covariates;

		private final List<String> categorical;

		private final String idColumn;

		private final int minSubjectsPerBatch;

		private final boolean meanOnly;

		private final String referenceBatch;

		private final List<String> smooth;

		private final int smoothDf;

		private final boolean regression;

		private Model(final String batchColumn, final List<String> covariates,
			final List<String> categorical, final String idColumn, final int minSubjectsPerBatch,
			final boolean meanOnly, final String referenceBatch, final List<String> smooth,
			final int smoothDf, final boolean regression)
		{
			this.batchColumn = batchColumn;
			this.covariates = List.copyOf(covariates);
			this.categorical = List.copyOf(categorical);
			this.idColumn = idColumn;
			this.minSubjectsPerBatch = minSubjectsPerBatch;
			this.meanOnly = meanOnly;
			this.referenceBatch = referenceBatch;
			this.smooth = List.copyOf(smooth);
			this.smoothDf = smoothDf;
			this.regression = regression;
		}

		/**
		 * @return the defaults (see the class description) for this batch column
		 * @throws InputException if it is null or blank
		 */
		static Model batch(final String batchColumn) {
			if (batchColumn == null || batchColumn.isBlank()) throw new InputException(
				"No batch column was given; name the column that holds each subject's site or " +
					"scanner.");
			return new Model(batchColumn.trim(), List.of(), List.of(), null, 0, false, null, List
				.of(), 4, false);
		}
	}

	/** The model settings; package-private for the concrete specs' own setting methods. */
	final Model model;

	ModelSpec(final Model model) {
		this.model = model;
	}

	/** @return a spec of the same kind with this model part and its own part unchanged */
	abstract S with(Model changed);

	/** @return a copy with these covariates, in model order (blank names are ignored) */
	public S covariates(final String... names) {
		return covariates(Arrays.asList(names));
	}

	/** @return a copy with these covariates, in model order (blank names are ignored) */
	public S covariates(final List<String> names) {
		final Model m = model;
		return with(new Model(m.batchColumn, clean(names), m.categorical, m.idColumn,
			m.minSubjectsPerBatch, m.meanOnly, m.referenceBatch, m.smooth,
			m.smoothDf, m.regression));
	}

	/** @return a copy in which these covariates are categorical (see the class description) */
	public S categorical(final String... names) {
		return categorical(Arrays.asList(names));
	}

	/** @return a copy in which these covariates are categorical (see the class description) */
	public S categorical(final List<String> names) {
		final Model m = model;
		return with(new Model(m.batchColumn, m.covariates, clean(names), m.idColumn,
			m.minSubjectsPerBatch, m.meanOnly, m.referenceBatch, m.smooth,
			m.smoothDf, m.regression));
	}

	/**
	 * @return a copy in which these covariates enter the design as natural cubic regression
	 *         splines ({@link Splines}) instead of straight lines; a name not among the covariates
	 *         is appended to them
	 */
	public S smooth(final List<String> names) {
		final Model m = model;
		return with(new Model(m.batchColumn, m.covariates, m.categorical, m.idColumn,
			m.minSubjectsPerBatch, m.meanOnly, m.referenceBatch, clean(names),
			m.smoothDf, m.regression));
	}

	/**
	 * @param df degrees of freedom (coded columns) of each smooth covariate, 1 to
	 *          {@link Splines#MAX_DF}; 1 is a straight line
	 * @return a changed copy
	 * @throws InputException if df is out of range
	 */
	public S smoothDf(final int df) {
		if (df < 1 || df > Splines.MAX_DF) throw new InputException("smooth_df=" + df +
			" is out of range; use 1 to " + Splines.MAX_DF + " degrees of freedom (4 is usual).");
		final Model m = model;
		return with(new Model(m.batchColumn, m.covariates, m.categorical, m.idColumn,
			m.minSubjectsPerBatch, m.meanOnly, m.referenceBatch, m.smooth, df, m.regression));
	}

	/** @return a copy reading subject ids from this column; null or blank restores the default */
	public S idColumn(final String name) {
		final Model m = model;
		return with(new Model(m.batchColumn, m.covariates, m.categorical, blankToNull(name),
			m.minSubjectsPerBatch, m.meanOnly, m.referenceBatch, m.smooth,
			m.smoothDf, m.regression));
	}

	/**
	 * @param n the smallest allowed batch; 0 restores the default (2, or 1 if mean-only)
	 * @return a changed copy
	 */
	public S minSubjectsPerBatch(final int n) {
		if (n < 0) throw new InputException("The minimum number of subjects per batch must be " +
			"0 (automatic) or more, not " + n + ".");
		final Model m = model;
		return with(new Model(m.batchColumn, m.covariates, m.categorical, m.idColumn, n,
			m.meanOnly, m.referenceBatch, m.smooth, m.smoothDf, m.regression));
	}

	/** @return a copy for mean-only harmonisation, which allows batches of 1 subject */
	public S meanOnly(final boolean meanOnly) {
		final Model m = model;
		return with(new Model(m.batchColumn, m.covariates, m.categorical, m.idColumn,
			m.minSubjectsPerBatch, meanOnly, m.referenceBatch, m.smooth, m.smoothDf, m.regression));
	}

	/**
	 * @return a copy for linear site adjustment instead of ComBat; only the advice given when a
	 *         batch is too small differs
	 */
	public S regression(final boolean regression) {
		final Model m = model;
		return with(new Model(m.batchColumn, m.covariates, m.categorical, m.idColumn,
			m.minSubjectsPerBatch, m.meanOnly, m.referenceBatch, m.smooth, m.smoothDf, regression));
	}

	/** @return true if the spec is for linear site adjustment ({@link #regression(boolean)}) */
	public boolean regression() {
		return model.regression;
	}

	/** @return a copy with this reference batch; null or blank for none */
	public S referenceBatch(final String level) {
		final Model m = model;
		return with(new Model(m.batchColumn, m.covariates, m.categorical, m.idColumn,
			m.minSubjectsPerBatch, m.meanOnly, blankToNull(level), m.smooth,
			m.smoothDf, m.regression));
	}

	/** @return the batch column's name */
	public String batchColumn() {
		return model.batchColumn;
	}

	/** @return covariates as named, without the ones added by {@link #categorical} */
	public List<String> covariates() {
		return model.covariates;
	}

	/** @return the categorical covariates, as named */
	public List<String> categorical() {
		return model.categorical;
	}

	/** @return the smooth covariates, as named */
	public List<String> smooth() {
		return model.smooth;
	}

	/** @return degrees of freedom of each smooth covariate (default 4) */
	public int smoothDf() {
		return model.smoothDf;
	}

	/**
	 * @return every covariate in model order: the named ones, then categorical-only ones, then
	 *         smooth-only ones
	 */
	public List<String> allCovariates() {
		final List<String> all = new ArrayList<>(model.covariates);
		for (final String c : model.categorical)
			if (!all.contains(c)) all.add(c);
		for (final String c : model.smooth)
			if (!all.contains(c)) all.add(c);
		return all;
	}

	/** @return the named id column, or null for the default */
	public String idColumn() {
		return model.idColumn;
	}

	/** @return true if batches of 1 subject are allowed by default (mean-only harmonisation) */
	public boolean meanOnly() {
		return model.meanOnly;
	}

	/** @return the smallest allowed batch: as set, or 2 (1 if mean-only) */
	public int minSubjectsPerBatch() {
		final int n = model.minSubjectsPerBatch;
		return n > 0 ? n : model.meanOnly ? 1 : 2;
	}

	/** @return the reference batch, or null */
	public String referenceBatch() {
		return model.referenceBatch;
	}

	// -- Helper methods --

	static String blankToNull(final String s) {
		return s == null || s.isBlank() ? null : s.trim();
	}

	static List<String> clean(final List<String> names) {
		final List<String> out = new ArrayList<>();
		for (final String s : names)
			if (s != null && !s.isBlank() && !out.contains(s.trim())) out.add(s.trim());
		return out;
	}
}
