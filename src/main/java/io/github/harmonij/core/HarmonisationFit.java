// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * A fitted harmonisation model (ComBat or linear site adjustment) for one design and a fixed
 * number of features. Immutable once fitted; {@link #apply} may be called from any thread.
 */
public interface HarmonisationFit {

	/** @return the design the model was fitted with */
	Design design();

	/** @return number of features (masked voxels or table columns) */
	int nFeatures();

	/**
	 * Harmonises {@code in} (the same subjects, in the same order, as the design of the fit) into
	 * {@code out}, which may be the same object: the work runs block by block over features with
	 * {@link VoxelBlocks}, each block read completely before it is written. Features whose
	 * {@link #status} is not {@link FeatureStatus#HARMONISED} are copied unchanged.
	 *
	 * @throws InputException if {@code in} or {@code out} has the wrong shape
	 * @throws CancellationException if {@code canceled} turns true; {@code out} is then partly
	 *           written
	 */
	void apply(FeatureMatrix in, FeatureMatrix out, Progress progress, BooleanSupplier canceled);

	/**
	 * @return the fitted parameters, which harmonise new subjects of the same sites with their
	 *         own covariates ({@link HarmonisationModel#apply}) and can be saved
	 */
	HarmonisationModel model();

	/** @return what the fit did with {@code feature} */
	FeatureStatus status(int feature);

	/** @return how many features have status {@code s} */
	long count(FeatureStatus s);
}
