// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.nio.file.Path;

/**
 * Writes the HTML report of a result folder. The commands give it (it is {@code report.Report}),
 * since the pipelines may not use the report package; a pipeline calls it when everything else
 * is written, before the folder is committed, so the report appears with the results or not at
 * all.
 */
@FunctionalInterface
public interface ReportWriter {

	/**
	 * @param dir the result's work folder, complete but for the report
	 * @return the report's file, inside {@code dir}
	 */
	Path write(Path dir);
}
