// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.nio.file.Path;

import org.scijava.command.Command;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.pipeline.TableHarmonisation;

/**
 * Harmonises a table of regional measures (one row per subject) with ComBat. Macro:
 * {@code run("Harmonise Table (ComBat)...", "table=[/d/volumes.csv] batch=site covariates=[age,sex] categorical=sex out=[/d/volumes_harmonised.csv]");}
 * With {@code report}, the site tests before and after and report.html go to
 * {@code /d/volumes_harmonised_report/}. Command line:
 * {@code harmonij combat-table --table /d/volumes.csv --batch site ... [--report]}.
 */
@Plugin(type = Command.class, headless = true, label = "Harmonise Table (ComBat)...",
	description = "ComBat harmonisation of the numeric columns of a table (one row per subject)",
	attrs = { @Attr(name = Commands.LABEL, value = "Harmonise Table (ComBat)..."), @Attr(
		name = Commands.CLI, value = "combat-table") })
public class HarmoniseTableCommand extends TableHarmonisationCommand {

	@Parameter(label = "Empirical Bayes", choices = { "parametric", "nonparametric", "none" },
		description = "shrink each site's shift and scale per feature towards those of all " +
			"features (parametric priors as in ComBat, nonparametric, or none)")
	private String eb = "parametric";

	@Parameter(label = "Mean only", description = "adjust the site means only")
	private boolean mean_only;

	@Override
	TableHarmonisation.Builder request(final Path table, final TableSpec spec,
		final String refBatch, final Path out)
	{
		return TableHarmonisation.Request.combat(table, spec, ComBatOptions.defaults().withEb(
			EmpiricalBayes.parse(eb)).withMeanOnly(mean_only).withRefBatch(refBatch), out);
	}
}
