// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.github.harmonij.core.InputException;

/**
 * Which columns of a cohort manifest mean what, for {@link CohortManifest#read}. Immutable: each
 * setting method returns a changed copy.
 * <pre>
 * CohortSpec spec = CohortSpec.batch("site").covariates("age", "sex", "icv").categorical("sex");
 * </pre>
 * Defaults: image column "image"; id column "subject", "id", "subject_id" or "participant_id" if
 * present (ignoring case), else the image file name without .nii or .nii.gz; at least 2 subjects
 * per batch (1 with {@link #meanOnly(boolean) meanOnly}); no reference batch.
 * <p>
 * A column named in {@link #categorical} but not in {@link #covariates} is a covariate too: it is
 * appended after the named covariates, in the order given.
 */
public final class CohortSpec {

	private final String batchColumn;

	private final List<String> covariates;

	private final List<String> categorical;

	private final String imageColumn;

	private final String idColumn;

	private final int minSubjectsPerBatch;

	private final boolean meanOnly;

	private final String referenceBatch;

	private final List<String> smooth;

	private final int smoothDf;

	private CohortSpec(final String batchColumn, final List<String> covariates,
		final List<String> categorical, final String imageColumn, final String idColumn,
		final int minSubjectsPerBatch, final boolean meanOnly, final String referenceBatch,
		final List<String> smooth, final int smoothDf)
	{
		this.batchColumn = batchColumn;
		this.covariates = List.copyOf(covariates);
		this.categorical = List.copyOf(categorical);
		this.imageColumn = imageColumn;
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
	public static CohortSpec batch(final String batchColumn) {
		return new CohortSpec(required(batchColumn), List.of(), List.of(), "image", null, 0, false,
			null, List.of(), 4);
	}

	/** @return a copy with these covariates, in model order (blank names are ignored) */
	public CohortSpec covariates(final String... names) {
		return covariates(Arrays.asList(names));
	}

	/** @return a copy with these covariates, in model order (blank names are ignored) */
	public CohortSpec covariates(final List<String> names) {
		return new CohortSpec(batchColumn, clean(names), categorical, imageColumn, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy in which these covariates are categorical (see the class description) */
	public CohortSpec categorical(final String... names) {
		return categorical(Arrays.asList(names));
	}

	/** @return a copy in which these covariates are categorical (see the class description) */
	public CohortSpec categorical(final List<String> names) {
		return new CohortSpec(batchColumn, covariates, clean(names), imageColumn, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy reading image paths from this column; null or blank restores "image" */
	public CohortSpec imageColumn(final String name) {
		final String col = blankToNull(name);
		return new CohortSpec(batchColumn, covariates, categorical, col == null ? "image" : col,
			idColumn, minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy reading subject ids from this column; null or blank restores the default */
	public CohortSpec idColumn(final String name) {
		return new CohortSpec(batchColumn, covariates, categorical, imageColumn, blankToNull(name),
			minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/**
	 * @param n the smallest allowed batch; 0 restores the default (2, or 1 if mean-only)
	 * @return a changed copy
	 */
	public CohortSpec minSubjectsPerBatch(final int n) {
		if (n < 0) throw new InputException("The minimum number of subjects per batch must be " +
			"0 (automatic) or more, not " + n + ".");
		return new CohortSpec(batchColumn, covariates, categorical, imageColumn, idColumn, n,
			meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy for mean-only harmonisation, which allows batches of 1 subject */
	public CohortSpec meanOnly(final boolean meanOnly) {
		return new CohortSpec(batchColumn, covariates, categorical, imageColumn, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, smooth, smoothDf);
	}

	/** @return a copy with this reference batch; null or blank for none */
	public CohortSpec referenceBatch(final String level) {
		return new CohortSpec(batchColumn, covariates, categorical, imageColumn, idColumn,
			minSubjectsPerBatch, meanOnly, blankToNull(level), smooth, smoothDf);
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
	public CohortSpec smooth(final List<String> names) {
		return new CohortSpec(batchColumn, covariates, categorical, imageColumn, idColumn,
			minSubjectsPerBatch, meanOnly, referenceBatch, clean(names), smoothDf);
	}

	/**
	 * @param df degrees of freedom (coded columns) of each smooth covariate, 1 to
	 *          {@link Splines#MAX_DF}; 1 is a straight line
	 * @return a changed copy
	 * @throws InputException if df is out of range
	 */
	public CohortSpec smoothDf(final int df) {
		if (df < 1 || df > Splines.MAX_DF) throw new InputException("smooth_df=" + df +
			" is out of range; use 1 to " + Splines.MAX_DF + " degrees of freedom (4 is usual).");
		return new CohortSpec(batchColumn, covariates, categorical, imageColumn, idColumn,
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

	/** @return the image column's name */
	public String imageColumn() {
		return imageColumn;
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

	// -- Helpers shared with TableSpec --

	static String required(final String batchColumn) {
		if (batchColumn == null || batchColumn.isBlank()) throw new InputException(
			"No batch column was given; name the column that holds each subject's site or " +
				"scanner.");
		return batchColumn.trim();
	}

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
