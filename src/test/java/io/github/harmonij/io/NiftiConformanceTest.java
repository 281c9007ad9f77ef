// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.github.harmonij.core.InputException;

/**
 * Reads every image of the conformance set and compares it with the golden values nibabel 5.0.0
 * recorded in {@code expected.json} (see the README next to it). One dynamic test per file.
 */
class NiftiConformanceTest {

	/** Header floats are compared exactly: both sides hold the same float32 or float64 bits. */
	private static final double EXACT = 0;
	/** Affines: quaternion decoding in float32 vs float64, and 6-decimal rounding in the json. */
	private static final double AFFINE_TOL = 1e-4;
	/**
	 * Voxel values: nibabel scales in float64, we round the scaled value to float32 (relative
	 * error at most 2^-24 = 6e-8), so allow 1e-6 relative.
	 */
	private static final double VALUE_REL_TOL = 1e-6;
	/** A malformed file must fail well within this (it must never hang). */
	private static final Duration FAIL_FAST = Duration.ofSeconds(5);

	private static final String FOLDER = "nifti-conformance";

	// -- Tests --

	@Test
	void folderListingAndExpectedJsonAgree() throws IOException {
		final Path root = resourceRoot();
		final Set<String> onDisk;
		try (Stream<Path> s = Files.walk(root.resolve(FOLDER))) {
			onDisk = s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()
				.replace('\\', '/')).filter(p -> !p.startsWith(FOLDER + "/LICENSES/") &&
					!p.equals(FOLDER + "/expected.json") && !p.equals(FOLDER + "/README.md"))
				.collect(Collectors.toCollection(TreeSet::new));
		}
		final Set<String> listed = new TreeSet<>();
		for (final Map<String, Object> e : entries()) {
			final String path = (String) e.get("path");
			if (!path.startsWith(FOLDER + "/")) continue;
			listed.add(path);
			if (e.get("pair_image") != null) listed.add((String) e.get("pair_image"));
		}
		// nibabel paired minimal.hdr with minimal.img.gz, so the plain minimal.img (the same bytes
		// uncompressed) is in no json entry; pairCanBeOpenedFromEitherFile reads it.
		listed.add(FOLDER + "/nifti-rs/minimal.img");
		final Set<String> missing = new TreeSet<>(listed), extra = new TreeSet<>(onDisk);
		missing.removeAll(onDisk);
		extra.removeAll(listed);
		assertEquals(Set.of(), missing, "listed in expected.json but not in " + FOLDER);
		assertEquals(Set.of(), extra, "in " + FOLDER + " but not listed in expected.json");
		assertTrue(onDisk.size() > 100, "the whole conformance set is present");
		assertTrue(Files.isDirectory(root.resolve(FOLDER + "/LICENSES")), "LICENSES travel along");
	}

	@TestFactory
	Stream<DynamicTest> everyFileMatchesNibabel() throws IOException {
		final Path root = resourceRoot();
		final List<Map<String, Object>> all = entries();
		final List<DynamicTest> tests = new ArrayList<>();
		for (final Map<String, Object> e : all) {
			final String path = (String) e.get("path");
			if (path.startsWith(FOLDER + "/")) {
				tests.add(DynamicTest.dynamicTest(path, () -> check(root.resolve(path), e, all)));
			}
			else {
				// template/ files are not copied into the test resources (large); check them
				// when the shared data set is on this machine.
				tests.add(DynamicTest.dynamicTest(path, () -> {
					final Path shared = sharedData();
					Assumptions.assumeTrue(shared != null && Files.exists(shared.resolve(path)),
						"shared/data not on this machine");
					check(shared.resolve(path), e, all);
				}));
			}
		}
		return tests.stream();
	}

	@Test
	void pairCanBeOpenedFromEitherFile() {
		final Path dir = resourceRoot().resolve(FOLDER + "/nifti-rs");
		final float[] fromHdr = NiftiIO.read(dir.resolve("minimal.hdr")).data();
		assertArrayEquals(fromHdr, NiftiIO.read(dir.resolve("minimal.img")).data());
		assertArrayEquals(fromHdr, NiftiIO.read(dir.resolve("minimal.img.gz")).data());
		assertArrayEquals(fromHdr, NiftiIO.read(dir.resolve("minimal.hdr.gz")).data());
		assertArrayEquals(fromHdr, NiftiIO.read(dir.resolve("minimal.nii")).data());
	}

	@Test
	void sameImageInEveryEncodingReadsTheSame() {
		final Path dir = resourceRoot().resolve(FOLDER + "/derived");
		final NiftiImage ref = NiftiIO.read(dir.resolve("ref_float32.nii"));
		for (final String name : new String[] { "float32_bigendian.nii.gz", "float64.nii.gz",
			"nifti2.nii.gz", "nifti2_pair.hdr", "nifti1_pair.hdr", "with_extension.nii.gz",
			"dim4_singleton.nii.gz", "qform_only.nii.gz", "sform_only.nii.gz",
			"qform_sform_conflict.nii.gz" })
		{
			final NiftiImage img = NiftiIO.read(dir.resolve(name));
			assertArrayEquals(ref.data(), img.data(), name);
			assertArrayEquals(ref.dimensions(), img.dimensions(), name);
			assertNull(ref.header().gridDifference(img.header()), name);
		}
		final NiftiImage int16 = NiftiIO.read(dir.resolve("int16_slope_inter.nii.gz"));
		final NiftiImage uint8 = NiftiIO.read(dir.resolve("uint8_slope.nii.gz"));
		for (int i = 0; i < ref.data().length; i++) {
			assertEquals(ref.data()[i], int16.data()[i], 0.004, "int16 voxel " + i);
			assertEquals(ref.data()[i], uint8.data()[i], 0.47, "uint8 voxel " + i);
		}
		// README: the oblique file's affine, which tests quaternion decoding with qfac -1.
		final double[][] oblique = NiftiIO.readHeader(dir.resolve(
			"oblique_qform_only_qfac-1.nii.gz")).affine();
		final double[][] expected = { { 3.9392, -0.6946, 0, -88 }, { 0.6946, 3.9392, 0, -120 },
			{ 0, 0, -4, 100 } };
		for (int r = 0; r < 3; r++)
			assertArrayEquals(expected[r], oblique[r], 1e-4, "oblique row " + r);
		// The conflicting qform is shifted; the sform wins.
		assertEquals("sform", NiftiIO.readHeader(dir.resolve("qform_sform_conflict.nii.gz"))
			.affineSource());
	}

	@Test
	void fourDimensionalFileStreamsVolumeByVolume() {
		final Path p = resourceRoot().resolve(FOLDER + "/derived/tpm_gm_wm_csf_4d.nii.gz");
		final NiftiImage all = NiftiIO.read(p);
		assertEquals(3, all.nVolumes());
		final int vpv = (int) all.header().voxelsPerVolume();
		final List<float[]> seen = new ArrayList<>();
		NiftiIO.forEachVolume(p, (v, data) -> {
			assertEquals(seen.size(), v);
			seen.add(data);
		});
		assertEquals(3, seen.size());
		for (int v = 0; v < 3; v++) {
			final float[] expected = java.util.Arrays.copyOfRange(all.data(), v * vpv,
				(v + 1) * vpv);
			assertArrayEquals(expected, seen.get(v), "forEachVolume " + v);
			assertArrayEquals(expected, NiftiIO.readVolume(p, v), "readVolume " + v);
		}
		final InputException e = assertThrows(InputException.class, () -> NiftiIO.readVolume(p,
			3));
		assertTrue(e.getMessage().contains("tpm_gm_wm_csf_4d.nii.gz"), e.getMessage());
	}

	// -- Helper methods: one file --

	private static void check(final Path p, final Map<String, Object> e,
		final List<Map<String, Object>> all)
	{
		final String name = p.getFileName().toString();
		final Map<String, Object> header = map(e.get("header"));
		final Map<String, Object> data = map(e.get("data"));
		if (e.get("nibabel_load_error") != null) {
			// nibabel could not load it (fuzzed or not NIfTI): we must fail cleanly and fast.
			final InputException ex = assertTimeoutPreemptively(FAIL_FAST, () -> assertThrows(
				InputException.class, () -> NiftiIO.read(p)));
			assertTrue(ex.getMessage().contains(name), "message names the file: " +
				ex.getMessage());
			assertTimeoutPreemptively(FAIL_FAST, () -> assertThrows(InputException.class,
				() -> NiftiIO.readHeader(p)));
			return;
		}
		if (Boolean.TRUE.equals(e.get("header_only"))) {
			// Header shipped without its .img: the header reads, the image fails cleanly.
			checkHeader(NiftiIO.readHeader(p), header, name);
			final InputException ex = assertThrows(InputException.class, () -> NiftiIO.read(p));
			assertTrue(ex.getMessage().contains(name) && ex.getMessage().contains(".img"),
				ex.getMessage());
			return;
		}
		if (data != null && !"real".equals(data.get("kind"))) {
			// complex / RGB / RGBA: a clear "not supported" naming the file and the datatype.
			final InputException ex = assertThrows(InputException.class, () -> NiftiIO.read(p));
			final String dt = NiftiHeader.datatypeName(((Double) header.get("datatype"))
				.intValue());
			assertTrue(ex.getMessage().contains(name) && ex.getMessage().contains(dt) && ex
				.getMessage().contains("not supported"), ex.getMessage());
			return;
		}
		final NiftiImage img = NiftiIO.read(p);
		checkHeader(img.header(), header, name);
		checkAffine(img.header(), e, name);
		if (e.get("data_error") != null) {
			// minimal2.hdr + minimal2.img.gz: nibabel looks only for minimal2.img; we also find
			// the gzipped image, which is byte-identical to minimal.img.gz (same sha256 in the
			// json), so the data must equal what nibabel read for minimal.hdr.
			assertTrue(name.startsWith("minimal2"), "only minimal2 is expected here: " + name);
			checkData(img, map(find(all, FOLDER + "/nifti-rs/minimal.hdr").get("data")), name);
			return;
		}
		assertNotNull(data, name + " has data statistics");
		checkData(img, data, name);
	}

	private static void checkHeader(final NiftiHeader h, final Map<String, Object> j,
		final String name)
	{
		assertEquals(j.get("format"), h.format(), name + " format");
		assertEquals("little".equals(j.get("endian")), h.littleEndian(), name + " endianness");
		assertArrayEquals(longs(j.get("dim")), h.dim(), name + " dim");
		assertEquals(num(j.get("datatype")), h.datatype(), name + " datatype");
		assertEquals(num(j.get("bitpix")), h.bitpix(), name + " bitpix");
		assertArrayEquals(doubles(j.get("pixdim")), h.pixdim(), EXACT, name + " pixdim");
		assertEquals(num(j.get("vox_offset")), h.voxOffset(), EXACT, name + " vox_offset");
		assertEquals(num(j.get("scl_slope")), h.sclSlope(), EXACT, name + " scl_slope");
		assertEquals(num(j.get("scl_inter")), h.sclInter(), EXACT, name + " scl_inter");
		assertEquals(num(j.get("xyzt_units")), h.xyztUnits(), name + " xyzt_units");
		assertEquals(num(j.get("intent_code")), h.intentCode(), name + " intent_code");
		if (h.version() == 0) {
			// ANALYZE 7.5 has no qform/sform: those bytes hold other fields (the SPM originator
			// here, raw sform_code 11776), so the reader reports both codes as 0.
			assertEquals(0, h.qformCode(), name + " ANALYZE qform_code");
			assertEquals(0, h.sformCode(), name + " ANALYZE sform_code");
		}
		else {
			assertEquals(num(j.get("qform_code")), h.qformCode(), name + " qform_code");
			assertEquals(num(j.get("sform_code")), h.sformCode(), name + " sform_code");
		}
		final double[] q = doubles(j.get("quatern_bcd_offset"));
		assertArrayEquals(java.util.Arrays.copyOfRange(q, 0, 3), h.quatern(), EXACT, name +
			" quatern_b/c/d");
		assertArrayEquals(java.util.Arrays.copyOfRange(q, 3, 6), h.qoffset(), EXACT, name +
			" qoffset");
		final List<Object> srow = list(j.get("srow"));
		for (int r = 0; r < 3; r++)
			assertArrayEquals(doubles(srow.get(r)), h.srow()[r], EXACT, name + " srow " + r);
		final List<Object> flag = list(j.get("extension_flag"));
		final boolean hasExtensions = flag != null && num(flag.get(0)) != 0;
		assertEquals(hasExtensions, !h.extensions().isEmpty(), name + " extensions present");
	}

	private static void checkAffine(final NiftiHeader h, final Map<String, Object> e,
		final String name)
	{
		final List<Object> nib = list(e.get("nibabel_affine"));
		final double[][] ours = h.affine();
		if (h.qformCode() <= 0 && h.sformCode() <= 0) {
			// Documented exception (shared/data README, no_qform_no_sform): with both codes 0 we
			// use NIfTI-1 "method 1", diag(pixdim) with zero offset, while nibabel returns a
			// centred LAS fallback. Check ours against method 1, and that nibabel's value is the
			// centred fallback we think it is (diag(-dx, dy, dz), centre voxel at world 0).
			final double[] pix = h.pixdim();
			final long[] n = { h.nx(), h.ny(), h.nz() };
			for (int r = 0; r < 3; r++) {
				for (int c = 0; c < 4; c++) {
					assertEquals(c == r ? pix[r + 1] : 0, ours[r][c], EXACT, name + " method 1");
					final double sign = r == 0 ? -1 : 1;
					final double centred = c == r ? sign * pix[r + 1] : c == 3 ? -sign * pix[r +
						1] * (n[r] - 1) / 2.0 : 0;
					if (nib != null) assertEquals(centred, doubles(nib.get(r))[c], AFFINE_TOL,
						name + " nibabel fallback"); // CIFTI files have no nibabel affine
				}
			}
			return;
		}
		for (int r = 0; r < 3; r++)
			assertArrayEquals(doubles(nib.get(r)), ours[r], AFFINE_TOL, name + " affine row " + r);
	}

	private static void checkData(final NiftiImage img, final Map<String, Object> j,
		final String name)
	{
		final float[] v = img.data();
		final long[] shape = longs(j.get("shape"));
		long n = 1;
		for (final long s : shape)
			n *= s;
		assertEquals(n, v.length, name + " voxel count");
		long nan = 0, nonzero = 0, finite = 0;
		double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0,
				sumAbs = 0;
		for (final float f : v) {
			if (Float.isNaN(f)) {
				nan++;
				continue;
			}
			if (f != 0) nonzero++;
			finite++;
			min = Math.min(min, f);
			max = Math.max(max, f);
			sum += f;
			sumAbs += Math.abs(f);
		}
		assertEquals(num(j.get("n_nan")), nan, name + " NaN count");
		assertEquals(num(j.get("n_nonzero")), nonzero, name + " non-zero count");
		assertClose(num(j.get("min")), min, name + " min");
		assertClose(num(j.get("max")), max, name + " max");
		final double sumTol = VALUE_REL_TOL * sumAbs + 1e-9;
		assertEquals(num(j.get("sum")), sum, sumTol, name + " sum");
		assertEquals(num(j.get("mean")), sum / finite, sumTol / finite, name + " mean");
		assertClose(num(j.get("value_at_first_voxel")), v[0], name + " first voxel");
		// nibabel's "centre" is index shape // 2 on every axis of its array (Fortran order, as
		// stored), e.g. [23, 27, 23] for 46x55x46, so the flat index is the column-major offset.
		final long[] centre = longs(j.get("center_index"));
		long flat = 0, stride = 1;
		for (int d = 0; d < shape.length; d++) {
			assertEquals(shape[d] / 2, centre[d], name + " centre definition");
			flat += centre[d] * stride;
			stride *= shape[d];
		}
		assertClose(num(j.get("value_at_center")), v[(int) flat], name + " centre voxel");
	}

	private static void assertClose(final double expected, final double actual,
		final String what)
	{
		if (Double.isNaN(expected)) {
			assertTrue(Double.isNaN(actual), what + ": expected NaN, got " + actual);
			return;
		}
		assertEquals(expected, actual, VALUE_REL_TOL * Math.max(1, Math.abs(expected)), what);
	}

	private static void assertNull(final Object o, final String what) {
		assertEquals(null, o, what);
	}

	// -- Helper methods: resources and json --

	static Path resourceRoot() {
		try {
			return Paths.get(NiftiConformanceTest.class.getResource("/" + FOLDER +
				"/expected.json").toURI()).getParent().getParent();
		}
		catch (final URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	private static Path sharedData() {
		// CI and developers have the project's shared/ folder beside the clone.
		final Path p = Paths.get(System.getProperty("harmonij.shared.data", "../shared/data"));
		return Files.isDirectory(p.resolve("template")) ? p : null;
	}

	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> entries() throws IOException {
		final String text = new String(Files.readAllBytes(resourceRoot().resolve(FOLDER +
			"/expected.json")), StandardCharsets.UTF_8);
		final Map<String, Object> root = (Map<String, Object>) Json.read(text);
		final List<Map<String, Object>> out = new ArrayList<>();
		for (final Object o : (List<Object>) root.get("files"))
			out.add((Map<String, Object>) o);
		return out;
	}

	private static Map<String, Object> find(final List<Map<String, Object>> all,
		final String path)
	{
		return all.stream().filter(e -> path.equals(e.get("path"))).findFirst().orElseThrow();
	}

	@Test
	void sha256OfEveryFileMatches() throws IOException, NoSuchAlgorithmException {
		final Path root = resourceRoot();
		for (final Map<String, Object> e : entries()) {
			final String path = (String) e.get("path");
			if (!path.startsWith(FOLDER + "/")) continue;
			assertEquals(e.get("sha256"), sha256(root.resolve(path)), path);
			if (e.get("pair_image_sha256") != null) assertEquals(e.get("pair_image_sha256"),
				sha256(root.resolve((String) e.get("pair_image"))), (String) e.get("pair_image"));
		}
	}

	private static String sha256(final Path p) throws IOException, NoSuchAlgorithmException {
		final MessageDigest md = MessageDigest.getInstance("SHA-256");
		try (InputStream in = new DigestInputStream(Files.newInputStream(p), md)) {
			in.transferTo(java.io.OutputStream.nullOutputStream());
		}
		final StringBuilder sb = new StringBuilder();
		for (final byte b : md.digest())
			sb.append(String.format("%02x", b));
		return sb.toString();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(final Object o) {
		return (Map<String, Object>) o;
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(final Object o) {
		return (List<Object>) o;
	}

	/** A number, or Python's NaN token (which gson reads as text). */
	private static double num(final Object o) {
		return o instanceof String ? Double.parseDouble((String) o) : (Double) o;
	}

	private static long[] longs(final Object o) {
		return list(o).stream().mapToLong(x -> ((Double) x).longValue()).toArray();
	}

	private static double[] doubles(final Object o) {
		return list(o).stream().mapToDouble(x -> (Double) x).toArray();
	}
}
