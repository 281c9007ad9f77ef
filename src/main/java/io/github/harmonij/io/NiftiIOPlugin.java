// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.scijava.io.AbstractIOPlugin;
import org.scijava.io.IOPlugin;
import org.scijava.io.location.FileLocation;
import org.scijava.io.location.Location;
import org.scijava.plugin.Plugin;

/**
 * Lets SciJava's {@code IOService} open and save NIfTI files ({@code .nii}, {@code .nii.gz},
 * {@code .hdr}/{@code .img} pairs, gzipped or not) as {@link NiftiImage}s, by file name.
 * Opening is {@link NiftiIO#read(Path)}; saving is {@link NiftiIO#write(Path, NiftiHeader,
 * float[], long)} with the image's own header as geometry: float32, .nii.gz or .nii only, and
 * never over an existing file. Problems surface as {@link io.github.harmonij.core.InputException}.
 */
@Plugin(type = IOPlugin.class)
public class NiftiIOPlugin extends AbstractIOPlugin<NiftiImage> {

	@Override
	public Class<NiftiImage> getDataType() {
		return NiftiImage.class;
	}

	@Override
	public boolean supportsOpen(final Location source) {
		final Path p = path(source);
		return p != null && NiftiIO.isNifti(p);
	}

	@Override
	public boolean supportsSave(final Location destination) {
		final Path p = path(destination);
		if (p == null) return false;
		final String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
		return n.endsWith(".nii") || n.endsWith(".nii.gz");
	}

	@Override
	public NiftiImage open(final Location source) throws IOException {
		final Path p = checkedPath(source);
		return NiftiIO.read(p);
	}

	@Override
	public void save(final NiftiImage data, final Location destination) throws IOException {
		final Path p = checkedPath(destination);
		NiftiIO.write(p, data.header(), data.data(), data.nVolumes());
	}

	// -- Helper methods --

	/** @return the file's path, or null if it is no file or the locale cannot name it */
	private static Path path(final Location loc) {
		if (!(loc instanceof FileLocation)) return null;
		try {
			final Path p = ((FileLocation) loc).getFile().toPath();
			return p.getFileName() == null ? null : p;
		}
		catch (final InvalidPathException e) {
			return null;
		}
	}

	/** @throws IOException saying why the location cannot be read or written as a file */
	private static Path checkedPath(final Location loc) throws IOException {
		if (loc instanceof FileLocation) {
			final String name = ((FileLocation) loc).getFile().getPath();
			try {
				Paths.get(name);
			}
			catch (final InvalidPathException e) {
				throw new IOException(UserPaths.refusal(null, name, e).getMessage(), e);
			}
		}
		final Path p = path(loc);
		if (p == null) throw new IOException("Not a file: " + loc);
		return p;
	}
}
