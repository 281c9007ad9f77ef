// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.nio.file.Path;

import org.scijava.command.Command;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Plugin;

import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.pipeline.TableHarmonisation;

/**
 * Harmonises a table of regional measures by linear site adjustment. Macro:
 * {@code run("Harmonise Table (Linear Regression)...", "table=[/d/volumes.csv] batch=site covariates=[age,sex] categorical=sex out=[/d/volumes_adjusted.csv]");}
 * With {@code report}, the site tests before and after and report.html go to
 * {@code /d/volumes_adjusted_report/}. Command line:
 * {@code harmonij regress-table --table /d/volumes.csv --batch site ... [--report]}.
 */
@Plugin(type = Command.class, headless = true, label = "Harmonise Table (Linear Regression)...",
	description = "Linear site adjustment of the numeric columns of a table (one row per subject)",
	attrs = { @Attr(name = Commands.LABEL, value = "Harmonise Table (Linear Regression)..."),
		@Attr(name = Commands.CLI, value = "regress-table") })
public class RegressTableCommand extends TableHarmonisationCommand {

	@Override
	TableHarmonisation.Builder request(final Path table, final TableSpec spec,
		final String refBatch, final Path out)
	{
		return TableHarmonisation.Request.regression(table, spec, refBatch, out);
	}
}
