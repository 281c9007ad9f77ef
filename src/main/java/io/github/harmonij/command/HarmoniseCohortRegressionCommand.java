// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.nio.file.Path;

import org.scijava.command.Command;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Plugin;

import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.pipeline.VoxelwiseHarmonisation;

/**
 * Harmonises a cohort of NIfTI images by linear site adjustment: per voxel, least squares on the
 * covariates and site dummies, then the fitted site terms are removed. Macro:
 * {@code run("Harmonise Cohort (Linear Regression)...", "manifest=[/d/cohort.csv] batch=site covariates=[age,sex] categorical=[sex] out=[/d/out]");}
 * Command line: {@code harmonij regress --manifest /d/cohort.csv --batch site ...}.
 */
@Plugin(type = Command.class, headless = true, label = "Harmonise Cohort (Linear Regression)...",
	description = "Voxelwise linear site adjustment of the NIfTI images listed in a manifest",
	attrs = { @Attr(name = Commands.LABEL, value = "Harmonise Cohort (Linear Regression)..."),
		@Attr(name = Commands.CLI, value = "regress") })
public class HarmoniseCohortRegressionCommand extends CohortHarmonisationCommand {

	@Override
	String commandName() {
		return "regress";
	}

	@Override
	VoxelwiseHarmonisation.Builder request(final Path manifest, final CohortSpec spec,
		final Path out, final String refBatch)
	{
		return VoxelwiseHarmonisation.Request.regression(manifest, spec.referenceBatch(refBatch),
			out);
	}
}
