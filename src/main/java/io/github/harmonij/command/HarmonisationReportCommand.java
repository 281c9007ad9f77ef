// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import io.github.harmonij.core.InputException;
import io.github.harmonij.report.Report;

/**
 * Writes the self-contained HTML report of a finished result folder into a new file; the folder
 * itself is left as it is (a finished result is never changed). Macro:
 * {@code run("Harmonisation Report...", "run=[/d/out] out=[/d/out-report.html]");}
 * Command line: {@code harmonij report --run /d/out --out /d/out-report.html}.
 */
@Plugin(type = Command.class, headless = true, label = "Harmonisation Report...",
	description = "Self-contained HTML report (figures inline) of a result folder",
	attrs = { @Attr(name = Commands.LABEL, value = "Harmonisation Report..."), @Attr(
		name = Commands.CLI, value = "report") })
public class HarmonisationReportCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Result folder", style = FileWidget.DIRECTORY_STYLE,
		description = "written by combat/regress with site_effects, site-effects or table-effects")
	private File run;

	@Parameter(label = "Report (HTML)", style = FileWidget.SAVE_STYLE,
		description = "a new file, e.g. report.html beside the folder")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(run, "run", "the result folder");
			CommandSupport.require(out, "out", "a new HTML file");
			if (!out.getName().toLowerCase().endsWith(".html")) throw new InputException("out=" + out +
				" should end in .html.");
			status.showStatus("Writing the report");
			Report.writeNew(run.toPath(), out.toPath());
			final String s = "Wrote the report of " + run + " to " + out + ".";
			log.info(s);
			return s;
		});
	}
}
