// SPDX-License-Identifier: MIT
package io.github.harmonij.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;

import io.github.harmonij.io.Json;

/**
 * A model's {@code model.json} (or a table model's JSON file) as gson reads and writes it: each
 * field is the key of its name in snake case ({@code batchColumn} is {@code batch_column}), in
 * the order declared here, which is the order of the file. Fields that are null belong to the
 * other kind of model or to the other method, and are left out of the file:
 * <ul>
 * <li>both kinds: the header from {@link #format} to {@link #featureCounts}, then
 * {@link #kind}; {@link #priors} for ComBat only;</li>
 * <li>a table model: {@link #idColumn}, {@link #features}, {@link #parameters};</li>
 * <li>a voxelwise model: {@link #grid}, {@link #maskVoxels}, {@link #maskSha256},
 * {@link #maps}, {@link #statusCodes};</li>
 * <li>a model extended by a site: {@link #addedSites} (see {@link #extendedText} for where it
 * goes).</li>
 * </ul>
 * Doubles are written as in every HarmonIJ file ({@link Json}): {@link Double#toString}, and null
 * for NaN (a {@code double} field reads null back as NaN). The fields are package-private for
 * {@link SavedModel}, which fills them once to write and reads them once after reading; the
 * value is not shared beyond it.
 */
final class ModelJson {

	/** One covariate's coding: levels and reference (categorical) or knots (smooth). */
	static final class Covariate {

		String name, kind;

		List<String> levels;

		String reference;

		double[] knots;

		String basis;
	}

	/** The fit's options; eb, mean_only and missing_values for ComBat only. */
	static final class Options {

		String eb;

		Boolean meanOnly;

		String refBatch;

		Boolean missingValues;
	}

	/** One site's empirical Bayes priors (ComBat). */
	static final class Prior {

		String batch;

		double gammaBar, tau2, aPrior, bPrior;

		int iterations;
	}

	/** The training grid of a voxelwise model: dim[1..3], pixdim[1..3] and the affine. */
	static final class Grid {

		long[] dim;

		double[] pixdim;

		double[][] affine;
	}

	/** A map of a voxelwise model: its file, its volumes and what they are (several only). */
	static final class MapFile {

		String file;

		/**
		 * An integer, but a double (written {@code 1.0}) for a map an extended model copied: the
		 * extension's first writer copied the entry from a tree in which every number was a
		 * double.
		 */
		Number volumes;

		String volumeOrder;
	}

	/**
	 * A table model's per-feature parameters, arrays in feature order (rows per site or design
	 * column): grand_mean, var_pooled, gamma_star and delta_star for ComBat; alpha and gamma for
	 * the linear site adjustment.
	 */
	static final class Parameters {

		String[] status;

		double[] grandMean, alpha, varPooled;

		double[][] betaHat, gammaStar, gamma, deltaStar;
	}

	/** A site added to the model, and what it was added from (a table, or a manifest). */
	static final class AddedSite {

		String batch;

		int subjects;

		long usableFeatures, leftOutFeatures;

		String harmonijVersion, eb, table, manifest, fromModel;
	}

	/**
	 * Magnitude below which an extended model writes the old fields' integral doubles as integers,
	 * as the extension's first writer did: it read the old file as a tree, in which every number
	 * was a double, and wrote back as integers those a long holds exactly (below 2^53 about
	 * 9e15; 1e15 keeps a margin).
	 */
	private static final double LARGEST_INTEGRAL = 1e15;

	private static final Gson GSON = Json.builder().setFieldNamingPolicy(
		FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

	String format;

	int formatVersion;

	String harmonijVersion, method, batchColumn;

	List<String> batchLevels;

	int[] batchSizes;

	String referenceBatch;

	List<Covariate> covariates;

	List<String> designColumns;

	Options options;

	List<Prior> priors;

	Map<String, Long> featureCounts;

	String kind, idColumn;

	List<String> features;

	Grid grid;

	Integer maskVoxels;

	String maskSha256;

	Map<String, MapFile> maps;

	List<String> statusCodes;

	List<AddedSite> addedSites;

	Parameters parameters;

	/** @return the file's text: indented JSON ending in a line break */
	String text() {
		return GSON.toJson(this) + "\n";
	}

	/**
	 * @return a JSON text's top-level object, for checking its format before it is read
	 * @throws IllegalArgumentException if the text is not JSON or not an object
	 */
	static JsonObject tree(final String text) {
		final JsonElement e;
		try {
			e = GSON.fromJson(text, JsonElement.class);
		}
		catch (final JsonParseException x) {
			throw new IllegalArgumentException("JSON: " + x.getMessage(), x);
		}
		if (e == null || !e.isJsonObject()) throw new IllegalArgumentException("not a JSON object");
		return e.getAsJsonObject();
	}

	/**
	 * @return the model of a file's top-level object
	 * @throws JsonParseException if a field has the wrong type
	 */
	static ModelJson of(final JsonObject tree) {
		return GSON.fromJson(tree, ModelJson.class);
	}

	/**
	 * The text of {@code old} extended by a site, laid out as model files extended by a site have
	 * always been: the old fields in their order, but for the parameters or maps, with their
	 * integral numbers written as integers (see {@link #LARGEST_INTEGRAL}); the new site appended
	 * to batch_levels, batch_sizes and (ComBat) priors; the addition appended to added_sites
	 * (which is created last if absent); then the extended model's parameters (table) or maps
	 * (voxelwise), last.
	 *
	 * @param prior the new site's priors, or null for the linear site adjustment
	 * @param parameters the extended table model's parameters, or null
	 * @param maps the extended voxelwise model's maps, or null
	 */
	static String extendedText(final ModelJson old, final int subjects, final Prior prior,
		final AddedSite added, final Parameters parameters, final Map<String, MapFile> maps)
	{
		final JsonObject oldTree = GSON.toJsonTree(old).getAsJsonObject();
		oldTree.remove("parameters");
		oldTree.remove("maps");
		final JsonObject tree = integral(oldTree).getAsJsonObject();
		final List<String> levels = new ArrayList<>(old.batchLevels);
		levels.add(added.batch);
		tree.add("batch_levels", GSON.toJsonTree(levels));
		final int[] sizes = Arrays.copyOf(old.batchSizes, old.batchSizes.length + 1);
		sizes[sizes.length - 1] = subjects;
		tree.add("batch_sizes", GSON.toJsonTree(sizes));
		if (tree.has("priors")) tree.getAsJsonArray("priors").add(GSON.toJsonTree(prior));
		if (!tree.has("added_sites")) tree.add("added_sites", new JsonArray());
		tree.getAsJsonArray("added_sites").add(GSON.toJsonTree(added));
		if (parameters != null) tree.add("parameters", GSON.toJsonTree(parameters));
		if (maps != null) tree.add("maps", GSON.toJsonTree(maps));
		// The tree holds NaN as JSON null, which is written (Json writes null entries).
		return Json.write(tree);
	}

	// -- Helper methods --

	/** A copy in which integral doubles (not -0) become longs. */
	private static JsonElement integral(final JsonElement e) {
		if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() && e.getAsNumber()
			instanceof Double)
		{
			final double d = e.getAsDouble();
			final boolean negZero = d == 0 && 1 / d < 0;
			return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < LARGEST_INTEGRAL &&
				!negZero ? new JsonPrimitive((long) d) : e;
		}
		if (e.isJsonObject()) {
			final JsonObject o = new JsonObject();
			for (final Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet())
				o.add(x.getKey(), integral(x.getValue()));
			return o;
		}
		if (e.isJsonArray()) {
			final JsonArray a = new JsonArray();
			for (final JsonElement x : e.getAsJsonArray())
				a.add(integral(x));
			return a;
		}
		return e;
	}
}
