// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.util.Arrays;
import java.util.List;

import io.github.harmonij.core.InputException;

/**
 * Which columns of a feature table mean what, for {@link FeatureTable#read}: the model part
 * ({@link ModelSpec}) and the features. Immutable: each setting method returns a changed copy.
 * <pre>
 * TableSpec spec = TableSpec.batch("site").covariates("age", "sex").categorical("sex");
 * </pre>
 * Defaults: id column "subject", "id", "subject_id" or "participant_id" if present (ignoring
 * case), else none (subjects are then named by row); features are every other column that is not
 * the batch, a covariate or {@link #exclude excluded} and whose cells are all numbers or missing,
 * except a column that looks like an identifier (see {@link FeatureTable}); every column left as it
 * is gets named in {@link FeatureTable#leftAlone()}; at least 2 subjects per batch (1 with
 * {@link #meanOnly(boolean) meanOnly}); no reference batch.
 * <p>
 * A column named in {@link #categorical} but not in {@link #covariates} is a covariate too: it is
 * appended after the named covariates, in the order given.
 */
public final class TableSpec extends ModelSpec<TableSpec> {

	private final List<String> features;

	private final List<String> exclude;

	private TableSpec(final Model model, final List<String> features, final List<String> exclude) {
		super(model);
		this.features = List.copyOf(features);
		this.exclude = List.copyOf(exclude);
	}

	/**
	 * @param batchColumn the column holding each subject's batch (site or scanner): any text
	 * @throws InputException if it is null or blank
	 */
	public static TableSpec batch(final String batchColumn) {
		return new TableSpec(Model.batch(batchColumn), List.of(), List.of());
	}

	@Override
	TableSpec with(final Model changed) {
		return new TableSpec(changed, features, exclude);
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
		return new TableSpec(model, clean(names), exclude);
	}

	/** @return the named features, or an empty list for the default selection */
	public List<String> features() {
		return features;
	}

	/**
	 * Columns to keep as they are although they hold numbers (visit numbers, scan dates, quality
	 * scores): left out of the default features, and named where the table is read; each must
	 * exist. With named {@link #features}, listing a feature here too is an error.
	 *
	 * @return a copy excluding exactly these columns
	 */
	public TableSpec exclude(final List<String> names) {
		return new TableSpec(model, features, clean(names));
	}

	/** @return the excluded columns (see {@link #exclude}) */
	public List<String> excluded() {
		return exclude;
	}
}
