// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Draws box plots of per-feature residuals by site into a result folder. The commands give it
 * ({@code report.EvidenceFigures::writeBoxPlots}), since the pipelines draw nothing themselves:
 * they use no AWT and not the report package.
 */
@FunctionalInterface
public interface BoxPlots {

	/**
	 * @param dir an existing folder
	 * @param names the features' names
	 * @param before residuals {@code [subject][feature]}
	 * @param after the same after harmonisation, or null
	 * @param sites each subject's site
	 * @param features the features to plot, in this order
	 * @param canceled checked before each plot
	 * @throws CancellationException if canceled
	 */
	void write(Path dir, List<String> names, double[][] before, double[][] after, String[] sites,
		int[] features, BooleanSupplier canceled) throws IOException;
}
