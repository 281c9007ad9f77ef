// SPDX-License-Identifier: MIT
package io.github.harmonij.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

import io.github.harmonij.io.NiftiIO;

/**
 * Turns a NIfTI cohort into the matrix files of {@link MatrixBenchmark} (a main, not a test), so
 * that R {@code sva::ComBat}, which has no NIfTI reader among Debian's packages, can harmonise the
 * very voxels {@code harmonij combat} does.
 * <p>
 * {@code CohortMatrix MANIFEST MASK OUTDIR [IMAGES_DIR]} reads the manifest (columns subject,
 * image, site, age, sex; images relative to the manifest's folder), keeps the voxels where the
 * mask is non-zero and not NaN (the rule of {@code harmonij combat --mask}), and writes
 * {@code OUTDIR/matrix.f32} (subject-major float32) and {@code OUTDIR/design.csv} (subject, site,
 * age, sex as 0 = F, 1 = otherwise). With IMAGES_DIR each image is read from there under its own
 * file name instead, e.g. the {@code harmonised/} folder of a result, to compare outputs.
 */
public final class CohortMatrix {

	private CohortMatrix() {}

	public static void main(final String[] args) throws IOException {
		if (args.length < 3) {
			System.err.println("Usage: CohortMatrix MANIFEST MASK OUTDIR [IMAGES_DIR]");
			System.exit(2);
		}
		final Path manifest = Paths.get(args[0]), out = Paths.get(args[2]);
		final Path imagesDir = args.length > 3 ? Paths.get(args[3]) : null;
		final float[] m = NiftiIO.readVolume(Paths.get(args[1]), 0);
		int nIn = 0;
		for (final float x : m)
			if (x != 0 && !Float.isNaN(x)) nIn++;
		final int[] index = new int[nIn];
		for (int v = 0, k = 0; v < m.length; v++)
			if (m[v] != 0 && !Float.isNaN(m[v])) index[k++] = v;

		final List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
		final String[] header = lines.get(0).split(",");
		final int cSubject = col(header, "subject"), cImage = col(header, "image"), cSite = col(
			header, "site"), cAge = col(header, "age"), cSex = col(header, "sex");
		Files.createDirectories(out);
		final ByteBuffer buf = ByteBuffer.allocate(4 * nIn).order(ByteOrder.LITTLE_ENDIAN);
		int n = 0;
		try (BufferedWriter w = Files.newBufferedWriter(out.resolve("design.csv"),
			StandardCharsets.UTF_8); FileChannel ch = FileChannel.open(out.resolve("matrix.f32"),
				StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
				StandardOpenOption.WRITE))
		{
			w.write("subject,site,age,sex\n");
			for (final String line : lines.subList(1, lines.size())) {
				if (line.isEmpty()) continue;
				final String[] f = line.split(",");
				Path image = manifest.toAbsolutePath().getParent().resolve(f[cImage]);
				if (imagesDir != null) image = imagesDir.resolve(image.getFileName());
				final float[] volume = NiftiIO.readVolume(image, 0);
				buf.clear();
				for (final int v : index)
					buf.putFloat(volume[v]);
				buf.flip();
				while (buf.hasRemaining())
					ch.write(buf);
				w.write(String.format(Locale.ROOT, "%s,%s,%s,%d%n", f[cSubject], f[cSite], f[cAge],
					f[cSex].equals("F") ? 0 : 1));
				n++;
			}
		}
		System.out.printf(Locale.ROOT, "cohort-matrix subjects=%d features=%d matrix_mb=%.1f%n", n,
			nIn, 4.0 * n * nIn / 1e6);
	}

	private static int col(final String[] header, final String name) {
		for (int i = 0; i < header.length; i++)
			if (header[i].trim().equals(name)) return i;
		throw new IllegalArgumentException("manifest: no column \"" + name + "\"");
	}
}
