// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code harmonij add-site} on images: the new site's images are read once, for the fit and the
 * harmonisation; the harmonised images are those the extended model gives through {@code apply},
 * bit for bit. (A run canceled while fitting: {@code pipeline.CanceledRunsTest}.)
 */
class AddSiteCliTest {

	@TempDir
	static Path dir;

	static Path train, added, model;

	@BeforeAll
	static void trainOnThreeSites() throws IOException {
		final Path sim = dir.resolve("sim");
		run("simulate", "--out", sim.toString(), "--subjects", "16", "--sites", "4", "--seed", "3");
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
		final Path out = dir.resolve("train");
		run("combat", "--manifest", train.toString(), "--mask", sim.resolve("mask.nii.gz")
			.toString(), "--batch", "site", "--covariates", "age,sex", "--categorical", "sex",
			"--out", out.toString());
		model = out.resolve("model");
	}

	@Test
	void readsTheImagesOnceAndHarmonisesThemAsTheExtendedModelDoes() throws IOException {
		final Path out = dir.resolve("added"), again = dir.resolve("again");
		run("add-site", "--model", model.toString(), "--manifest", added.toString(), "--out", out
			.toString());
		final String json = new String(Files.readAllBytes(out.resolve("run.json")),
			StandardCharsets.UTF_8);
		assertTrue(json.contains("\"decodes\": 4,"), json);
		assertTrue(json.contains("\"decodes_per_input\": 1.0"), json);
		assertTrue(json.contains("\"fit\": "), "the fit's time: " + json);
		assertTrue(json.contains("\"added_site\""), json);
		run("apply", "--model", out.resolve("model").toString(), "--manifest", added.toString(),
			"--out", again.toString());
		final List<String> files = files(out.resolve("harmonised"));
		assertEquals(4, files.size());
		assertEquals(files, files(again.resolve("harmonised")));
		for (final String f : files)
			assertArrayEquals(Files.readAllBytes(again.resolve("harmonised").resolve(f)), Files
				.readAllBytes(out.resolve("harmonised").resolve(f)), f);
		assertEquals(Files.readAllLines(again.resolve("summary.csv")), Files.readAllLines(out
			.resolve("summary.csv")));
	}

	// -- Helper methods --

	private static List<String> files(final Path d) throws IOException {
		try (Stream<Path> s = Files.list(d)) {
			return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
		}
	}

	private static void run(final String... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream(), err =
			new ByteArrayOutputStream();
		final int status = new Harmonij(new PrintStream(out), new PrintStream(err)).execute(args);
		assertEquals(0, status, String.join(" ", args) + "\n" + err.toString(
			StandardCharsets.UTF_8));
	}
}
