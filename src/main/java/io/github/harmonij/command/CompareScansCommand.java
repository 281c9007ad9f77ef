// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.util.concurrent.CancellationException;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import io.github.harmonij.core.ScanComparison;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.ScanPair;

/**
 * Compares two co-registered scans of one person from two scanners (the travelling-head view):
 * difference and percent-difference maps and summary numbers inside a mask. No registration: the
 * scans must share a grid. Macro:
 * {@code run("Compare Two Scans...", "scan_a=[/d/siteA.nii.gz] scan_b=[/d/siteB.nii.gz] mask=[/d/mask.nii.gz] out=[/d/compare]");}
 * Command line: {@code harmonij compare --scan-a /d/siteA.nii.gz --scan-b /d/siteB.nii.gz}.
 */
@Plugin(type = Command.class, headless = true, label = "Compare Two Scans...",
	description = "Difference, percent difference and agreement of two scans of one person",
	attrs = { @Attr(name = Commands.LABEL, value = "Compare Two Scans..."), @Attr(
		name = Commands.CLI, value = "compare") })
public class CompareScansCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Scan A (NIfTI)", style = FileWidget.OPEN_STYLE,
		description = "the reference scan, e.g. from the first scanner")
	private File scan_a;

	@Parameter(label = "Scan B (NIfTI)", style = FileWidget.OPEN_STYLE,
		description = "the same person on the other scanner, on the grid of scan A")
	private File scan_b;

	@Parameter(label = "Mask (NIfTI)", required = false, style = FileWidget.OPEN_STYLE,
		description = "voxels to compare; without one, voxels where either scan is non-zero")
	private File mask;

	@Parameter(label = "Output folder", required = false, style = FileWidget.DIRECTORY_STYLE,
		description = "optional new or empty folder for difference.nii.gz, " +
			"percent_difference.nii.gz and summary.csv")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(scan_a, "scan_a", "the first scan (NIfTI)");
			CommandSupport.require(scan_b, "scan_b", "the second scan (NIfTI)");
			final boolean write = out != null && !out.getPath().isEmpty();
			if (write) OutputFolder.checkUsable(out.toPath());
			final String[] names = ScanPair.names(scan_a.toPath(), scan_b.toPath());
			status.showStatus("Comparing " + names[0] + " and " + names[1]);
			final ScanPair pair = ScanPair.read(scan_a.toPath(), scan_b.toPath(), mask == null ||
				mask.getPath().isEmpty() ? null : mask.toPath());
			final ScanComparison c = ScanComparison.compare(pair.a().data(), pair.b().data(), pair
				.mask(), CommandSupport.canceled(this));
			String s = pair.summary(c);
			if (write) {
				try (OutputFolder folder = OutputFolder.create(out.toPath(),
					CommandSupport.canceled(this))) {
					pair.write(folder.path(), c);
					if (CommandSupport.canceled(this).getAsBoolean()) throw new CancellationException();
					folder.commit();
				}
				s += " Wrote " + out + ".";
			}
			log.info(s);
			return s;
		});
	}
}
