// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import org.scijava.command.Command;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.pipeline.VoxelwiseHarmonisation;

/**
 * Harmonises a cohort of NIfTI images with ComBat. Macro:
 * {@code run("Harmonise Cohort (ComBat)...", "manifest=[/d/cohort.csv] batch=site covariates=[age,sex] categorical=[sex] mask=[/d/mask.nii.gz] eb=parametric site_effects interest=age report out=[/d/out]");}
 * Command line: {@code harmonij combat --manifest /d/cohort.csv --batch site ...}.
 */
@Plugin(type = Command.class, headless = true, label = "Harmonise Cohort (ComBat)...",
	description = "Voxelwise ComBat harmonisation of the NIfTI images listed in a manifest",
	attrs = { @Attr(name = Commands.LABEL, value = "Harmonise Cohort (ComBat)..."), @Attr(
		name = Commands.CLI, value = "combat") })
public class HarmoniseCohortCommand extends CohortHarmonisationCommand {

	@Parameter(label = "Empirical Bayes", choices = { "parametric", "nonparametric", "none" })
	private String eb = "parametric";

	@Parameter(label = "Mean only", description = "adjust the site means only, not the variances")
	private boolean mean_only;

	@Override
	String commandName() {
		return "combat";
	}

	@Override
	String configure(final VoxelwiseHarmonisation.Request r, final String refBatch) {
		final ComBatOptions options = ComBatOptions.defaults().withEb(EmpiricalBayes.parse(eb))
			.withMeanOnly(mean_only).withRefBatch(refBatch);
		r.method = VoxelwiseHarmonisation.Method.COMBAT;
		r.combat = options;
		return "eb=" + options.eb().key() + " mean_only=" + mean_only;
	}
}
