// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.nio.file.Path;
import java.util.Map;

import org.scijava.command.Command;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import io.github.harmonij.cohort.CohortSpec;
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

	@Parameter(label = "Empirical Bayes", choices = { "parametric", "nonparametric", "none" },
		description = "shrink each site's shift and scale per voxel towards those of all voxels " +
			"(parametric priors as in ComBat, nonparametric, or none)")
	private String eb = "parametric";

	@Parameter(label = "Mean only", description = "adjust the site means only, not the variances")
	private boolean mean_only;

	@Parameter(label = "No diagnostic maps", description = "leave gamma_hat and delta_hat_sq " +
		"(the estimates before empirical Bayes) out of model/; apply does not need them")
	private boolean no_diagnostics;

	@Override
	String commandName() {
		return "combat";
	}

	@Override
	VoxelwiseHarmonisation.Builder request(final Path manifest, final CohortSpec spec,
		final Path out, final String refBatch)
	{
		return VoxelwiseHarmonisation.Request.combat(manifest, spec, ComBatOptions.defaults()
			.withEb(EmpiricalBayes.parse(eb)).withMeanOnly(mean_only).withRefBatch(refBatch), out)
			.diagnostics(!no_diagnostics);
	}

	/** The empirical Bayes mode by its key (non-parametric is nonparametric), as always. */
	@Override
	Map<String, Object> recorded(final Map<String, Object> parameters) {
		parameters.put("eb", EmpiricalBayes.parse(eb).key());
		return parameters;
	}
}
