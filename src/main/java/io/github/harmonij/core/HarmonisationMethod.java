// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * A harmonisation method as the pipelines see it: validate a design, fit the data, and get a
 * {@link HarmonisationFit} whose {@link HarmonisationModel} harmonises the training subjects and
 * new ones. A method is made of parts that plug into one engine:
 * <ul>
 * <li>a {@link MeanModel}: the expected value of each feature from site and covariates (today
 * OLS, which with spline-coded columns also fits natural splines);</li>
 * <li>a {@link ScaleModel}: the spread the data are standardised by (today the pooled variance);
 * the linear site adjustment has none;</li>
 * <li>the site-effect step: ComBat's empirical Bayes on the standardised site means and
 * variances ({@link ComBat}), or the plain site levels ({@link SiteRegression}).</li>
 * </ul>
 * A new method (a penalised smooth or a mixed model for the mean, a covariate-dependent scale) is
 * a new mean or scale model and a factory here; the pipelines, the commands and the writers take
 * any method. Immutable.
 */
public final class HarmonisationMethod {

	private final String name;

	private final ComBatOptions combat;

	private final String refBatch;

	private final MeanModel mean;

	private final ScaleModel scale;

	private HarmonisationMethod(final String name, final ComBatOptions combat,
		final String refBatch, final MeanModel mean,
		final ScaleModel scale)
	{
		this.name = name;
		this.combat = combat;
		this.refBatch = refBatch;
		this.mean = mean;
		this.scale = scale;
	}

	/** ComBat: OLS mean, pooled variance, empirical Bayes as the options say. */
	public static HarmonisationMethod combat(final ComBatOptions options) {
		return new HarmonisationMethod("combat", options, options.refBatch(),
			OlsMean.COMPLETE, PooledVariance.INSTANCE);
	}

	/**
	 * The linear site adjustment: OLS mean, no scale, each site's level moved to the common one.
	 *
	 * @param refBatch the site whose level is the target and whose subjects stay unchanged, or
	 *          null for the subject-weighted mean level
	 * @param missingValues fit features with non-finite cells on their finite subjects
	 */
	public static HarmonisationMethod siteRegression(final String refBatch,
		final boolean missingValues)
	{
		return new HarmonisationMethod("regression", null, refBatch, missingValues
			? OlsMean.onNonMissing(1) : OlsMean.COMPLETE, null);
	}

	/** @return "combat" or "regression", as model files and run records name the method */
	public String name() {
		return name;
	}

	/** @return "ComBat" or "linear regression", as run records and messages name the method */
	public String label() {
		return label(name);
	}

	/**
	 * @param name a method's {@link #name()}, as a saved model records it
	 * @return its {@link #label()}
	 * @throws IllegalArgumentException for a name no method has
	 */
	public static String label(final String name) {
		switch (name) {
			case "combat":
				return "ComBat";
			case "regression":
				return "linear regression";
			default:
				throw new IllegalArgumentException("no harmonisation method is named " + name);
		}
	}

	/** @return the mean model's name ("ols") */
	public String meanModel() {
		return mean.name();
	}

	/** @return the scale model's name ("pooled"), or null if the method has none */
	public String scaleModel() {
		return scale == null ? null : scale.name();
	}

	/** @return the ComBat options, or null for a method that is not ComBat */
	public ComBatOptions combatOptions() {
		return combat;
	}

	/** @return the reference site, or null */
	public String refBatch() {
		return refBatch;
	}

	/**
	 * Checks a design before any data are read.
	 *
	 * @throws InputException listing every problem
	 */
	public void validate(final Design design) {
		if (combat != null) ComBat.validate(design, combat);
		else SiteRegression.validate(design, refBatch);
	}

	/**
	 * @param data subjects in the design's order, by features
	 * @throws InputException for a bad design or data of the wrong shape
	 * @throws CancellationException if canceled
	 */
	public HarmonisationFit fit(final FeatureMatrix data, final Design design,
		final Progress progress, final BooleanSupplier canceled)
	{
		if (combat != null) return ComBat.fit(data, design, combat, mean, scale, progress, canceled,
			true);
		return SiteRegression.fit(data, design, refBatch, mean, progress, canceled);
	}

	@Override
	public String toString() {
		return name + " (mean " + mean.name() + (scale == null ? "" : ", scale " + scale.name()) +
			")";
	}
}
