// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.github.harmonij.core.Design;
import io.github.harmonij.io.CsvTable;

/**
 * A validated cohort for voxelwise harmonisation, read by {@link CohortManifest#read}: one subject
 * per manifest row, in file order.
 * <p>
 * Batch levels in the {@link #design() design} are sorted as {@link Covariates#sortLevels} does
 * (numerically if every level is a number, else in String order), like R's {@code factor}
 * levels, so that the model does not depend on the order of the rows. Image grids (size, affine,
 * mask) are not checked here. Immutable.
 */
public final class Cohort {

	private final Path manifest;

	private final CohortSpec spec;

	private final CsvTable table;

	private final List<Path> images;

	private final List<String> ids;

	private final List<String> batches;

	private final Design design;

	private final CovariateCoding coding;

	private final int reference;

	Cohort(final Path manifest, final CohortSpec spec, final CsvTable table, final Path[] images,
		final DesignParts parts)
	{
		this.manifest = manifest;
		this.spec = spec;
		this.table = table;
		this.images = List.of(images);
		this.ids = List.of(parts.ids);
		this.batches = List.of(parts.batchOfRow);
		this.design = parts.design();
		this.coding = parts.coded.coding();
		this.reference = parts.reference;
	}

	/** @return the manifest file, absolute */
	public Path manifest() {
		return manifest;
	}

	/** @return the spec the manifest was read with */
	public CohortSpec spec() {
		return spec;
	}

	/** @return the number of subjects (manifest rows) */
	public int nSubjects() {
		return images.size();
	}

	/** @return each subject's image, absolute and normalised (unmodifiable) */
	public List<Path> images() {
		return images;
	}

	/** @return a subject's image, absolute and normalised */
	public Path image(final int subject) {
		return images.get(subject);
	}

	/** @return subject ids, unique (unmodifiable) */
	public List<String> subjectIds() {
		return ids;
	}

	/** @return a subject's id */
	public String subjectId(final int subject) {
		return ids.get(subject);
	}

	/** @return each subject's batch level, trimmed (unmodifiable) */
	public List<String> batches() {
		return batches;
	}

	/** @return a subject's batch level, trimmed */
	public String batch(final int subject) {
		return batches.get(subject);
	}

	/** @return the design: sorted batch levels, coded covariates, subject ids */
	public Design design() {
		return design;
	}

	/** @return how the covariates were coded, to save with a model */
	public CovariateCoding coding() {
		return coding;
	}

	/** @return the reference batch level, or null */
	public String referenceBatch() {
		return reference < 0 ? null : design.batchLevel(reference);
	}

	/** @return the reference batch's index in {@link #design()}, or -1 */
	public int referenceBatchIndex() {
		return reference;
	}

	/** @return the manifest as read, for reports (rows are subjects) */
	public CsvTable table() {
		return table;
	}

	/** @return the 1-based manifest line of a subject's row ("row N" in messages) */
	public int rowOf(final int subject) {
		return table.lineOf(subject);
	}

	/** @return a copy of a subject's manifest row, cells as written */
	public String[] rawRow(final int subject) {
		return table.row(subject);
	}

	@Override
	public String toString() {
		return table.name() + ": " + nSubjects() + " subjects, batches " + Arrays.toString(design
			.batchLevels()) + ", covariates " + Arrays.toString(design.covariateNames());
	}
}
