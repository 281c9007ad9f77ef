// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The per-subject design of a harmonisation: each subject's batch (site or scanner) and the
 * covariates whose effects are preserved, already coded as numbers (categorical covariates as
 * treatment-coded dummy columns, see {@code io.Covariates}). There is no intercept column: models
 * add what they need.
 * <p>
 * Immutable. {@code covariates[subject][column]}.
 */
public final class Design {

	private final String[] batchLevels;

	private final int[] batch;

	private final String[] covariateNames;

	private final double[][] covariates;

	private final String[] subjectIds;

	/**
	 * @param batchLevels names of the batches, in model order (index = level)
	 * @param batch batch index of each subject, in {@code [0, batchLevels.length)}
	 * @param covariateNames one name per coded column (e.g. "age", "sex[M]")
	 * @param covariates {@code covariates[subject][column]}, finite values
	 * @param subjectIds one label per subject for messages (row numbers are fine)
	 */
	public Design(final String[] batchLevels, final int[] batch, final String[] covariateNames,
		final double[][] covariates, final String[] subjectIds)
	{
		if (covariates.length != batch.length || subjectIds.length != batch.length)
			throw new IllegalArgumentException("batch, covariates and subject ids differ in length");
		for (final double[] row : covariates)
			if (row.length != covariateNames.length)
				throw new IllegalArgumentException("covariate row length != number of names");
		for (final int b : batch)
			if (b < 0 || b >= batchLevels.length)
				throw new IllegalArgumentException("batch index out of range: " + b);
		this.batchLevels = batchLevels.clone();
		this.batch = batch.clone();
		this.covariateNames = covariateNames.clone();
		this.covariates = new double[covariates.length][];
		for (int j = 0; j < covariates.length; j++)
			this.covariates[j] = covariates[j].clone();
		this.subjectIds = subjectIds.clone();
	}

	/** A design without covariates. */
	public static Design batchesOnly(final String[] batchLevels, final int[] batch) {
		final String[] ids = new String[batch.length];
		for (int j = 0; j < ids.length; j++)
			ids[j] = "subject " + (j + 1);
		return new Design(batchLevels, batch, new String[0], new double[batch.length][0], ids);
	}

	public int nSubjects() {
		return batch.length;
	}

	public int nBatches() {
		return batchLevels.length;
	}

	public int nCovariates() {
		return covariateNames.length;
	}

	public String batchLevel(final int index) {
		return batchLevels[index];
	}

	public String[] batchLevels() {
		return batchLevels.clone();
	}

	/** @return index of the level named {@code name}, or -1 */
	public int batchIndex(final String name) {
		return Arrays.asList(batchLevels).indexOf(name);
	}

	public int batch(final int subject) {
		return batch[subject];
	}

	public int[] batches() {
		return batch.clone();
	}

	public String covariateName(final int column) {
		return covariateNames[column];
	}

	public String[] covariateNames() {
		return covariateNames.clone();
	}

	public double covariate(final int subject, final int column) {
		return covariates[subject][column];
	}

	public String subjectId(final int subject) {
		return subjectIds[subject];
	}

	/** @return number of subjects in each batch */
	public int[] batchSizes() {
		final int[] n = new int[batchLevels.length];
		for (final int b : batch)
			n[b]++;
		return n;
	}

	/** @return the subjects of batch {@code b}, in subject order */
	public int[] subjectsOf(final int b) {
		final List<Integer> list = new ArrayList<>();
		for (int j = 0; j < batch.length; j++)
			if (batch[j] == b) list.add(j);
		return list.stream().mapToInt(Integer::intValue).toArray();
	}
}
