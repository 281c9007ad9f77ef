// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.harmonij.core.InputException;
import io.github.harmonij.core.ScanComparison;

/**
 * Two co-registered 3-D scans of one person (A and B) and an optional mask, read and checked for a
 * shared grid, and their comparison written as NIfTI maps and a one-row CSV.
 */
public final class ScanPair {

	/** Column names of the summary CSV, in order. */
	public static final List<String> SUMMARY_COLUMNS = List.of("scan_a", "scan_b", "mask",
		"voxels", "mean_a", "mean_b", "mean_difference", "sd_difference", "mean_abs_difference",
		"mean_abs_percent_difference", "correlation");

	private final Path pathA, pathB, maskPath;

	private final NiftiImage a, b;

	private final boolean[] mask;

	private ScanPair(final Path pathA, final Path pathB, final Path maskPath, final NiftiImage a,
		final NiftiImage b, final boolean[] mask)
	{
		this.pathA = pathA;
		this.pathB = pathB;
		this.maskPath = maskPath;
		this.a = a;
		this.b = b;
		this.mask = mask;
	}

	/**
	 * Reads both scans and the mask (voxels &gt; 0), checking each has one volume and all share
	 * one grid (size and affine, {@link NiftiHeader#gridDifference}).
	 *
	 * @param mask null for none
	 * @throws InputException naming the file that does not fit, with both sizes or the shift
	 */
	public static ScanPair read(final Path scanA, final Path scanB, final Path mask) {
		final NiftiHeader ha = NiftiIO.readHeader(scanA), hb = NiftiIO.readHeader(scanB);
		final NiftiHeader hm = mask == null ? null : NiftiIO.readHeader(mask);
		final List<String> problems = new ArrayList<>();
		oneVolume(scanA, ha, problems);
		oneVolume(scanB, hb, problems);
		if (hm != null) oneVolume(mask, hm, problems);
		grid(scanB, hb, scanA, ha, problems);
		if (hm != null) grid(mask, hm, scanA, ha, problems);
		InputException.throwIfAny("The scans cannot be compared:", problems);
		final NiftiImage ia = NiftiIO.read(scanA), ib = NiftiIO.read(scanB);
		boolean[] m = null;
		if (mask != null) {
			final float[] md = NiftiIO.read(mask).data();
			m = new boolean[md.length];
			for (int i = 0; i < md.length; i++)
				m[i] = md[i] > 0;
		}
		return new ScanPair(scanA, scanB, mask, ia, ib, m);
	}

	/** @return scan A */
	public NiftiImage a() {
		return a;
	}

	/** @return scan B */
	public NiftiImage b() {
		return b;
	}

	/** @return the mask (true inside), or null */
	public boolean[] mask() {
		return mask;
	}

	/**
	 * Writes {@code difference.nii.gz} (B - A), {@code percent_difference.nii.gz} and
	 * {@code summary.csv} ({@link #SUMMARY_COLUMNS}) into {@code folder}, with A's geometry.
	 */
	public void write(final Path folder, final ScanComparison c) {
		NiftiIO.write(folder.resolve("difference.nii.gz"), a.header(), c.difference(), 1);
		NiftiIO.write(folder.resolve("percent_difference.nii.gz"), a.header(), c
			.percentDifference(), 1);
		final List<String[]> rows = new ArrayList<>();
		rows.add(new String[] { pathA.toAbsolutePath().toString(), pathB.toAbsolutePath()
			.toString(), maskPath == null ? "" : maskPath.toAbsolutePath().toString(), String
				.valueOf(c.nVoxels()), Csv.formatDouble(c.meanA()), Csv.formatDouble(c.meanB()), Csv
					.formatDouble(c.meanDifference()), Csv.formatDouble(c.sdDifference()), Csv
						.formatDouble(c.meanAbsDifference()), Csv.formatDouble(c
							.meanAbsPercentDifference()), Csv.formatDouble(c.correlation()) });
		Csv.write(folder.resolve("summary.csv"), SUMMARY_COLUMNS, rows);
	}

	/**
	 * @return one paragraph: the scans ({@link #names}), voxels, mean and SD of B - A,
	 *         mean |B - A|, mean |percent difference| ({@link ScanComparison}), correlation
	 */
	public String summary(final ScanComparison c) {
		final String[] names = names(pathA, pathB);
		return String.format(Locale.ROOT,
			"Compared A = %s and B = %s over %d voxels%s: mean B - A %.4g (SD %.4g), " +
				"mean |B - A| %.4g, mean |percent difference| %.2f %%, correlation %.4f.", names[0],
			names[1], c.nVoxels(), maskPath == null ? "" : " in " + maskPath.getFileName(), c
				.meanDifference(), c.sdDifference(), c.meanAbsDifference(), c
					.meanAbsPercentDifference(), c.correlation());
	}

	/**
	 * The shortest ends of two paths that tell them apart, for titles and labels: the file names
	 * if they differ ({@code siteA.nii.gz}, {@code siteB.nii.gz}), else as many folders as it
	 * takes ({@code truth/sub-001.nii.gz}, {@code images/sub-001.nii.gz}), the same number for
	 * both. Two paths of one file give their file names.
	 *
	 * @return {name of a, name of b}
	 */
	public static String[] names(final Path a, final Path b) {
		final Path pa = a.toAbsolutePath().normalize(), pb = b.toAbsolutePath().normalize();
		final int na = pa.getNameCount(), nb = pb.getNameCount();
		for (int k = 1; k <= Math.max(na, nb); k++) {
			final String ea = end(pa, k), eb = end(pb, k);
			if (!ea.equals(eb)) return new String[] { ea, eb };
		}
		return new String[] { String.valueOf(pa.getFileName()), String.valueOf(pb.getFileName()) };
	}

	// -- Helper methods --

	/** @return the last {@code k} names of {@code p}; all of it, from its root, if it has fewer */
	private static String end(final Path p, final int k) {
		final int n = p.getNameCount();
		return k > n ? p.toString() : p.subpath(n - k, n).toString();
	}

	private static void oneVolume(final Path p, final NiftiHeader h, final List<String> problems) {
		if (h.nVolumes() != 1) problems.add(p.getFileName() + " has " + h.nVolumes() +
			" volumes (" + h.sizeText() + "); give one 3-D scan (split it first, e.g. with " +
			"fslsplit).");
	}

	private static void grid(final Path p, final NiftiHeader h, final Path ref,
		final NiftiHeader hr, final List<String> problems)
	{
		final String d = h.gridDifference(hr);
		if (d == null) return;
		// A damaged file (either one) is named as damaged, not as on another grid.
		for (final Path f : new Path[] { ref, p }) {
			final String damage = NiftiIO.damage(f);
			if (damage != null) {
				if (!problems.contains(damage)) problems.add(damage);
				return;
			}
		}
		problems.add(p.getFileName() + " is not on the grid of " + ref
			.getFileName() + ": " + d.replace(" vs ", " (" + p.getFileName() + ") vs ") +
			(d.startsWith("size") ? " (" + ref.getFileName() + ")" : "") +
			". Compare Two Scans does no registration: resample both to one grid first.");
	}
}
