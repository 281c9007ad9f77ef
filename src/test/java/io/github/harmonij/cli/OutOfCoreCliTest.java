// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static io.github.harmonij.cli.HarmonijCliTest.harmonij;
import static io.github.harmonij.cli.HarmonijCliTest.list;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.NiftiImage;

/**
 * Reading each input once and the out-of-core mode ({@code --chunked}) end to end: the same files
 * as in memory, bit for bit; one decode per input; the voxels outside the mask kept or read again;
 * no temporary block file left after success or failure (after cancel:
 * {@code pipeline.CanceledRunsTest}).
 */
class OutOfCoreCliTest {

	@TempDir
	static Path dir;

	static Path cohort, manifest;

	/** The simulation's mask without one slice: a few voxels outside, kept as a sparse list. */
	static Path mostOfMask;

	/**
	 * Half of the simulation's mask: too many voxels outside for a sparse list, so they are kept
	 * whole in memory, and out of core the images are read again.
	 */
	static Path halfMask;

	@BeforeAll
	static void simulate() {
		cohort = dir.resolve("sim");
		assertEquals(0, harmonij("simulate", "--out", cohort.toString(), "--subjects", "12",
			"--sites", "3", "--seed", "7").status);
		manifest = cohort.resolve("cohort.csv");
		final NiftiImage mask = NiftiIO.read(cohort.resolve("mask.nii.gz"));
		final NiftiHeader h = mask.header();
		final float[] m = mask.data();
		final float[] most = m.clone(), half = m.clone();
		final int nx = h.nx(), ny = h.ny();
		for (int v = 0; v < m.length; v++) {
			if (v / (nx * ny) == h.nz() / 2) most[v] = 0;
			if (v % nx < nx / 2) half[v] = 0;
		}
		mostOfMask = dir.resolve("most.nii.gz");
		halfMask = dir.resolve("half.nii.gz");
		NiftiIO.write(mostOfMask, h, most, 1);
		NiftiIO.write(halfMask, h, half, 1);
	}

	@Test
	void chunkedGivesTheSameFilesAsInMemory() throws IOException {
		for (final Path mask : new Path[] { cohort.resolve("mask.nii.gz"), mostOfMask, halfMask,
			null })
		{
			final String name = mask == null ? "union" : mask.getFileName().toString().replace(
				".nii.gz", "");
			final Path a = dir.resolve("memory-" + name), b = dir.resolve("chunked-" + name);
			assertEquals(0, harmonij(args(mask, a)).status, name);
			assertEquals(0, harmonij(concat(args(mask, b), "--chunked")).status, name);
			final List<Path> files = list(a);
			assertEquals(files, list(b), name + ": the same files, no temporary file left");
			assertTrue(files.size() > 2 * 12, name);
			for (final Path f : files) {
				if (f.toString().equals("run.json")) continue;
				if (f.toString().endsWith(".nii.gz")) assertArrayEquals(NiftiIO.read(a.resolve(f))
					.data(), NiftiIO.read(b.resolve(f)).data(), name + ": " + f);
				else assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(
					f)), name + ": " + f);
			}
			final String ra = runJson(a), rb = runJson(b);
			assertTrue(ra.contains("\"chunked\": false"), ra);
			assertTrue(rb.contains("\"chunked\": true"), rb);
			for (final String run : new String[] { ra, rb })
				assertTrue(run.contains("\"peak_live_heap_mb\"") && run.contains("\"peak_heap_mb\""));
			// Read once, except out of core: the half mask leaves too much outside (read again to
			// write), and without a mask the union mask takes a pass of its own.
			assertTrue(ra.contains("\"decodes_per_input\": 1.0"), name + ": " + ra);
			assertTrue(rb.contains("\"decodes_per_input\": " + (name.equals("half") || mask == null
				? "2.0" : "1.0")), name + ": " + rb);
			assertTrue(ra.contains("\"reread_for_outside_mask\": []"), ra);
			assertEquals(!name.equals("half"), rb.contains("\"reread_for_outside_mask\": []"), rb);
			noLeftovers();
		}
	}

	@Test
	void outsideOfTheMaskIsCopiedBitForBitAndTheDifferenceIsExact() throws IOException {
		// in memory: sparse (most) and dense (half); out of core: sparse and read again
		for (final String chunked : new String[] { "--chunked=false", "--chunked" })
			for (final Path mask : new Path[] { mostOfMask, halfMask })
				outsideIsCopied(mask, chunked);
	}

	private static void outsideIsCopied(final Path mask, final String chunked) throws IOException {
		final Path out = dir.resolve("outside-" + chunked.length() + mask.getFileName());
		assertEquals(0, harmonij(concat(args(mask, out), chunked)).status);
		final float[] m = NiftiIO.read(mask).data();
		for (final String s : new String[] { "sub-001", "sub-012" }) {
			final float[] in = NiftiIO.read(cohort.resolve("images/" + s + ".nii.gz")).data();
			final float[] h = NiftiIO.read(out.resolve("harmonised/" + s + ".nii.gz")).data();
			final float[] d = NiftiIO.read(out.resolve("difference/" + s + ".nii.gz")).data();
			int outside = 0, changed = 0;
			for (int v = 0; v < in.length; v++) {
				final float expected = Float.floatToIntBits(h[v]) == Float.floatToIntBits(in[v])
					? 0f : h[v] - in[v];
				assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(d[v]), s +
					" voxel " + v + ": difference");
				if (m[v] != 0) {
					if (h[v] != in[v]) changed++;
					continue;
				}
				assertEquals(Float.floatToRawIntBits(in[v]), Float.floatToRawIntBits(h[v]), s +
					" voxel " + v + " outside the mask");
				if (in[v] != 0) outside++;
			}
			assertTrue(outside > 0, "the test needs non-zero voxels outside the mask");
			assertTrue(changed > 0, "harmonised inside the mask");
		}
	}

	/**
	 * {@code --outside-mask zero}: the voxels in the mask and the difference images are those of
	 * the default run, bit for bit; 0 outside; each input decoded once, also out of core where the
	 * default reads the half mask's images again.
	 */
	@Test
	void outsideMaskZeroChangesOnlyTheVoxelsOutside() throws IOException {
		final Path copy = dir.resolve("zero-ref");
		assertEquals(0, harmonij(args(halfMask, copy)).status);
		final float[] m = NiftiIO.read(halfMask).data();
		for (final String chunked : new String[] { "--chunked=false", "--chunked" }) {
			final Path zero = dir.resolve("zero" + chunked.length());
			assertEquals(0, harmonij(concat(args(halfMask, zero), "--outside-mask", "zero",
				chunked)).status);
			assertTrue(runJson(zero).contains("\"decodes_per_input\": 1.0"), runJson(zero));
			assertTrue(runJson(zero).contains("\"outside_mask\": \"zero\""), runJson(zero));
			assertEquals(list(copy), list(zero));
			for (final Path f : list(copy)) {
				if (f.startsWith("difference") || f.startsWith("model")) assertArrayEquals(Files
					.readAllBytes(copy.resolve(f)), Files.readAllBytes(zero.resolve(f)), f.toString());
				if (!f.startsWith("harmonised")) continue;
				final float[] c = NiftiIO.read(copy.resolve(f)).data();
				final float[] z = NiftiIO.read(zero.resolve(f)).data();
				int outside = 0;
				for (int v = 0; v < c.length; v++) {
					if (m[v] == 0 && c[v] != 0) outside++;
					assertEquals(Float.floatToRawIntBits(m[v] != 0 ? c[v] : 0f), Float
						.floatToRawIntBits(z[v]), f + " voxel " + v);
				}
				assertTrue(outside > 0, "the test needs non-zero voxels outside the mask");
			}
		}
		noLeftovers();
	}

	/**
	 * {@code --no-difference --no-diagnostics}: no difference/, no gamma_hat or delta_hat_sq in
	 * the model; the harmonised images are the default run's, and the smaller model applies to
	 * them with the same bits. The summary says what was written.
	 */
	@Test
	void leavingOutTheDifferenceAndDiagnosticsKeepsApplyExact() throws IOException {
		final Path full = dir.resolve("full"), lean = dir.resolve("lean"), applied = dir.resolve(
			"applied");
		final Path mask = cohort.resolve("mask.nii.gz");
		assertEquals(0, harmonij(args(mask, full)).status);
		final HarmonijCliTest.Run run = harmonij(concat(args(mask, lean), "--no-difference",
			"--no-diagnostics"));
		assertEquals(0, run.status, run.err);
		assertTrue(run.out.contains("Wrote ") && run.out.contains("harmonised/ ") && run.out
			.contains("model/ ") && !run.out.contains("difference/"), run.out);
		assertTrue(Files.isDirectory(full.resolve("difference")));
		assertTrue(!Files.exists(lean.resolve("difference")));
		final List<Path> model = list(lean.resolve("model"));
		assertTrue(model.contains(Path.of("gamma_star.nii.gz")), model.toString());
		assertTrue(!model.contains(Path.of("gamma_hat.nii.gz")) && !model.contains(Path.of(
			"delta_hat_sq.nii.gz")), model.toString());
		assertTrue(list(full.resolve("model")).contains(Path.of("delta_hat_sq.nii.gz")));
		final String json = new String(Files.readAllBytes(lean.resolve("model/model.json")),
			StandardCharsets.UTF_8);
		assertTrue(!json.contains("gamma_hat") && json.contains("gamma_star"), json);
		assertEquals(0, harmonij("apply", "--model", lean.resolve("model").toString(), "--manifest",
			manifest.toString(), "--out", applied.toString()).status);
		for (final Path f : list(full.resolve("harmonised"))) {
			final byte[] expected = Files.readAllBytes(full.resolve("harmonised").resolve(f));
			assertArrayEquals(expected, Files.readAllBytes(lean.resolve("harmonised").resolve(f)),
				f.toString());
			assertArrayEquals(expected, Files.readAllBytes(applied.resolve("harmonised").resolve(f)),
				f.toString());
		}
	}

	@Test
	void aFailureWhileReadingLeavesNoBlockFile() throws IOException {
		// A copy of the cohort with one image cut short: its header reads, its voxels do not.
		final Path broken = dir.resolve("broken");
		Files.createDirectories(broken.resolve("images"));
		for (final Path f : list(cohort.resolve("images")))
			Files.copy(cohort.resolve("images").resolve(f), broken.resolve("images").resolve(f));
		final Path victim = broken.resolve("images/sub-009.nii.gz");
		final byte[] bytes = Files.readAllBytes(victim);
		Files.write(victim, java.util.Arrays.copyOf(bytes, bytes.length / 2));
		Files.copy(manifest, broken.resolve("cohort.csv"));
		final Path out = dir.resolve("failed");
		// args() names the original manifest: point it at the broken copy
		final String[] a = concat(args(cohort.resolve("mask.nii.gz"), out), "--chunked");
		a[2] = broken.resolve("cohort.csv").toString();
		final HarmonijCliTest.Run failed = harmonij(a);
		assertEquals(Harmonij.BAD_INPUT, failed.status, failed.err);
		assertTrue(failed.err.contains("sub-009.nii.gz") && failed.err.contains("truncated"),
			failed.err);
		noLeftovers();
	}

	// -- Helper methods --

	private static String[] args(final Path mask, final Path out) {
		final String[] a = { "combat", "--manifest", manifest.toString(), "--batch", "site",
			"--covariates", "age,sex", "--categorical", "sex", "--out", out.toString() };
		return mask == null ? a : concat(a, "--mask", mask.toString());
	}

	private static String[] concat(final String[] a, final String... b) {
		final String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, c, a.length, b.length);
		return c;
	}

	private static String runJson(final Path out) throws IOException {
		return new String(Files.readAllBytes(out.resolve("run.json")), StandardCharsets.UTF_8);
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
