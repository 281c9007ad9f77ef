// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import net.imglib2.parallel.Parallelization;

import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.sim.CohortSimulator;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.Json;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.NiftiImage;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.Version;

/**
 * Writes a synthetic multi-site cohort ({@link CohortSimulator}) on the bundled ICBM152 2009a
 * grey-matter map: {@code images/<subject>.nii.gz} (with site effects), {@code truth/} (the same
 * subjects without site effects), {@code mask.nii.gz}, {@code cohort.csv} (subject, image, site,
 * age, sex, group) and {@code simulation.json} (the parameters). The folder appears only when
 * complete.
 */
public final class CohortSimulation {

	private static final String TEMPLATE = "/io/github/harmonij/template/";

	private CohortSimulation() {}

	/**
	 * @param resolution 1 or 2 (mm)
	 * @return a one-line summary
	 */
	public static String write(final Path out, final int nSubjects, final int nSites,
		final long seed, final int resolution, final Progress progress,
		final BooleanSupplier canceled)
	{
		if (resolution != 1 && resolution != 2) throw new InputException("resolution=" +
			resolution + " is not available; use 1 or 2 (mm).");
		if (nSites < 2 || nSites > 26) throw new InputException("sites=" + nSites +
			" is out of range; use 2 to 26 sites.");
		if (nSubjects < 2 * nSites) throw new InputException("subjects=" + nSubjects + " is too " +
			"few for " + nSites + " sites; ComBat needs at least 2 per site (" + 2 * nSites + ").");
		OutputFolder.checkUsable(out);
		final NiftiImage gm = resource(resolution == 2 ? "mni_icbm152_2009a_sym_2mm_gm.nii.gz"
			: "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz");
		final NiftiImage maskImage = resource(resolution == 2 ?
			"mni_icbm152_2009a_sym_2mm_mask.nii.gz" : "mni_icbm152_t1_tal_nlin_sym_09a_mask.nii.gz");
		final NiftiHeader grid = gm.header();
		final float[] g = gm.data().clone();
		// The 1 mm map stores probability x 255 (nilearn's encoding).
		final float scale = resolution == 1 ? 1 / 255f : 1f;
		final boolean[] mask = new boolean[g.length];
		final float[] maskData = maskImage.data();
		// The mask is the template's brain mask; where its grey matter is 0, every simulated image
		// is 0 (truth and site effects scale with it), so a harmonisation counts those voxels as
		// constant and leaves them unchanged. The summary says how many, so that count is expected.
		long maskVoxels = 0, noGreyMatter = 0;
		for (int v = 0; v < g.length; v++) {
			g[v] *= scale;
			mask[v] = maskData[v] > 0;
			if (mask[v]) maskVoxels++;
			if (mask[v] && g[v] == 0) noGreyMatter++;
		}
		final int[] dims = { grid.nx(), grid.ny(), grid.nz() };
		final CohortSimulator sim = new CohortSimulator(new CohortSimulator.Template(dims, g, mask,
			grid.affine()), nSubjects, nSites, seed);
		try (OutputFolder folder = OutputFolder.create(out, canceled)) {
			final Path dir = folder.path();
			Files.createDirectories(dir.resolve("images"));
			Files.createDirectories(dir.resolve("truth"));
			final NiftiHeader header = grid.forFloat32(1);
			final float[] maskOut = new float[g.length];
			for (int v = 0; v < g.length; v++)
				maskOut[v] = mask[v] ? 1 : 0;
			NiftiIO.write(dir.resolve("mask.nii.gz"), header, maskOut, 1);
			final AtomicLong done = new AtomicLong();
			final List<Integer> subjects = IntStream.range(0, nSubjects).boxed().collect(Collectors
				.toList());
			Parallelization.getTaskExecutor().forEach(subjects, j -> {
				if (canceled.getAsBoolean()) throw new CancellationException();
				final float[] truth = new float[g.length], observed = new float[g.length];
				sim.simulate(j, truth, observed);
				final String id = sim.subjects().get(j).id;
				NiftiIO.write(dir.resolve("images").resolve(id + ".nii.gz"), header, observed, 1);
				NiftiIO.write(dir.resolve("truth").resolve(id + ".nii.gz"), header, truth, 1);
				progress.update(done.incrementAndGet(), nSubjects);
			});
			final List<String[]> rows = new ArrayList<>();
			for (final CohortSimulator.Subject s : sim.subjects())
				rows.add(new String[] { s.id, "images/" + s.id + ".nii.gz", s.siteName, String.format(
					Locale.ROOT, "%.1f", s.age), s.sex, s.group });
			Csv.write(dir.resolve("cohort.csv"), Arrays.asList("subject", "image", "site", "age",
				"sex", "group"), rows);
			final Map<String, Object> json = new LinkedHashMap<>();
			json.put("harmonij_version", Version.get());
			json.put("subjects", nSubjects);
			json.put("sites", Arrays.asList(sim.siteNames()));
			json.put("seed", seed);
			json.put("resolution_mm", resolution);
			json.put("template", "MNI ICBM152 2009a symmetric grey-matter probability map");
			json.put("model", "truth = gm * (1 + " + CohortSimulator.AGE_SLOPE + " * (age - 70) + " +
				CohortSimulator.SEX_EFFECT + " * [M] + " + CohortSimulator.GROUP_EFFECT +
				" * [AD] * hippocampal weight) + " + CohortSimulator.NOISE_SD +
				" * sqrt(gm) * N(0,1); image = truth * scale_site(x) + shift_site(x) * gm, " +
				"scale and shift smooth in space");
			Json.writeNew(dir.resolve("simulation.json"), json);
			folder.commit();
		}
		catch (final IOException e) {
			throw new InputException("Cannot write the simulated cohort to " + out + ": " + e
				.getMessage());
		}
		return String.format(Locale.ROOT, "Simulated %d subjects at %d sites (%d mm) in %s: " +
			"images/, truth/, mask.nii.gz, cohort.csv. The mask (the brain, %d voxels) has %d " +
			"voxels outside the grey matter, 0 in every image: harmonisation leaves them unchanged " +
			"and counts them as constant.", nSubjects, nSites, resolution, out, maskVoxels,
			noGreyMatter);
	}

	/** Reads a bundled template file (copied to a temporary file: the reader takes paths). */
	private static NiftiImage resource(final String name) {
		try (InputStream in = CohortSimulation.class.getResourceAsStream(TEMPLATE + name)) {
			if (in == null) throw new IllegalStateException("template missing from the jar: " + name);
			final Path tmp = Files.createTempFile("harmonij-template", ".nii.gz");
			try {
				Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
				return NiftiIO.read(tmp);
			}
			finally {
				Files.deleteIfExists(tmp);
			}
		}
		catch (final IOException e) {
			throw new IllegalStateException("cannot read the bundled template " + name, e);
		}
	}
}
