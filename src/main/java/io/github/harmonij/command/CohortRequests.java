// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;

import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.pipeline.SiteEffectMaps;
import io.github.harmonij.pipeline.VoxelwiseHarmonisation;
import io.github.harmonij.report.Report;

/** Builds the voxelwise request shared by the cohort commands. */
final class CohortRequests {

	private CohortRequests() {}

	static VoxelwiseHarmonisation.Request request(final File manifest, final String batch,
		final String covariates, final String categorical, final File mask, final File out,
		final String command)
	{
		final VoxelwiseHarmonisation.Request r = new VoxelwiseHarmonisation.Request();
		r.manifest = manifest.toPath();
		r.spec = CohortSpec.batch(batch == null ? "" : batch.trim()).covariates(CommandSupport.list(
			covariates)).categorical(CommandSupport.list(categorical));
		r.mask = mask == null || mask.getPath().isEmpty() ? null : mask.toPath();
		r.out = out.toPath();
		r.invocation.put("command", command);
		r.invocation.put("manifest", manifest.getAbsolutePath());
		r.invocation.put("mask", r.mask == null ? "" : mask.getAbsolutePath());
		r.invocation.put("out", out.getAbsolutePath());
		return r;
	}

	/** Adds the site-effect maps and the report to a request; the report implies the maps. */
	static void evidence(final VoxelwiseHarmonisation.Request r, final boolean siteEffects,
		final boolean report, final String interest, final double q)
	{
		r.siteEffects = siteEffects || report;
		r.interest = CommandSupport.blankToNull(interest);
		r.q = q;
		if (r.siteEffects) SiteEffectMaps.checkQ(q);
		if (report) r.finishing = dir -> Report.writeNew(dir, dir.resolve(Report.FILE_NAME));
		r.invocation.put("site_effects", r.siteEffects);
		r.invocation.put("interest", interest == null ? "" : interest);
		r.invocation.put("q", q);
		r.invocation.put("report", report);
	}
}
