// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;

/**
 * {@link RunRecord}: what each kind of run writes to run.json (and what it leaves out), that a
 * record read back holds the same values, and summary.csv's rows.
 */
class RunRecordTest {

	/** run.json's keys of a voxelwise harmonisation (no mask: its key says null). */
	private static final List<String> VOXELWISE_KEYS = List.of("harmonij_version", "method",
		"invocation", "manifest", "mask", "inputs", "counts", "timings_s", "peak_heap_mb",
		"peak_live_heap_mb", "max_heap_mb", "chunked", "input_reading", "threads", "java",
		"added_site", "outputs");

	private static final List<String> SITE_EFFECTS_KEYS = List.of("harmonij_version", "analysis",
		"invocation", "manifest", "mask", "batch_column", "batch_levels", "covariates",
		"categorical", "interest", "q", "subjects", "mask_voxels", "tested_voxels", "seconds",
		"outputs");

	private static final List<String> TABLE_EFFECTS_KEYS = List.of("harmonij_version",
		"analysis", "table", "harmonised", "batch_column", "covariates", "categorical", "smooth",
		"smooth_df", "features", "q", "harmonisation", "outputs");

	@TempDir
	Path tmp;

	@Test
	void voxelwiseRunRoundTripsAndWritesSummaryRows() throws IOException {
		final Path dir = folder("voxelwise");
		final RunRecord written = voxelwise().write(dir);
		final String text = read(dir.resolve("run.json"));
		final RunRecord back = RunRecord.read(text);
		assertEquals(written.tree(), back.tree());
		assertEquals(text, back.toJson(), "read back, written again: the same text");
		assertEquals("ComBat", back.method());
		assertEquals("/d/sub-1.nii.gz", back.inputs().get(0).image());
		assertEquals(List.of("images.txt", "summary.csv"), files(back));
		assertEquals(VOXELWISE_KEYS, keys(back.tree()));
		assertTrue(back.tree().get("mask").isJsonNull(), "a run without a mask says null");
		assertEquals(List.of(
			"site,n,mean_before,sd_before,mean_after,sd_after,mask_voxels,harmonised_voxels," +
				"unchanged_nonfinite,unchanged_constant,unchanged_constant_in_site",
			"A,2,1.5,0.25,1,NaN,,,,,", "(all sites),3,2,0.5,1,0,100,90,4,5,1"), Files
				.readAllLines(dir.resolve("summary.csv"), StandardCharsets.UTF_8));
	}

	@Test
	void siteEffectsLeaveOutTheHarmonisationFields() throws IOException {
		final Path dir = folder("effects");
		final Map<String, Object> invocation = new LinkedHashMap<>();
		invocation.put("command", "site-effects");
		invocation.put("mask", null);
		final RunRecord r = RunRecord.builder().analysis("site effects").invocation(invocation)
			.manifest(Path.of("/d/cohort.csv")).mask(Path.of("/d/mask.nii.gz")).batchColumn("site")
			.batchLevels(List.of("A", "B")).covariates(List.of("age", "sex"), List.of("sex"), null)
			.interest(null).q(0.05).tested(12, 100, 98).seconds(1.25).write(dir);
		assertEquals(SITE_EFFECTS_KEYS, keys(r.tree()));
		assertEquals("", r.tree().get("interest").getAsString(), "no covariate of interest");
		assertTrue(r.tree().getAsJsonObject("invocation").get("mask").isJsonNull(),
			"nulls inside the invocation are written");
		assertEquals(r.tree(), RunRecord.read(read(dir.resolve("run.json"))).tree());
		assertTrue(Files.notExists(dir.resolve("summary.csv")), "no per-site rows: no summary.csv");
	}

	@Test
	void tableEffectsLeaveOutTheCohortFields() throws IOException {
		final Path dir = folder("table-effects");
		final RunRecord r = RunRecord.builder().analysis("table site effects").table(Path.of(
			"/d/t.csv")).harmonised(null).batchColumn("site").covariates(List.of("age"), List.of(),
				List.of("age")).smoothDf(4).features(List.of("f1", "f2")).q(0.1).harmonisation(
					new RunRecord.Harmonisation("combat-table", "ComBat", "eb=parametric", ""))
			.write(dir);
		assertEquals(TABLE_EFFECTS_KEYS, keys(r.tree()));
		assertTrue(r.tree().get("harmonised").isJsonNull(), "no harmonised table: null");
		final RunRecord back = RunRecord.read(read(dir.resolve("run.json")));
		assertEquals(r.tree(), back.tree());
		assertEquals(null, back.harmonised());
		assertEquals("ComBat", back.harmonisation().method());
	}

	// -- Helper methods --

	/** A voxelwise run's record, with per-site rows, an added site and no mask. */
	private static RunRecord.Builder voxelwise() {
		final Map<String, Object> invocation = new LinkedHashMap<>();
		invocation.put("command", "combat");
		invocation.put("covariates", "age,sex");
		final Map<String, Long> counts = new LinkedHashMap<>();
		counts.put("subjects", 3L);
		counts.put("sites", 2L);
		counts.put("mask_voxels", 100L);
		counts.put("voxels_harmonised", 90L);
		counts.put("voxels_non_finite", 4L);
		counts.put("voxels_constant", 5L);
		counts.put("voxels_constant_in_site", 1L);
		final Map<String, Double> timings = new LinkedHashMap<>();
		timings.put("read", 0.5);
		timings.put("total", 1.5);
		final Map<String, Object> added = new LinkedHashMap<>();
		added.put("batch", "C");
		added.put("a_prior", Double.NaN);
		return RunRecord.builder().method("ComBat").invocation(invocation).manifest(Path.of(
			"/d/cohort.csv")).mask(null).inputs(List.of(new RunRecord.Input("s1", "A",
				"/d/sub-1.nii.gz", 1234, "sub-1.nii.gz"))).counts(counts).timings(timings).heap(
					10.5, 8.25, 512).chunked(false).inputReading(new RunRecord.InputReading(3, 3,
						List.of())).platform(2, "17").addedSite(added).sites(List.of(
							new RunRecord.SiteSummary("A", 2, 1.5, 0.25, 1.0, Double.NaN),
							new RunRecord.SiteSummary(RunRecord.ALL_SITES, 3, 2.0, 0.5, 1.0, 0.0)));
	}

	/** A new result folder holding one file, as a run's outputs. */
	private Path folder(final String name) throws IOException {
		final Path dir = Files.createDirectories(tmp.resolve(name));
		Files.write(dir.resolve("images.txt"), List.of("x"), StandardCharsets.UTF_8);
		return dir;
	}

	private static List<String> files(final RunRecord r) {
		final List<String> names = new ArrayList<>();
		for (final RunRecord.Output o : r.outputs())
			names.add(o.file());
		return names;
	}

	private static List<String> keys(final JsonObject o) {
		return new ArrayList<>(o.keySet());
	}

	private static String read(final Path f) throws IOException {
		return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
	}
}
