// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import io.github.harmonij.core.InputException;

/**
 * Which columns of a cohort manifest mean what, for {@link CohortManifest#read}: the model part
 * ({@link ModelSpec}) and the image column. Immutable: each setting method returns a changed copy.
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
public final class CohortSpec extends ModelSpec<CohortSpec> {

	private final String imageColumn;

	private CohortSpec(final Model model, final String imageColumn) {
		super(model);
		this.imageColumn = imageColumn;
	}

	/**
	 * @param batchColumn the column holding each subject's batch (site or scanner): any text
	 * @throws InputException if it is null or blank
	 */
	public static CohortSpec batch(final String batchColumn) {
		return new CohortSpec(Model.batch(batchColumn), "image");
	}

	@Override
	CohortSpec with(final Model changed) {
		return new CohortSpec(changed, imageColumn);
	}

	/** @return a copy reading image paths from this column; null or blank restores "image" */
	public CohortSpec imageColumn(final String name) {
		final String col = blankToNull(name);
		return new CohortSpec(model, col == null ? "image" : col);
	}

	/** @return the image column's name */
	public String imageColumn() {
		return imageColumn;
	}
}
