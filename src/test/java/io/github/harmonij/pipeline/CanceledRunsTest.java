// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.Progress;

/**
 * A voxelwise run canceled in the middle leaves nothing: no output folder, no work area beside it,
 * no temporary block file; out of core while fitting or writing, and a site addition while
 * fitting. Cohort: 16 simulated subjects at 4 sites (2 mm), a model trained on the first three.
 */
class CanceledRunsTest {

	@TempDir
	static Path dir;

	static Path train, added, mask, model;

	@BeforeAll
	static void trainOnThreeSites() throws IOException {
		final Path sim = dir.resolve("sim");
		CohortSimulation.write(sim, 16, 4, 3, 2, Progress.NONE, () -> false);
		final List<String> rows = Files.readAllLines(sim.resolve("cohort.csv"));
		final List<String> a = new ArrayList<>(), b = new ArrayList<>();
		a.add(rows.get(0));
		b.add(rows.get(0));
		for (final String row : rows.subList(1, rows.size()))
			(row.contains(",SiteD,") ? b : a).add(row);
		assertEquals(4, b.size() - 1, "the simulation's fourth site");
		train = sim.resolve("train.csv");
		added = sim.resolve("site-d.csv");
		Files.write(train, a);
		Files.write(added, b);
		mask = sim.resolve("mask.nii.gz");
		final VoxelwiseHarmonisation.Request r = VoxelwiseHarmonisation.Request.combat(train,
			CohortSpec.batch("site").covariates("age", "sex").categorical("sex"), ComBatOptions
				.defaults(), dir.resolve("train")).mask(mask).build();
		VoxelwiseHarmonisation.run(r, Progress.NONE, s -> {}, () -> false);
		model = r.out().resolve("model");
	}

	@Test
	void cancelingOutOfCoreLeavesNothing() {
		for (final String phase : new String[] { "Fitting", "Harmonising and writing" }) {
			final VoxelwiseHarmonisation.Request r = VoxelwiseHarmonisation.Request.combat(train,
				CohortSpec.batch("site").covariates("age", "sex").categorical("sex"), ComBatOptions
					.defaults(), dir.resolve("canceled")).mask(mask).chunked(true).build();
			final AtomicBoolean cancel = new AtomicBoolean();
			assertThrows(CancellationException.class, () -> VoxelwiseHarmonisation.run(r,
				Progress.NONE, s -> {
					if (s.startsWith(phase)) cancel.set(true);
				}, cancel::get), phase);
			assertFalse(Files.exists(r.out()), phase);
			noLeftovers();
		}
	}

	@Test
	void canceledWhileFittingLeavesNothing() throws IOException {
		final Path parent = dir.resolve("cancel");
		Files.createDirectories(parent);
		final Path out = parent.resolve("out");
		final VoxelwiseSiteAddition.Request r = VoxelwiseSiteAddition.Request.of(
			VoxelwiseHarmonisation.ApplyRequest.of(model, added, out), null);
		final AtomicBoolean fitting = new AtomicBoolean();
		assertThrows(CancellationException.class, () -> VoxelwiseSiteAddition.run(r, Progress.NONE,
			s -> {
				if (s.startsWith("Fitting site")) fitting.set(true);
			}, fitting::get));
		assertTrue(fitting.get(), "canceled during the fit");
		assertFalse(Files.exists(out));
		assertEquals(List.of(), files(parent), "nothing left beside the output either");
	}

	// -- Helper methods --

	private static List<String> files(final Path d) throws IOException {
		try (Stream<Path> s = Files.list(d)) {
			return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
		}
	}

	/** No work folder, no temporary block file anywhere under the test folder. */
	private static void noLeftovers() {
		try (Stream<Path> s = Files.walk(dir)) {
			final List<Path> left = s.filter(p -> {
				final String n = p.getFileName().toString();
				return n.endsWith(".partial") || n.equals(".spill") || n.endsWith(".f32");
			}).collect(Collectors.toList());
			assertEquals(List.of(), left, "left behind");
		}
		catch (final IOException e) {
			throw new AssertionError(e);
		}
	}
}
