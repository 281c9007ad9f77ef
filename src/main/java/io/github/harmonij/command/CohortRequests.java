// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.nio.file.Path;

import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.pipeline.ReportWriter;
import io.github.harmonij.report.Report;

/** What the commands share in building their requests: the columns, the mask, the report. */
final class CohortRequests {

	/** The HTML report ({@link Report}), for the pipelines that write one into their folder. */
	static final ReportWriter REPORT = dir -> {
		final Path html = dir.resolve(Report.FILE_NAME);
		Report.writeNew(dir, html);
		return html;
	};

	private CohortRequests() {}

	/**
	 * @param batch the site column (blank is refused)
	 * @param covariates comma-separated covariates
	 * @param categorical comma-separated categorical covariates
	 */
	static CohortSpec spec(final String batch, final String covariates, final String categorical) {
		return CohortSpec.batch(batch == null ? "" : batch.trim()).covariates(CommandSupport.list(
			covariates)).categorical(CommandSupport.list(categorical));
	}

	/** @return the path of an optional file parameter, or null for none (null or empty) */
	static Path pathOrNull(final File file) {
		return file == null || file.getPath().isEmpty() ? null : file.toPath();
	}
}
