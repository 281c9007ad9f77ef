// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * longCombat's scale: per feature, the residual variance sigma^2 that the mixed mean model
 * estimated ({@link RandomInterceptMean}, lme4's {@code sigma(fit)^2}, the REML estimate
 * {@code q / (N - p)}), instead of the mean square of the residuals ({@link PooledVariance}).
 * It reads {@link FeatureChunk#modelVar}, so it pairs only with a mean model that writes it.
 * Immutable; the fitter is thread-safe.
 */
final class MixedModelVariance implements ScaleModel {

	static final MixedModelVariance INSTANCE = new MixedModelVariance();

	private MixedModelVariance() {}

	@Override
	public String name() {
		return "mixed-model";
	}

	@Override
	public Fitter fitter(final Design design, final int ref) {
		return c -> System.arraycopy(c.modelVar, 0, c.var, 0, c.len);
	}
}
