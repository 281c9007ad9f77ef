// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.github.harmonij.core.InputException;

/**
 * Which columns of a feature table mean what, for {@link FeatureTable#read}. Immutable: each
 * setting method returns a changed copy.
 * <pre>
 * TableSpec spec = TableSpec.batch("site").covariates("age", "sex").categorical("sex");
 * </pre>
 * Defaults: id column "subject", "id", "subject_id" or "participant_id" if present (ignoring
 * case), else none (subjects are then named by row); features are every other column that is not
 * the batch or a covariate and whose cells are all numbers or missing (columns holding text are
 * skipped and listed in {@link FeatureTable#notes()}); at least 2 subjects per batch (1 with
 * {@link #meanOnly(boolean) meanOnly}); no reference batch.
 * <p>
 * A column named in {@link #categorical} but not in {@link #covariates} is a covariate too: it is
 * appended after the named covariates, in the order given.
 */
public final class TableSpec {

	private final String batchColumn;

	private final List<String> covariates;

	private final List<String> categorical;

	private final List<String> features;

	private final String idColumn;

	private final int minSubjectsPerBatch;

	private final boolean meanOnly;

	private final String referenceBatch;

	private final List<String> smooth;

	private final int smoothDf;

	private TableSpec(final String batchColumn, final List<String> covariates,
		final List<String> categorical, final List<String> features, final String idColumn,
		final int minSubjectsPerBatch, final boolean meanOnly, final String referenceBatch,
		final List<String> smooth, final int smoothDf)
	{
		this.batchColumn = batchColumn;
		this.covariates = List.copyOf(covariates);
		this.categorical = List.copyOf(categorical);
		this.features = List.copyOf(features);
		this.idColumn = idColumn;
		this.minSubjectsPerBatch = minSubjectsPerBatch;
		this.meanOnly = meanOnly;
		this.referenceBatch = referenceBatch;
		this.smooth = List.copyOf(smooth);
		this.smoothDf = smoothDf;
	}

	/**
	 * @param batchColumn the column holding each subject's batch (site or scanner): any text
	 * @throws InputException if it is null or blank
	 */
	public static TableSpec batch(final String batchColumn) {
		return new TableSpec(CohortSpec.required(batchColumn), List.of(), List.of(), List.of(),
			null, 0, false, null, List.of(), 4);
	}

	/** @return a copy with these covariates, in model order (blank names are ignored) */
	public TableSpec covariates(final String... names) {
		return covariates(Arrays.asList(names));
	}

	/** @return a copy with these covariates, in model order (blank names are ignored) */
	public TableSpec covariates(final List<String> names) {
		return new TableSpec(batchColumn, CohortSpec.clean(names), categorical, features, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy in which these covariates are categorical (see the class description) */
	public TableSpec categorical(final String... names) {
		return categorical(Arrays.asList(names));
	}

	/**
	 * @return a copy using exactly these feature columns, in this order; none restores the
	 *         default (see the class description)
	 */
	public TableSpec features(final String... names) {
		return features(Arrays.asList(names));
	}

	/**
	 * @return a copy using exactly these feature columns, in this order; an empty list restores
	 *         the default (see the class description)
	 */
	public TableSpec features(final List<String> names) {
		return new TableSpec(batchColumn, covariates, categorical, CohortSpec.clean(names),
			idColumn, minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return the named features, or an empty list for the default selection */
	public List<String> features() {
		return features;
	}

	/** @return a copy in which these covariates are categorical (see the class description) */
	public TableSpec categorical(final List<String> names) {
		return new TableSpec(batchColumn, covariates, CohortSpec.clean(names), features, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy reading subject ids from this column; null or blank restores the default */
	public TableSpec idColumn(final String name) {
		return new TableSpec(batchColumn, covariates, categorical, features, CohortSpec
			.blankToNull(name), minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/**
	 * @param n the smallest allowed batch; 0 restores the default (2, or 1 if mean-only)
	 * @return a changed copy
	 */
	public TableSpec minSubjectsPerBatch(final int n) {
		if (n < 0) throw new InputException("The minimum number of subjects per batch must be " +
			"0 (automatic) or more, not " + n + ".");
		return new TableSpec(batchColumn, covariates, categorical, features, idColumn, n,
			meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy for mean-only harmonisation, which allows batches of 1 subject */
	public TableSpec meanOnly(final boolean meanOnly) {
		return new TableSpec(batchColumn, covariates, categorical, features, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy with this reference batch; null or blank for none */
	public TableSpec referenceBatch(final String level) {
		return new TableSpec(batchColumn, covariates, categorical, features, idColumn,
			minSubjectsPerBatch, meanOnly, CohortSpec.blankToNull(level), smooth, smoothDf);
	}

	/** @return the batch column's name */
	public String batchColumn() {
		return batchColumn;
	}

	/** @return covariates as named, without the ones added by {@link #categorical} */
	public List<String> covariates() {
		return covariates;
	}

	/** @return the categorical covariates, as named */
	public List<String> categorical() {
		return categorical;
	}

	/**
	 * @return a copy in which these covariates enter the design as natural cubic regression
	 *         splines ({@link Splines}) instead of straight lines; a name not among the covariates
	 *         is appended to them
	 */
	public TableSpec smooth(final List<String> names) {
		return new TableSpec(batchColumn, covariates, categorical, features, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, CohortSpec.clean(names), smoothDf);
	}

	/**
	 * @param df degrees of freedom (coded columns) of each smooth covariate, 1 to
	 *          {@link Splines#MAX_DF}; 1 is a straight line
	 * @return a changed copy
	 * @throws InputException if df is out of range
	 */
	public TableSpec smoothDf(final int df) {
		if (df < 1 || df > Splines.MAX_DF) throw new InputException("smooth_df=" + df +
			" is out of range; use 1 to " + Splines.MAX_DF + " degrees of freedom (4 is usual).");
		return new TableSpec(batchColumn, covariates, categorical, features, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, smooth, df);
	}

	/** @return the smooth covariates, as named */
	public List<String> smooth() {
		return smooth;
	}

	/** @return degrees of freedom of each smooth covariate (default 4) */
	public int smoothDf() {
		return smoothDf;
	}

	/** @return every covariate in model order: the named ones, then categorical-only ones */
	public List<String> allCovariates() {
		final List<String> all = new ArrayList<>(covariates);
		for (final String c : categorical)
			if (!all.contains(c)) all.add(c);
		for (final String c : smooth)
			if (!all.contains(c)) all.add(c);
		return all;
	}

	/** @return the named id column, or null for the default */
	public String idColumn() {
		return idColumn;
	}

	/** @return true if batches of 1 subject are allowed by default (mean-only harmonisation) */
	public boolean meanOnly() {
		return meanOnly;
	}

	/** @return the smallest allowed batch: as set, or 2 (1 if mean-only) */
	public int minSubjectsPerBatch() {
		return minSubjectsPerBatch > 0 ? minSubjectsPerBatch : meanOnly ? 1 : 2;
	}

	/** @return the reference batch, or null */
	public String referenceBatch() {
		return referenceBatch;
	}
}
