// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static io.github.harmonij.cli.CliRuns.fail;
import static io.github.harmonij.cli.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.Progress;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.pipeline.CohortSimulation;

/**
 * Voxelwise saved models on a simulated cohort (36 subjects, 3 sites, 2 mm): the model written by
 * {@code harmonij combat} and applied with {@code harmonij apply} to the training subjects gives
 * the one-shot images bit for bit; applied to held-out subjects (train on 2/3, apply to 1/3) it
 * removes the site effects about as well as the one-shot run on everyone; and every bad input is
 * a clear error.
 */
class SavedModelVoxelTest {

	/** Held-out residual site effect may exceed the one-shot one by at most this factor. */
	private static final double HELD_OUT_FACTOR = 2.0;

	/**
	 * The trained model applied to held-out subjects must cut their site effect at least this many
	 * times (measured: from 0.107 to 0.0068, 16 times; the one-shot run on everyone gives 0.0062).
	 */
	private static final double HELD_OUT_REMOVAL = 3;

	@TempDir
	static Path tmp;

	static Path sim;

	static CsvTable cohort;

	@BeforeAll
	static void simulate() {
		sim = tmp.resolve("sim");
		CohortSimulation.write(sim, 36, 3, 7, 2, Progress.NONE, () -> false);
		cohort = Csv.read(sim.resolve("cohort.csv"));
	}

	@Test
	void applyingTheModelToTheTrainingSubjectsReproducesTheOneShotRunBitForBit() throws IOException {
		final Path full = tmp.resolve("full");
		run("combat", "--manifest", sim.resolve("cohort.csv"), "--batch", "site", "--covariates",
			"age,sex", "--categorical", "sex", "--smooth", "age", "--out", full);
		final Path applied = tmp.resolve("applied");
		final String summary = run("apply", "--model", full.resolve("model"), "--manifest", sim
			.resolve("cohort.csv"), "--out", applied);
		assertTrue(summary.contains("Harmonised 36 images"), summary);
		for (int j = 0; j < cohort.nRows(); j++) {
			final String name = Path.of(cohort.cell(j, cohort.column("image"))).getFileName()
				.toString();
			assertArrayEquals(NiftiIO.readVolume(full.resolve("harmonised").resolve(name), 0),
				NiftiIO.readVolume(applied.resolve("harmonised").resolve(name), 0), name);
		}
	}

	@Test
	void heldOutSubjectsAreHarmonisedAsWellAsInTheOneShotRun() throws IOException {
		// every third subject of each site is held out
		final List<Integer> train = new ArrayList<>(), test = new ArrayList<>();
		final java.util.Map<String, Integer> seen = new java.util.HashMap<>();
		for (int j = 0; j < cohort.nRows(); j++) {
			final int i = seen.merge(cohort.cell(j, cohort.column("site")), 1, Integer::sum);
			(i % 3 == 0 ? test : train).add(j);
		}
		final Path trainCsv = subset("train.csv", train), testCsv = subset("test.csv", test);
		final Path all = tmp.resolve("all"), model = tmp.resolve("trained"), held = tmp.resolve(
			"held");
		run("combat", "--manifest", sim.resolve("cohort.csv"), "--batch", "site", "--covariates",
			"age,sex", "--categorical", "sex", "--out", all);
		run("combat", "--manifest", trainCsv, "--batch", "site", "--covariates", "age,sex",
			"--categorical", "sex", "--out", model);
		run("apply", "--model", model.resolve("model"), "--manifest", testCsv, "--out", held);
		final double before = siteEffect(test, null), oneShot = siteEffect(test, all), heldOut =
			siteEffect(test, held);
		final String figures = "residual site effect on the " + test.size() + " held-out subjects " +
			"(RMS over voxels of the per-site mean of harmonised - truth, centred across sites): " +
			"before " + before + ", one-shot on all 36 " + oneShot + ", trained on " + train.size() +
			" and applied " + heldOut;
		assertTrue(heldOut < before / HELD_OUT_REMOVAL, figures);
		assertTrue(heldOut < HELD_OUT_FACTOR * oneShot, figures);
	}

	@Test
	void badInputIsAClearError() throws IOException {
		final Path full = tmp.resolve("errmodel");
		run("combat", "--manifest", sim.resolve("cohort.csv"), "--batch", "site", "--covariates",
			"age,sex", "--categorical", "sex", "--smooth", "age", "--out", full);
		final Path model = full.resolve("model");
		// an unseen site and an unseen level of sex, and an age outside the training range
		final List<String[]> rows = new ArrayList<>();
		final String[] a = cohort.row(0), b = cohort.row(1), c = cohort.row(2);
		a[cohort.column("site")] = "Mars";
		b[cohort.column("sex")] = "X";
		c[cohort.column("age")] = "150";
		rows.add(a);
		rows.add(b);
		rows.add(c);
		final Path bad = sim.resolve("bad.csv");
		Csv.write(bad, cohort.header(), rows);
		final String err = fail("apply", "--model", model, "--manifest", bad, "--out", tmp.resolve(
			"never"));
		assertTrue(err.contains("row 2 (subject " + a[0] + "): site \"Mars\" is not one of the " +
			"sites the model was fitted with"), err);
		assertTrue(err.contains("row 3 (subject " + b[0] + "): sex \"X\" is not one of the levels"),
			err);
		assertTrue(err.contains("row 4 (subject " + c[0] + "): age 150 is outside the training " +
			"range"), err);
		assertTrue(!Files.exists(tmp.resolve("never")));
		// clamp turns the range error into a warning; the other two rows stay errors
		rows.remove(0);
		rows.remove(0);
		final Path old = sim.resolve("old.csv");
		Csv.write(old, cohort.header(), rows);
		run("apply", "--model", model, "--manifest", old, "--clamp", "--out", tmp.resolve(
			"clamped"));
		final String runJson = new String(Files.readAllBytes(tmp.resolve("clamped").resolve(
			"run.json")), StandardCharsets.UTF_8);
		assertTrue(runJson.contains("clamped to"), runJson);
		// another grid
		final Path other = tmp.resolve("other");
		CohortSimulation.write(other, 6, 3, 7, 1, Progress.NONE, () -> false);
		final String gridErr = fail("apply", "--model", model, "--manifest", other.resolve(
			"cohort.csv"), "--out", tmp.resolve("never"));
		assertTrue(gridErr.contains("is not on the model's grid"), gridErr);
		// a model folder whose mask does not match its checksum
		final Path json = model.resolve("model.json");
		final String text = new String(Files.readAllBytes(json), StandardCharsets.UTF_8);
		final Path damaged = tmp.resolve("damaged");
		Files.createDirectories(damaged);
		for (final Path f : Files.list(model).toArray(Path[]::new))
			Files.copy(f, damaged.resolve(f.getFileName()));
		Files.delete(damaged.resolve("model.json"));
		Files.write(damaged.resolve("model.json"), text.replaceFirst("\"mask_sha256\": \"[0-9a-f]+\"",
			"\"mask_sha256\": \"00\"").getBytes(StandardCharsets.UTF_8));
		final String maskErr = fail("apply", "--model", damaged, "--manifest", sim.resolve(
			"cohort.csv"), "--out", tmp.resolve("never"));
		assertTrue(maskErr.contains("does not match the checksum"), maskErr);
		// a table model given to apply
		final String tableErr = fail("apply", "--model", json.getParent().getParent().resolve(
			"summary.csv"), "--manifest", sim.resolve("cohort.csv"), "--out", tmp.resolve("never"));
		assertTrue(tableErr.contains("is not a HarmonIJ model"), tableErr);
	}

	// -- Helper methods --

	/**
	 * RMS over mask voxels and sites of the per-site mean of (image - truth) over the given
	 * subjects, centred across sites; {@code out} null for the unharmonised images.
	 */
	private static double siteEffect(final List<Integer> subjects, final Path out) {
		final float[] mask = NiftiIO.readVolume(sim.resolve("mask.nii.gz"), 0);
		final List<String> sites = new ArrayList<>();
		for (final int j : subjects)
			if (!sites.contains(cohort.cell(j, cohort.column("site")))) sites.add(cohort.cell(j,
				cohort.column("site")));
		final double[][] mean = new double[sites.size()][mask.length];
		final int[] count = new int[sites.size()];
		for (final int j : subjects) {
			final Path image = sim.resolve(cohort.cell(j, cohort.column("image")));
			final String name = image.getFileName().toString();
			final float[] truth = NiftiIO.readVolume(sim.resolve("truth").resolve(name), 0);
			final float[] h = NiftiIO.readVolume(out == null ? image : out.resolve("harmonised")
				.resolve(name), 0);
			final int k = sites.indexOf(cohort.cell(j, cohort.column("site")));
			count[k]++;
			for (int v = 0; v < mask.length; v++)
				if (mask[v] != 0) mean[k][v] += h[v] - truth[v];
		}
		double ss = 0;
		long n = 0;
		for (int v = 0; v < mask.length; v++) {
			if (mask[v] == 0) continue;
			double m = 0;
			for (int k = 0; k < sites.size(); k++)
				m += mean[k][v] / count[k] / sites.size();
			for (int k = 0; k < sites.size(); k++) {
				final double d = mean[k][v] / count[k] - m;
				ss += d * d;
				n++;
			}
		}
		return Math.sqrt(ss / n);
	}

	private static Path subset(final String name, final List<Integer> rows) {
		final List<String[]> r = new ArrayList<>();
		for (final int j : rows)
			r.add(cohort.row(j));
		final Path p = sim.resolve(name);
		Csv.write(p, cohort.header(), r);
		return p;
	}
}
