// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cohort.Cohort;
import io.github.harmonij.cohort.CohortManifest;
import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.NiftiImage;

/**
 * The {@code harmonij} command line end to end on a simulated cohort: simulate, read back through
 * the manifest, harmonise with both methods and both spellings (flags and macro options), and the
 * bad inputs a user meets first.
 */
class HarmonijCliTest {

	@TempDir
	static Path dir;

	static Path cohort;

	/** What one call printed and returned. */
	static final class Run {

		int status;

		String out, err;
	}

	static Run harmonij(final String... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream(), err =
			new ByteArrayOutputStream();
		final Run r = new Run();
		r.status = new Harmonij(new PrintStream(out, true), new PrintStream(err, true)).execute(args);
		r.out = out.toString(StandardCharsets.UTF_8);
		r.err = err.toString(StandardCharsets.UTF_8);
		return r;
	}

	@BeforeAll
	static void simulate() {
		cohort = dir.resolve("sim");
		final Run r = harmonij("simulate", "--out", cohort.toString(), "--subjects", "12",
			"--sites", "3", "--seed", "5");
		assertEquals(0, r.status, r.err);
		assertTrue(r.out.contains("Simulated 12 subjects"), r.out);
	}

	@Test
	void simulatedCohortReadsBackThroughTheManifest() {
		final Cohort c = CohortManifest.read(cohort.resolve("cohort.csv"), CohortSpec.batch("site")
			.covariates("age", "sex", "group").categorical("sex", "group"));
		assertEquals(12, c.nSubjects());
		assertEquals(3, c.design().nBatches());
		final NiftiImage first = NiftiIO.read(c.image(0));
		final NiftiHeader h = first.header();
		assertEquals(91, h.nx());
		assertEquals(109, h.ny());
		assertEquals(91, h.nz());
		assertEquals("mm", h.spatialUnit());
		assertArrayEquals(new double[] { 2, 0, 0, -90 }, h.affine()[0], 1e-6);
		assertArrayEquals(new double[] { 0, 2, 0, -126 }, h.affine()[1], 1e-6);
		assertArrayEquals(new double[] { 0, 0, 2, -72 }, h.affine()[2], 1e-6);
		assertEquals(16, h.datatype(), "float32");
	}

	@Test
	void sameSeedSameFiles() throws IOException {
		final Path again = dir.resolve("sim-again");
		assertEquals(0, harmonij("simulate", "--out", again.toString(), "--subjects", "12",
			"--sites", "3", "--seed", "5").status);
		for (final String f : new String[] { "cohort.csv", "images/sub-001.nii.gz",
			"truth/sub-012.nii.gz", "mask.nii.gz" })
			assertArrayEquals(NiftiOrBytes.read(cohort.resolve(f)), NiftiOrBytes.read(again.resolve(
				f)), f);
	}

	@Test
	void combatByFlagsAndByMacroOptionsGiveTheSameFiles() throws IOException {
		final Path a = dir.resolve("combat-flags"), b = dir.resolve("combat-macro");
		final Run ra = harmonij("combat", "--manifest", cohort.resolve("cohort.csv").toString(),
			"--batch", "site", "--covariates", "age,sex,group", "--categorical", "sex,group",
			"--mask", cohort.resolve("mask.nii.gz").toString(), "--out", a.toString());
		assertEquals(0, ra.status, ra.err);
		assertTrue(ra.out.contains("Harmonised 12 images from 3 sites"), ra.out);
		final Run rb = harmonij("run", "Harmonise Cohort (ComBat)", "manifest=[" + cohort.resolve(
			"cohort.csv") + "] batch=site covariates=[age,sex,group] categorical=[sex,group] mask=[" +
			cohort.resolve("mask.nii.gz") + "] eb=parametric out=[" + b + "]");
		assertEquals(0, rb.status, rb.err);
		final List<Path> files = list(a);
		assertTrue(files.size() > 2 * 12, "files: " + files);
		for (final Path f : files) {
			if (f.toString().equals("run.json")) continue; // timings differ
			if (f.toString().endsWith(".nii.gz")) assertArrayEquals(NiftiIO.read(a.resolve(f))
				.data(), NiftiIO.read(b.resolve(f)).data(), f.toString());
			else assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)),
				f.toString());
		}
		final CsvTable summary = Csv.read(a.resolve("summary.csv"));
		assertEquals(4, summary.nRows(), "3 sites and the total");
		final String run = new String(Files.readAllBytes(a.resolve("run.json")),
			StandardCharsets.UTF_8);
		for (final String key : new String[] { "\"timings_s\"", "\"read\"", "\"fit\"", "\"adjust\"", "\"write\"",
			"\"total\"", "\"peak_heap_mb\"", "\"harmonij_version\"" })
			assertTrue(run.contains(key), key + " in run.json");
	}

	@Test
	void harmonisedImagesKeepTheirGeometryAndOutsideOfTheMask() {
		final Path out = dir.resolve("regress");
		final Run r = harmonij("regress", "--manifest", cohort.resolve("cohort.csv").toString(),
			"--batch", "site", "--covariates", "age,sex,group", "--categorical", "sex,group",
			"--mask", cohort.resolve("mask.nii.gz").toString(), "--out", out.toString());
		assertEquals(0, r.status, r.err);
		final NiftiImage in = NiftiIO.read(cohort.resolve("images/sub-003.nii.gz"));
		final NiftiImage h = NiftiIO.read(out.resolve("harmonised/sub-003.nii.gz"));
		final NiftiImage d = NiftiIO.read(out.resolve("difference/sub-003.nii.gz"));
		final float[] mask = NiftiIO.read(cohort.resolve("mask.nii.gz")).data();
		assertEquals(null, in.header().gridDifference(h.header()));
		assertArrayEquals(in.header().pixdim(), h.header().pixdim());
		assertEquals(in.header().qformCode(), h.header().qformCode());
		assertEquals(in.header().sformCode(), h.header().sformCode());
		int changed = 0;
		for (int v = 0; v < mask.length; v++) {
			if (mask[v] == 0) assertEquals(in.data()[v], h.data()[v], "outside the mask, voxel " + v);
			else if (h.data()[v] != in.data()[v]) changed++;
			assertEquals(h.data()[v] - in.data()[v], d.data()[v], 1e-6f, "difference, voxel " + v);
		}
		assertTrue(changed > 1000, "voxels changed in the mask: " + changed);
	}

	@Test
	void badInputExitsWithTwoAndSaysWhere() throws IOException {
		final Run unknown = harmonij("combat", "--manifest", cohort.resolve("cohort.csv")
			.toString(), "--batch", "scanner", "--out", dir.resolve("never").toString());
		assertEquals(2, unknown.status);
		assertTrue(unknown.err.contains("scanner"), unknown.err);
		assertFalse(Files.exists(dir.resolve("never")), "nothing written");

		final Path full = dir.resolve("full");
		Files.createDirectories(full);
		Files.write(full.resolve("keep.txt"), "mine".getBytes(StandardCharsets.UTF_8));
		final Run notEmpty = harmonij("combat", "--manifest", cohort.resolve("cohort.csv")
			.toString(), "--batch", "site", "--out", full.toString());
		assertEquals(2, notEmpty.status);
		assertTrue(notEmpty.err.contains("not empty"), notEmpty.err);
		assertEquals(List.of(Path.of("keep.txt")), list(full), "nothing overwritten");

		final Run option = harmonij("run", "Harmonise Cohort (ComBat)", "manifest=[" + cohort
			.resolve("cohort.csv") + "] batch=site eb=bayesian out=[" + dir.resolve("never2") + "]");
		assertEquals(2, option.status);
		assertTrue(option.err.contains("eb=bayesian"), option.err);

		final Run label = harmonij("run", "Harmonise Everything", "");
		assertEquals(2, label.status);
		assertTrue(label.err.contains("Harmonise Cohort (ComBat)"), "lists the commands: " +
			label.err);
	}

	@Test
	void resultsDoNotDependOnTheNumberOfThreads() throws IOException {
		final Path one = dir.resolve("threads-1"), two = dir.resolve("threads-4");
		final String[] common = { "combat", "--manifest", cohort.resolve("cohort.csv").toString(),
			"--batch", "site", "--covariates", "age,sex", "--categorical", "sex", "--eb",
			"parametric" };
		try {
			assertEquals(0, harmonij(concat(new String[] { "--threads", "1" }, common, new String[] {
				"--out", one.toString() })).status);
			assertEquals(0, harmonij(concat(new String[] { "--threads", "4" }, common, new String[] {
				"--out", two.toString() })).status);
		}
		finally {
			System.clearProperty("harmonij.threads");
		}
		for (final String f : new String[] { "harmonised/sub-007.nii.gz", "model/gamma_star.nii.gz",
			"model/delta_star.nii.gz", "model/var_pooled.nii.gz" })
			assertArrayEquals(NiftiIO.read(one.resolve(f)).data(), NiftiIO.read(two.resolve(f)).data(),
				f);
		assertArrayEquals(Files.readAllBytes(one.resolve("summary.csv")), Files.readAllBytes(two
			.resolve("summary.csv")));
	}

	@Test
	void aSiteWithOneSubjectNeedsMeanOnly() throws IOException {
		// Keep one subject of SiteC: ComBat refuses (and says mean-only can run), mean-only runs.
		final List<String> lines = Files.readAllLines(cohort.resolve("cohort.csv"));
		final StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
		boolean keptC = false;
		for (final String line : lines.subList(1, lines.size())) {
			if (line.contains("SiteC")) {
				if (keptC) continue;
				keptC = true;
			}
			csv.append(line.replace("images/", cohort.resolve("images").toString() + "/")).append(
				'\n');
		}
		final Path manifest = dir.resolve("one-in-c.csv");
		Files.write(manifest, csv.toString().getBytes(StandardCharsets.UTF_8));
		final Run refused = harmonij("combat", "--manifest", manifest.toString(), "--batch", "site",
			"--out", dir.resolve("one-c").toString());
		assertEquals(2, refused.status);
		assertTrue(refused.err.contains("SiteC") && refused.err.contains("mean-only"), refused.err);
		final Run meanOnly = harmonij("combat", "--manifest", manifest.toString(), "--batch", "site",
			"--mean-only", "--out", dir.resolve("one-c-mean").toString());
		assertEquals(0, meanOnly.status, meanOnly.err);
	}

	@Test
	void gridMismatchIsReportedBeforeAnyWork() throws IOException {
		final List<String> lines = Files.readAllLines(cohort.resolve("cohort.csv"));
		final Path odd = dir.resolve("odd.nii.gz");
		final NiftiImage template = NiftiIO.read(cohort.resolve("images/sub-001.nii.gz"));
		final NiftiHeader small = template.header().toBuilder().dim(new long[] { 3, 10, 10, 10, 1, 1,
			1, 1 }).build();
		NiftiIO.write(odd, small.forFloat32(1), new float[1000], 1);
		final StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
		for (int i = 1; i < lines.size(); i++)
			csv.append((i == 5 ? lines.get(i).replaceFirst("images/sub-005.nii.gz", odd.toString())
				: lines.get(i).replace("images/", cohort.resolve("images").toString() + "/"))).append(
					'\n');
		final Path manifest = dir.resolve("odd.csv");
		Files.write(manifest, csv.toString().getBytes(StandardCharsets.UTF_8));
		final Run r = harmonij("combat", "--manifest", manifest.toString(), "--batch", "site",
			"--out", dir.resolve("odd-out").toString());
		assertEquals(2, r.status);
		assertTrue(r.err.contains("row 6") && r.err.contains("sub-005") && r.err.contains(
			"odd.nii.gz") && r.err.contains("Resample"), r.err);
		assertFalse(Files.exists(dir.resolve("odd-out")));
	}

	static String[] concat(final String[]... parts) {
		return Stream.of(parts).flatMap(Stream::of).toArray(String[]::new);
	}

	@Test
	void helpListsSubcommandsAndOptions() {
		final Run all = harmonij("--help");
		assertEquals(0, all.status);
		for (final String sub : new String[] { "simulate", "combat", "regress", "combat-table",
			"regress-table", "demo", "run", "gui", "macro" })
			assertTrue(all.out.contains(sub), sub + " in\n" + all.out);
		final Run combat = harmonij("combat", "--help");
		assertEquals(0, combat.status);
		for (final String flag : new String[] { "--manifest", "--batch", "--covariates",
			"--categorical", "--mask", "--eb", "--mean-only", "--ref-batch", "--out" })
			assertTrue(combat.out.contains(flag), flag + " in\n" + combat.out);
	}

	static List<Path> list(final Path root) throws IOException {
		try (Stream<Path> s = Files.walk(root)) {
			return s.filter(Files::isRegularFile).map(root::relativize).sorted().collect(Collectors
				.toList());
		}
	}

	/** Compressed files may differ in their gzip header; compare what they hold. */
	static final class NiftiOrBytes {

		static byte[] read(final Path p) throws IOException {
			if (!p.toString().endsWith(".gz")) return Files.readAllBytes(p);
			try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(Files
				.newInputStream(p)))
			{
				return in.readAllBytes();
			}
		}
	}
}
