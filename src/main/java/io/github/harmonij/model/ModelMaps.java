// SPDX-License-Identifier: MIT
package io.github.harmonij.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.harmonij.core.ComBatFit;
import io.github.harmonij.core.FeatureStatus;
import io.github.harmonij.core.HarmonisationFit;
import io.github.harmonij.core.HarmonisationModel;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.SiteAddition;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;

/**
 * The float64 NIfTI maps of a voxelwise model, on the training grid: one volume per site
 * (order "batch_levels") or design column (order "design_columns") of each parameter, 0 outside
 * the mask, and {@code status} (0 outside the mask, 1 + {@link FeatureStatus} ordinal inside),
 * which also holds the mask. Writes them map by map and reads them back at the masked voxels;
 * model.json lists them ({@link ModelJson#maps}).
 */
final class ModelMaps {

	/** The volume order of a per-site map. */
	private static final String PER_SITE = "batch_levels";

	/** The volume order of the covariate effects' map. */
	private static final String PER_COLUMN = "design_columns";

	private final Path dir;

	private final Map<String, ModelJson.MapFile> files;

	private final NiftiHeader grid;

	private final boolean[] mask;

	private final int[] index;

	private final byte[] status;

	private ModelMaps(final Path dir, final Map<String, ModelJson.MapFile> files,
		final NiftiHeader grid, final boolean[] mask, final int[] index, final byte[] status)
	{
		this.dir = dir;
		this.files = files;
		this.grid = grid;
		this.mask = mask;
		this.index = index;
		this.status = status;
	}

	/** @return the training grid (the status map's header) */
	NiftiHeader grid() {
		return grid;
	}

	/** @return the training mask, one flag per voxel of a volume (not a copy) */
	boolean[] mask() {
		return mask;
	}

	/**
	 * @return these maps' grid, mask and status with other files: those {@link #writeExtended}
	 *         wrote into {@code to}
	 */
	ModelMaps in(final Path to, final Map<String, ModelJson.MapFile> extended) {
		return new ModelMaps(to, extended, grid, mask, index, status);
	}

	// -- Writing --

	/**
	 * Writes the maps of a fit into {@code dir}, map by map and volume by volume straight from
	 * the fit's masked arrays: one whole volume is held at a time, not every map (about 20
	 * float64 volumes) at once.
	 *
	 * @param combat whether the fit is ComBat's (grand_mean, var_pooled, gamma_star, delta_star,
	 *          gamma_hat, delta_hat_sq) or the linear site adjustment's (alpha, gamma)
	 * @return model.json's entries of the maps, in the order written
	 */
	static Map<String, ModelJson.MapFile> write(final Path dir, final HarmonisationFit fit,
		final boolean combat, final boolean diagnostics, final NiftiHeader grid, final int[] index,
		final int deflateLevel)
	{
		final HarmonisationModel m = fit.model();
		final int nb = m.nBatches(), nc = m.covariateNames().length;
		final Writer maps = new Writer(dir, grid, index, deflateLevel);
		maps.write("status", 1, (t, k) -> 1 + m.status(k).ordinal());
		if (combat) {
			final ComBatFit c = (ComBatFit) fit;
			maps.write("grand_mean", 1, (t, k) -> m.location(k));
			maps.write("var_pooled", 1, (t, k) -> m.varPooled(k));
			maps.write("gamma_star", nb, m::gamma);
			maps.write("delta_star", nb, m::delta);
			if (diagnostics) {
				maps.write("gamma_hat", nb, c::gammaHat);
				maps.write("delta_hat_sq", nb, c::deltaHatSq);
			}
		}
		else {
			maps.write("alpha", 1, (t, k) -> m.location(k));
			maps.write("gamma", nb, m::gamma);
		}
		if (nc > 0) maps.write("beta_hat", nc, m::betaHat);
		return maps.files;
	}

	/**
	 * Writes these maps extended by {@link SiteAddition} into {@code to}: the maps that do not
	 * depend on the site are copied byte for byte; the per-site maps get the new site's volume
	 * appended ({@code gamma_hat} and {@code delta_hat_sq}: its unshrunk estimates).
	 *
	 * @return model.json's entries of the extended maps, in this model's order
	 */
	Map<String, ModelJson.MapFile> writeExtended(final Path to, final SiteAddition.Result r,
		final int deflateLevel)
	{
		final HarmonisationModel m = r.model();
		final int nb = m.nBatches(), vol = mask.length;
		final Map<String, ModelJson.MapFile> out = new LinkedHashMap<>();
		for (final Map.Entry<String, ModelJson.MapFile> e : files.entrySet()) {
			final String name = e.getKey();
			final ModelJson.MapFile entry = new ModelJson.MapFile();
			entry.file = e.getValue().file;
			entry.volumes = e.getValue().volumes.doubleValue(); // see ModelJson.MapFile#volumes
			entry.volumeOrder = e.getValue().volumeOrder;
			final Path from = dir.resolve(entry.file), file = to.resolve(entry.file);
			if (PER_SITE.equals(entry.volumeOrder)) {
				final double[] data = Arrays.copyOf(NiftiIO.readDoubles(from), nb * vol);
				for (int k = 0; k < index.length; k++)
					data[(nb - 1) * vol + index[k]] = newSiteValue(name, m, r, k);
				NiftiIO.writeFloat64(file, grid, data, nb, deflateLevel);
				entry.volumes = nb;
			}
			else try {
				Files.copy(from, file);
			}
			catch (final IOException x) {
				throw new InputException("Cannot copy " + from + " to " + file + ": " + x
					.getMessage());
			}
			out.put(name, entry);
		}
		return out;
	}

	/** A map's value at masked voxel k of volume t (a site or a covariate column). */
	@FunctionalInterface
	private interface MaskedValue {

		double at(int t, int k);
	}

	/** Maps written one by one, and their model.json entries. */
	private static final class Writer {

		final Path dir;

		final NiftiHeader grid;

		final int[] index;

		final int deflateLevel;

		final Map<String, ModelJson.MapFile> files = new LinkedHashMap<>();

		Writer(final Path dir, final NiftiHeader grid, final int[] index, final int deflateLevel) {
			this.dir = dir;
			this.grid = grid;
			this.index = index;
			this.deflateLevel = deflateLevel;
		}

		/** Writes {@code name.nii.gz}: 0 outside the mask, value(t, k) at voxel index[k]. */
		void write(final String name, final int volumes, final MaskedValue value) {
			final String file = name + ".nii.gz";
			NiftiIO.writeFloat64(dir.resolve(file), grid, volumes, (t, data) -> {
				Arrays.fill(data, 0);
				for (int k = 0; k < index.length; k++)
					data[index[k]] = value.at(t, k);
			}, deflateLevel);
			final ModelJson.MapFile f = new ModelJson.MapFile();
			f.file = file;
			f.volumes = volumes;
			final boolean beta = name.equals("beta_hat");
			if (volumes > 1 || beta) f.volumeOrder = beta ? PER_COLUMN : PER_SITE;
			files.put(name, f);
		}
	}

	/** The new (last) site's value of a per-site map at feature k. */
	private static double newSiteValue(final String map, final HarmonisationModel m,
		final SiteAddition.Result r, final int k)
	{
		final int b = m.nBatches() - 1;
		switch (map) {
			case "gamma_star":
			case "gamma":
				return m.gamma(b, k);
			case "delta_star":
				return m.delta(b, k);
			case "gamma_hat":
				return r.gammaHat(k);
			case "delta_hat_sq":
				return r.deltaHatSq(k);
			default:
				throw new InputException("The model lists an unknown per-site map \"" + map +
					"\"; it was written by another version. Fit the model again.");
		}
	}

	// -- Reading --

	/**
	 * Opens the maps of a model folder: reads the status map's grid and mask and checks the mask
	 * against model.json's checksum and voxel count.
	 *
	 * @throws InputException if the status map is missing or damaged, or its mask is not the
	 *           model's (the folder mixes files of different models)
	 */
	static ModelMaps open(final Path dir, final ModelJson json) {
		final Path statusFile = dir.resolve(file(json.maps, "status"));
		final NiftiHeader grid = NiftiIO.readHeader(statusFile);
		final double[] statusMap = NiftiIO.readDoubles(statusFile);
		final int vol = Math.toIntExact(grid.voxelsPerVolume());
		final boolean[] mask = new boolean[vol];
		int nf = 0;
		for (int v = 0; v < vol; v++)
			if (statusMap[v] > 0) {
				mask[v] = true;
				nf++;
			}
		if (!checksum(mask).equals(json.maskSha256) || nf != json.maskVoxels)
			throw new InputException(dir + ": the mask in " + statusFile.getFileName() + " does " +
				"not match the checksum in model.json (" + nf + " voxels, model.json says " +
				json.maskVoxels + "). The folder mixes files of different models; fit the model " +
				"again.");
		final int[] index = new int[nf];
		for (int v = 0, k = 0; v < vol; v++)
			if (mask[v]) index[k++] = v;
		final byte[] status = new byte[nf];
		for (int k = 0; k < nf; k++)
			status[k] = (byte) (statusMap[index[k]] - 1);
		return new ModelMaps(dir, json.maps, grid, mask, index, status);
	}

	/** @return the status of each masked voxel, as a {@link FeatureStatus} ordinal (not a copy) */
	byte[] status() {
		return status;
	}

	/**
	 * Reads a map's volumes at the masked voxels: {@code out[t * nf + k]}.
	 *
	 * @throws InputException if the map is not listed, is damaged, or does not fit the model
	 *           (grid, volumes, datatype)
	 */
	double[] masked(final String name, final int volumes) {
		final Path f = dir.resolve(file(files, name));
		final NiftiHeader h = NiftiIO.readHeader(f);
		final String diff = h.gridDifference(grid);
		if (diff != null || h.nVolumes() != volumes || h.datatype() != NiftiHeader.DT_FLOAT64) {
			final String damage = NiftiIO.damage(f);
			if (damage != null) throw new InputException(damage);
			throw new InputException(f + " does not fit the model (" + (diff != null ? diff : h
				.nVolumes() != volumes ? h.nVolumes() + " volumes, expected " + volumes
					: "datatype " + NiftiHeader.datatypeName(h.datatype()) + ", expected float64") +
				"); the model folder is damaged. Fit the model again.");
		}
		final double[] all = NiftiIO.readDoubles(f);
		final int vol = mask.length, nf = index.length;
		final double[] out = new double[volumes * nf];
		for (int t = 0; t < volumes; t++)
			for (int k = 0; k < nf; k++)
				out[t * nf + k] = all[t * vol + index[k]];
		return out;
	}

	/** @return the SHA-256 of the mask, one byte (0 or 1) per voxel, as lower-case hex */
	static String checksum(final boolean[] mask) {
		try {
			final MessageDigest md = MessageDigest.getInstance("SHA-256");
			final byte[] bytes = new byte[mask.length];
			for (int v = 0; v < mask.length; v++)
				bytes[v] = (byte) (mask[v] ? 1 : 0);
			final StringBuilder sb = new StringBuilder();
			for (final byte b : md.digest(bytes))
				sb.append(String.format("%02x", b));
			return sb.toString();
		}
		catch (final NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	// -- Helper methods --

	private static String file(final Map<String, ModelJson.MapFile> maps, final String name) {
		final ModelJson.MapFile e = maps.get(name);
		if (e == null) throw new InputException("The model lists no map \"" + name + "\"; it is " +
			"damaged. Fit the model again.");
		return e.file;
	}
}
