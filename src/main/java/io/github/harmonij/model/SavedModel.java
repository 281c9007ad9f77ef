// SPDX-License-Identifier: MIT
package io.github.harmonij.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.harmonij.cohort.Cohort;
import io.github.harmonij.cohort.CovariateCoding;
import io.github.harmonij.cohort.FeatureTable;
import io.github.harmonij.cohort.Tables;
import io.github.harmonij.core.ComBatFit;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.core.FeatureStatus;
import io.github.harmonij.core.HarmonisationFit;
import io.github.harmonij.core.HarmonisationModel;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.SiteAddition;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.Json;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.Version;

/**
 * A harmonisation model saved to disk and read back: the design (site column and levels,
 * covariate coding with categorical levels and spline knots, reference site, options) and the
 * per-feature parameters of a {@link HarmonisationModel}, at full double precision, so that a
 * model read back harmonises with the same bits as the fit that wrote it. The format is described
 * in {@code docs/models.md}; its version is {@link #FORMAT_VERSION}.
 * <ul>
 * <li>Tables ({@code combat-table --model-out FILE.json}): one JSON file; per-feature parameters
 * are arrays in feature order (NaN as null).</li>
 * <li>Voxelwise ({@code combat --out DIR}, in {@code DIR/model/}): {@code model.json} plus one
 * float64 NIfTI map per parameter (a volume per site or covariate column) and {@code status}
 * (0 outside the mask, 1 + {@link FeatureStatus} ordinal inside).</li>
 * </ul>
 * Immutable.
 */
public final class SavedModel {

	/** The format written; readers accept this version only (version 1 maps were float32). */
	public static final int FORMAT_VERSION = 2;

	/** The value of the {@code format} field. */
	public static final String FORMAT = "harmonij-model";

	private final Path source;

	private final boolean voxelwise;

	private final String method;

	private final String batchColumn;

	private final String idColumn;

	private final CovariateCoding coding;

	private final HarmonisationModel model;

	private final Map<String, Object> json;

	private final List<String> features;

	private final NiftiHeader grid;

	private final boolean[] mask;

	private SavedModel(final Path source, final boolean voxelwise, final Map<String, Object> json,
		final CovariateCoding coding, final HarmonisationModel model, final List<String> features,
		final NiftiHeader grid, final boolean[] mask)
	{
		this.source = source;
		this.voxelwise = voxelwise;
		this.json = json;
		this.method = (String) json.get("method");
		this.batchColumn = (String) json.get("batch_column");
		final Object id = json.get("id_column");
		this.idColumn = id == null || id.toString().isEmpty() ? null : id.toString();
		this.coding = coding;
		this.model = model;
		this.features = features;
		this.grid = grid;
		this.mask = mask;
	}

	/** @return the file or folder the model was read from */
	public Path source() {
		return source;
	}

	/** @return true for a voxelwise model (NIfTI maps), false for a table model */
	public boolean voxelwise() {
		return voxelwise;
	}

	/** @return "combat" or "regression" */
	public String method() {
		return method;
	}

	/** @return the manifest or table column holding the site */
	public String batchColumn() {
		return batchColumn;
	}

	/** @return the id column of a table model, or null for the default */
	public String idColumn() {
		return idColumn;
	}

	/** @return how new subjects' covariates are coded (levels and knots of the training data) */
	public CovariateCoding coding() {
		return coding;
	}

	/** @return the parameters */
	public HarmonisationModel model() {
		return model;
	}

	/** @return the feature columns of a table model, in model order; empty for voxelwise */
	public List<String> features() {
		return features;
	}

	/** @return the training grid of a voxelwise model, or null */
	public NiftiHeader grid() {
		return grid;
	}

	/** @return a copy of the training mask of a voxelwise model, or null */
	public boolean[] mask() {
		return mask == null ? null : mask.clone();
	}

	/** @return whether a ComBat model was fitted in mean-only mode ({@code options.mean_only}) */
	public boolean meanOnly() {
		final Object o = ((Map<?, ?>) json.getOrDefault("options", Map.of())).get("mean_only");
		return Boolean.TRUE.equals(o);
	}

	/** @return the empirical Bayes mode of a ComBat model ({@code options.eb}; parametric if absent) */
	public EmpiricalBayes eb() {
		final Object o = ((Map<?, ?>) json.getOrDefault("options", Map.of())).get("eb");
		return o == null ? EmpiricalBayes.PARAMETRIC : EmpiricalBayes.parse(o.toString());
	}

	/** @return the model's JSON fields, as read (unmodifiable view not enforced: do not change) */
	public Map<String, Object> json() {
		return json;
	}

	// -- Writing --

	/**
	 * Writes a table model as one JSON file; refuses to overwrite.
	 *
	 * @param combat the ComBat options, or null for the linear site adjustment
	 * @throws InputException if the file exists or cannot be written
	 */
	public static void writeTable(final Path file, final HarmonisationFit fit,
		final FeatureTable table, final ComBatOptions combat)
	{
		final Map<String, Object> json = header(fit, combat, table.spec().batchColumn(), table
			.coding());
		json.put("kind", "table");
		json.put("id_column", table.spec().idColumn() == null ? "" : table.spec().idColumn());
		json.put("features", table.featureNames());
		json.put("parameters", parameters(fit.model(), combat != null));
		writeNew(file, Json.write(json));
	}

	/** Per-feature parameters of a table model, as JSON arrays in feature order. */
	private static Map<String, Object> parameters(final HarmonisationModel m, final boolean combat) {
		final int nf = m.nFeatures(), nb = m.nBatches(), nc = m.covariateNames().length;
		final Map<String, Object> p = new LinkedHashMap<>();
		final String[] status = new String[nf];
		final double[] location = new double[nf], var = new double[nf];
		final double[][] beta = new double[nc][nf], gamma = new double[nb][nf], delta =
			new double[nb][nf];
		for (int v = 0; v < nf; v++) {
			status[v] = m.status(v).name().toLowerCase(Locale.ROOT);
			location[v] = m.location(v);
			var[v] = m.varPooled(v);
			for (int q = 0; q < nc; q++)
				beta[q][v] = m.betaHat(q, v);
			for (int b = 0; b < nb; b++) {
				gamma[b][v] = m.gamma(b, v);
				delta[b][v] = m.delta(b, v);
			}
		}
		p.put("status", status);
		p.put(combat ? "grand_mean" : "alpha", location);
		if (combat) p.put("var_pooled", var);
		p.put("beta_hat", beta);
		p.put(combat ? "gamma_star" : "gamma", gamma);
		if (combat) p.put("delta_star", delta);
		return p;
	}

	/**
	 * Writes a voxelwise model into {@code dir} (which must exist and be empty of these names):
	 * {@code model.json} and the float64 maps.
	 *
	 * @param diagnostics whether to write ComBat's diagnostic maps, {@code gamma_hat} and
	 *          {@code delta_hat_sq} (the estimates before empirical Bayes): {@link #read} and
	 *          apply never read them, so a model without them applies with the same bits; they
	 *          are 2 of the model's float64 volumes per site
	 */
	public static void writeVoxelwise(final Path dir, final HarmonisationFit fit,
		final ComBatOptions combat, final Cohort cohort, final NiftiHeader grid,
		final boolean[] mask, final int[] index, final int deflateLevel, final boolean diagnostics)
	{
		final Map<String, Object> json = header(fit, combat, cohort.spec().batchColumn(), cohort
			.coding());
		json.put("kind", "voxelwise");
		final Map<String, Object> grid1 = new LinkedHashMap<>();
		grid1.put("dim", Arrays.copyOfRange(grid.dim(), 1, 4));
		grid1.put("pixdim", Arrays.copyOfRange(grid.pixdim(), 1, 4));
		grid1.put("affine", grid.affine());
		json.put("grid", grid1);
		json.put("mask_voxels", index.length);
		json.put("mask_sha256", checksum(mask));
		final HarmonisationModel m = fit.model();
		final int nb = m.nBatches(), nc = m.covariateNames().length;
		// Map by map, volume by volume, straight from the fit's masked arrays: one whole volume
		// is held at a time, not every map (about 20 float64 volumes) at once.
		final Maps maps = new Maps(dir, grid, index, deflateLevel);
		maps.write("status", 1, (t, k) -> 1 + m.status(k).ordinal());
		if (combat != null) {
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
		json.put("maps", maps.files);
		json.put("status_codes", List.of("outside the mask", "harmonised",
			"non-finite in some image (unchanged)", "constant in all images (unchanged)",
			"constant within a site (unchanged)"));
		writeNew(dir.resolve("model.json"), Json.write(json));
	}

	/** A map's value at masked voxel k of volume t (a site or a covariate column). */
	@FunctionalInterface
	private interface MaskedValue {

		double at(int t, int k);
	}

	/** The float64 maps of a voxelwise model, written one by one, and their model.json entries. */
	private static final class Maps {

		final Path dir;

		final NiftiHeader grid;

		final int[] index;

		final int deflateLevel;

		final Map<String, Object> files = new LinkedHashMap<>();

		Maps(final Path dir, final NiftiHeader grid, final int[] index, final int deflateLevel) {
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
			final Map<String, Object> f = new LinkedHashMap<>();
			f.put("file", file);
			f.put("volumes", volumes);
			if (volumes > 1 || name.equals("beta_hat")) f.put("volume_order", name.equals(
				"beta_hat") ? "design_columns" : "batch_levels");
			files.put(name, f);
		}
	}

	/**
	 * Writes a table model extended by {@link SiteAddition} as one JSON file (refuses to
	 * overwrite): the old model's fields, the new site appended to {@code batch_levels},
	 * {@code batch_sizes} and {@code priors}, a record in {@code added_sites}, and the parameters
	 * of the extended model.
	 *
	 * @param added what to record about the addition (source, options)
	 */
	public static void writeTableExtended(final Path file, final SavedModel old,
		final SiteAddition.Result r, final Map<String, Object> added)
	{
		if (old.voxelwise) throw new IllegalArgumentException("not a table model");
		final Map<String, Object> json = extendedHeader(old, r, added);
		json.put("parameters", parameters(r.model(), "combat".equals(old.method)));
		writeNew(file, Json.write(json));
	}

	/**
	 * Writes a voxelwise model extended by {@link SiteAddition} into {@code dir}: the old model's
	 * maps that do not depend on the site are copied byte for byte; the per-site maps get the new
	 * site's volume appended ({@code gamma_hat} and {@code delta_hat_sq}: its unshrunk estimates).
	 *
	 * @return the extended model, as {@link #read} would read it from {@code dir} (its parameters
	 *         are doubles, which the float64 maps keep bit for bit)
	 */
	public static SavedModel writeVoxelwiseExtended(final Path dir, final SavedModel old,
		final SiteAddition.Result r, final Map<String, Object> added, final int deflateLevel)
	{
		if (!old.voxelwise) throw new IllegalArgumentException("not a voxelwise model");
		final Map<String, Object> json = extendedHeader(old, r, added);
		final HarmonisationModel m = r.model();
		final int nb = m.nBatches(), vol = old.mask.length;
		final int[] index = new int[m.nFeatures()];
		for (int v = 0, k = 0; v < vol; v++)
			if (old.mask[v]) index[k++] = v;
		final Map<String, Object> maps = new LinkedHashMap<>();
		for (final Map.Entry<?, ?> e : ((Map<?, ?>) old.json.get("maps")).entrySet()) {
			final String name = (String) e.getKey();
			final Map<String, Object> entry = new LinkedHashMap<>();
			for (final Map.Entry<?, ?> f : ((Map<?, ?>) e.getValue()).entrySet())
				entry.put((String) f.getKey(), f.getValue());
			final String file = (String) entry.get("file");
			final Path from = old.source.resolve(file), to = dir.resolve(file);
			if ("batch_levels".equals(entry.get("volume_order"))) {
				final double[] oldData = NiftiIO.readDoubles(from);
				final double[] data = Arrays.copyOf(oldData, nb * vol);
				for (int k = 0; k < index.length; k++)
					data[(nb - 1) * vol + index[k]] = newSiteValue(name, m, r, k);
				NiftiIO.writeFloat64(to, old.grid, data, nb, deflateLevel);
				entry.put("volumes", nb);
			}
			else try {
				Files.copy(from, to);
			}
			catch (final IOException x) {
				throw new InputException("Cannot copy " + from + " to " + to + ": " + x.getMessage());
			}
			maps.put(name, entry);
		}
		json.put("maps", maps);
		writeNew(dir.resolve("model.json"), Json.write(json));
		return new SavedModel(dir, true, json, old.coding, m, List.of(), old.grid, old.mask);
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

	/** The old model's fields (integral numbers written as integers) with the new site added. */
	private static Map<String, Object> extendedHeader(final SavedModel old,
		final SiteAddition.Result r, final Map<String, Object> added)
	{
		final Map<String, Object> json = new LinkedHashMap<>();
		for (final Map.Entry<String, Object> e : old.json.entrySet())
			if (!e.getKey().equals("parameters") && !e.getKey().equals("maps")) json.put(e.getKey(),
				integral(e.getValue()));
		final List<Object> levels = new ArrayList<>((List<?>) json.get("batch_levels"));
		levels.add(r.site());
		json.put("batch_levels", levels);
		final List<Object> sizes = new ArrayList<>((List<?>) json.get("batch_sizes"));
		sizes.add(r.nSubjects());
		json.put("batch_sizes", sizes);
		if (json.get("priors") instanceof List) {
			final List<Object> priors = new ArrayList<>((List<?>) json.get("priors"));
			priors.add(priors(r));
			json.put("priors", priors);
		}
		final List<Object> history = json.get("added_sites") instanceof List ? new ArrayList<>(
			(List<?>) json.get("added_sites")) : new ArrayList<>();
		final Map<String, Object> a = new LinkedHashMap<>();
		a.put("batch", r.site());
		a.put("subjects", r.nSubjects());
		a.put("usable_features", r.usable());
		a.put("left_out_features", r.leftOut());
		a.put("harmonij_version", Version.get());
		a.putAll(added);
		history.add(a);
		json.put("added_sites", history);
		return json;
	}

	/** The added site's empirical Bayes priors, as the model's "priors" list records a site's. */
	public static Map<String, Object> priors(final SiteAddition.Result r) {
		final Map<String, Object> p = new LinkedHashMap<>();
		p.put("batch", r.site());
		p.put("gamma_bar", r.gammaBar());
		p.put("tau2", r.tau2());
		p.put("a_prior", r.aPrior());
		p.put("b_prior", r.bPrior());
		p.put("iterations", r.iterations());
		return p;
	}

	/** A deep copy in which integral doubles (not -0) become longs, as the writer first wrote them. */
	private static Object integral(final Object o) {
		if (o instanceof Double) {
			final double d = (Double) o;
			final boolean negZero = d == 0 && 1 / d < 0;
			return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15 && !negZero
				? (Object) (long) d : o;
		}
		if (o instanceof Map) {
			final Map<String, Object> m = new LinkedHashMap<>();
			for (final Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet())
				m.put(String.valueOf(e.getKey()), integral(e.getValue()));
			return m;
		}
		if (o instanceof List) {
			final List<Object> l = new ArrayList<>();
			for (final Object x : (List<?>) o)
				l.add(integral(x));
			return l;
		}
		return o;
	}

	// -- Reading --

	/**
	 * Reads a saved model: a table model's JSON file, or a voxelwise model's folder (or its
	 * {@code model.json}).
	 *
	 * @throws InputException naming the file if it is not a HarmonIJ model, has another format
	 *           version, or is damaged (a map missing, on another grid, or not matching the mask
	 *           checksum)
	 */
	public static SavedModel read(final Path path) {
		final Path file = Files.isDirectory(path) ? path.resolve("model.json") : path;
		if (!Files.isRegularFile(file)) throw new InputException(path + " is not a saved model: " +
			(Files.isDirectory(path) ? "it has no model.json" : "the file was not found") +
			". Give the model folder written by combat or regress (OUT/model) or the file written " +
			"by combat-table --model-out.");
		final Map<String, Object> json;
		try {
			final Object o = Json.read(new String(Files.readAllBytes(file),
				StandardCharsets.UTF_8));
			if (!(o instanceof Map)) throw new IllegalArgumentException("not a JSON object");
			@SuppressWarnings("unchecked")
			final Map<String, Object> m = (Map<String, Object>) o;
			json = m;
		}
		catch (final IOException | IllegalArgumentException e) {
			throw new InputException(file + " is not a HarmonIJ model (" + e.getMessage() + ").");
		}
		if (!FORMAT.equals(json.get("format"))) throw new InputException(file +
			" is not a HarmonIJ model (its \"format\" is " + json.get("format") + ", expected \"" +
			FORMAT + "\").");
		final Object version = json.get("format_version");
		if (!(version instanceof Double) || ((Double) version).intValue() != FORMAT_VERSION)
			throw new InputException(file + " has model format version " + (version instanceof Double
				? Csv.formatDouble((Double) version) : version) + "; this " +
				"HarmonIJ (" + Version.get() + ") reads version " +
				FORMAT_VERSION + ". Fit the model again with this version.");
		try {
			final boolean vox = "voxelwise".equals(json.get("kind"));
			return vox ? readVoxelwise(file, json) : readTable(file, json);
		}
		catch (final ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
			throw new InputException(file + " is damaged: a field is missing or has the wrong " +
				"type (" + e + "). Fit the model again.");
		}
	}

	/**
	 * Builds the design of new subjects for this model: their sites (which must be among the
	 * model's) and their covariates coded with the model's coding (levels and knots of the
	 * training data).
	 *
	 * @param t the manifest or table of the new subjects
	 * @param ids subject id per row
	 * @param batches site per row
	 * @param clamp clamp smooth covariates to the training range (with a warning) instead of
	 *          failing
	 * @param warnings receives warnings (clamped values)
	 * @throws InputException listing every problem with its row and subject: a missing covariate
	 *           column, a site or level the model does not know, a value that is not a number or
	 *           (without clamp) is outside a smooth covariate's training range
	 */
	public Design designFor(final CsvTable t, final List<String> ids, final List<String> batches,
		final boolean clamp, final List<String> warnings)
	{
		final List<String> problems = new ArrayList<>();
		final String[] levels = model.batchLevels();
		final List<String> known = Arrays.asList(levels);
		final int n = t.nRows();
		final String[] idArray = ids.toArray(new String[0]);
		final String[] where = new String[n];
		final double[][] x = codeRows(t, idArray, where, clamp, warnings, problems);
		final int[] batch = new int[n];
		final Map<String, List<String>> unknown = new LinkedHashMap<>();
		for (int r = 0; r < n; r++) {
			batch[r] = known.indexOf(batches.get(r));
			if (batch[r] < 0) {
				unknown.computeIfAbsent(batches.get(r), b -> new ArrayList<>()).add(where[r]);
				batch[r] = 0;
			}
		}
		final List<String> siteProblems = new ArrayList<>();
		for (final Map.Entry<String, List<String>> e : unknown.entrySet()) {
			final List<String> rows = e.getValue();
			siteProblems.add(which(rows) + ": " + batchColumn + " \"" + e.getKey() + "\" is not " +
				"one of the sites the model was fitted with (" + String.join(", ", levels) + "). " +
				"Remove " + (rows.size() == 1 ? "the row" : "those rows") + ", or add the site to " +
				"the model (docs/models.md).");
		}
		problems.addAll(0, siteProblems);
		InputException.throwIfAny(t.name() + ": " + problems.size() + " problems with the " +
			"subjects to harmonise (nothing was written):", problems);
		return new Design(levels, batch, coding.codedNames().toArray(new String[0]), x, idArray);
	}

	/**
	 * Builds the design of the subjects of a site to add to this model ({@link SiteAddition}):
	 * one site the model does not know, covariates coded with the model's coding.
	 *
	 * @throws InputException listing every problem with its row and subject: a site the model
	 *           knows (use apply), subjects of more than one new site (add one at a time), a
	 *           missing covariate column, a level the model does not know, a value that is not a
	 *           number or (without clamp) outside a smooth covariate's training range
	 */
	public Design designForNewSite(final CsvTable t, final List<String> ids,
		final List<String> batches, final boolean clamp, final List<String> warnings)
	{
		final List<String> problems = new ArrayList<>();
		final List<String> known = Arrays.asList(model.batchLevels());
		final int n = t.nRows();
		final String[] idArray = ids.toArray(new String[0]);
		final String[] where = new String[n];
		final double[][] x = codeRows(t, idArray, where, clamp, warnings, problems);
		final Map<String, List<String>> sites = new LinkedHashMap<>();
		for (int r = 0; r < n; r++)
			sites.computeIfAbsent(batches.get(r), b -> new ArrayList<>()).add(where[r]);
		final List<String> siteProblems = new ArrayList<>();
		final List<String> fresh = new ArrayList<>();
		for (final Map.Entry<String, List<String>> e : sites.entrySet()) {
			final List<String> rows = e.getValue();
			final String which = which(rows);
			if (known.contains(e.getKey())) siteProblems.add(which + ": " + batchColumn + " \"" + e
				.getKey() + "\" is already in the model (" + String.join(", ", known) + "); " +
				"harmonise its subjects with apply (apply-table), or remove " + (rows.size() == 1
					? "the row." : "those rows."));
			else fresh.add("\"" + e.getKey() + "\" (" + which + ")");
		}
		if (fresh.size() > 1) siteProblems.add("the rows come from " + fresh.size() + " new " +
			"sites: " + String.join(", ", fresh) + ". Add one site at a time: run add-site once " +
			"per site, each time on the model the previous run wrote.");
		problems.addAll(0, siteProblems);
		InputException.throwIfAny(t.name() + ": " + problems.size() + " problems with the " +
			"subjects of the site to add (nothing was written):", problems);
		if (n == 0) throw new InputException(t.name() + " has no subjects; give the rows of the " +
			"site to add.");
		return new Design(new String[] { batches.get(0) }, new int[n], coding.codedNames().toArray(
			new String[0]), x, idArray);
	}

	/**
	 * The rows' covariates coded with the model's coding; {@code where[r]} receives how messages
	 * name row r.
	 *
	 * @throws InputException if the table lacks a covariate column of the model
	 */
	private double[][] codeRows(final CsvTable t, final String[] ids, final String[] where,
		final boolean clamp, final List<String> warnings, final List<String> problems)
	{
		final List<String> names = coding.names();
		final int[] cols = new int[names.size()];
		final List<String> missing = new ArrayList<>();
		for (int c = 0; c < cols.length; c++)
			cols[c] = Tables.require(t, names.get(c), "covariate of the model", missing);
		InputException.throwIfAny(t.name() + " lacks columns the model needs:", missing);
		final double[][] x = new double[t.nRows()][];
		for (int r = 0; r < x.length; r++) {
			where[r] = Tables.where(t, r, ids);
			final String[] raw = new String[cols.length];
			for (int c = 0; c < cols.length; c++)
				raw[c] = t.cell(r, cols[c]);
			x[r] = coding.code(raw, where[r], clamp, warnings, problems);
		}
		return x;
	}

	/** "row 3 (subject s1)", or "row 3 (subject s1) and 4 more rows". */
	private static String which(final List<String> rows) {
		return rows.size() == 1 ? rows.get(0) : rows.get(0) + " and " + (rows.size() - 1) +
			" more rows";
	}

	/** @return the SHA-256 of the mask, one byte (0 or 1) per voxel, as lower-case hex */
	public static String checksum(final boolean[] mask) {
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

	private static Map<String, Object> header(final HarmonisationFit fit,
		final ComBatOptions combat, final String batchColumn, final CovariateCoding coding)
	{
		final Design d = fit.design();
		final HarmonisationModel m = fit.model();
		final Map<String, Object> json = new LinkedHashMap<>();
		json.put("format", FORMAT);
		json.put("format_version", FORMAT_VERSION);
		json.put("harmonij_version", Version.get());
		json.put("method", combat != null ? "combat" : "regression");
		json.put("batch_column", batchColumn);
		json.put("batch_levels", Arrays.asList(d.batchLevels()));
		json.put("batch_sizes", d.batchSizes());
		json.put("reference_batch", m.refBatch() < 0 ? "" : d.batchLevel(m.refBatch()));
		json.put("covariates", describe(coding));
		json.put("design_columns", Arrays.asList(d.covariateNames()));
		final Map<String, Object> options = new LinkedHashMap<>();
		if (combat != null) {
			options.put("eb", combat.eb().key());
			options.put("mean_only", combat.meanOnly());
		}
		options.put("ref_batch", m.refBatch() < 0 ? "" : d.batchLevel(m.refBatch()));
		if (combat != null) options.put("missing_values", combat.missingValues());
		json.put("options", options);
		if (fit instanceof ComBatFit) {
			final ComBatFit c = (ComBatFit) fit;
			final List<Object> priors = new ArrayList<>();
			for (int b = 0; b < d.nBatches(); b++) {
				final Map<String, Object> p = new LinkedHashMap<>();
				p.put("batch", d.batchLevel(b));
				p.put("gamma_bar", c.gammaBar(b));
				p.put("tau2", c.tau2(b));
				p.put("a_prior", c.aPrior(b));
				p.put("b_prior", c.bPrior(b));
				p.put("iterations", c.iterations(b));
				priors.add(p);
			}
			json.put("priors", priors);
		}
		final Map<String, Object> counts = new LinkedHashMap<>();
		for (final FeatureStatus s : FeatureStatus.values())
			counts.put(s.name().toLowerCase(Locale.ROOT), fit.count(s));
		json.put("feature_counts", counts);
		return json;
	}

	/** The covariate coding as JSON: names, kinds, levels and reference, knots. */
	static List<Object> describe(final CovariateCoding coding) {
		final List<Object> list = new ArrayList<>();
		for (int c = 0; c < coding.nCovariates(); c++) {
			final Map<String, Object> m = new LinkedHashMap<>();
			m.put("name", coding.names().get(c));
			m.put("kind", coding.kind(c).name().toLowerCase(Locale.ROOT));
			if (coding.kind(c) == CovariateCoding.Kind.CATEGORICAL) {
				m.put("levels", coding.levels(c));
				m.put("reference", coding.reference(c));
			}
			if (coding.kind(c) == CovariateCoding.Kind.SMOOTH) {
				m.put("knots", coding.knots(c));
				m.put("basis", "natural cubic spline, truncated-power form (docs/models.md)");
			}
			list.add(m);
		}
		return list;
	}

	private static CovariateCoding coding(final Map<String, Object> json) {
		final List<String> names = new ArrayList<>();
		final List<CovariateCoding.Kind> kinds = new ArrayList<>();
		final List<List<String>> levels = new ArrayList<>();
		final List<double[]> knots = new ArrayList<>();
		for (final Object o : (List<?>) json.get("covariates")) {
			final Map<?, ?> m = (Map<?, ?>) o;
			names.add((String) m.get("name"));
			final CovariateCoding.Kind k = CovariateCoding.Kind.valueOf(((String) m.get("kind"))
				.toUpperCase(Locale.ROOT));
			kinds.add(k);
			final List<String> l = new ArrayList<>();
			if (k == CovariateCoding.Kind.CATEGORICAL) for (final Object s : (List<?>) m.get(
				"levels"))
				l.add((String) s);
			levels.add(l);
			knots.add(k == CovariateCoding.Kind.SMOOTH ? doubles(m.get("knots")) : null);
		}
		return new CovariateCoding(names, kinds, levels, knots);
	}

	private static SavedModel readTable(final Path file, final Map<String, Object> json) {
		final CovariateCoding coding = coding(json);
		final String[] levels = strings(json.get("batch_levels"));
		final String ref = (String) json.get("reference_batch");
		final List<String> features = List.of(strings(json.get("features")));
		final Map<?, ?> p = (Map<?, ?>) json.get("parameters");
		final boolean combat = "combat".equals(json.get("method"));
		final String[] st = strings(p.get("status"));
		final byte[] status = new byte[st.length];
		for (int v = 0; v < st.length; v++)
			status[v] = (byte) FeatureStatus.valueOf(st[v].toUpperCase(Locale.ROOT)).ordinal();
		final HarmonisationModel m = new HarmonisationModel(combat
			? HarmonisationModel.Kind.COMBAT : HarmonisationModel.Kind.SITE_REGRESSION, levels,
			Arrays.asList(levels).indexOf(ref), strings(json.get("design_columns")), status,
			doubles(p.get(combat ? "grand_mean" : "alpha")), combat ? doubles(p.get("var_pooled"))
				: null, flat(p.get("beta_hat")), flat(p.get(combat ? "gamma_star" : "gamma")),
			combat ? flat(p.get("delta_star")) : null);
		check(file, coding, m);
		return new SavedModel(file, false, json, coding, m, features, null, null);
	}

	private static SavedModel readVoxelwise(final Path file, final Map<String, Object> json) {
		final Path dir = file.toAbsolutePath().getParent();
		final CovariateCoding coding = coding(json);
		final String[] levels = strings(json.get("batch_levels"));
		final String[] columns = strings(json.get("design_columns"));
		final boolean combat = "combat".equals(json.get("method"));
		final Map<?, ?> maps = (Map<?, ?>) json.get("maps");
		final Path statusFile = dir.resolve(mapFile(maps, "status"));
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
		if (!checksum(mask).equals(json.get("mask_sha256")) || nf != ((Double) json.get(
			"mask_voxels")).intValue()) throw new InputException(dir + ": the mask in " + statusFile
				.getFileName() + " does not match the checksum in model.json (" + nf +
				" voxels, model.json says " + json.get("mask_voxels") + "). The folder mixes " +
				"files of different models; fit the model again.");
		final int[] index = new int[nf];
		for (int v = 0, k = 0; v < vol; v++)
			if (mask[v]) index[k++] = v;
		final byte[] status = new byte[nf];
		for (int k = 0; k < nf; k++)
			status[k] = (byte) (statusMap[index[k]] - 1);
		final int nb = levels.length, nc = columns.length;
		final double[] loc = masked(dir, maps, combat ? "grand_mean" : "alpha", grid, index, 1);
		final double[] var = combat ? masked(dir, maps, "var_pooled", grid, index, 1) : null;
		final double[] gamma = masked(dir, maps, combat ? "gamma_star" : "gamma", grid, index, nb);
		final double[] delta = combat ? masked(dir, maps, "delta_star", grid, index, nb) : null;
		final double[] beta = nc > 0 ? masked(dir, maps, "beta_hat", grid, index, nc)
			: new double[0];
		final String ref = (String) json.get("reference_batch");
		final HarmonisationModel m = new HarmonisationModel(combat
			? HarmonisationModel.Kind.COMBAT : HarmonisationModel.Kind.SITE_REGRESSION, levels,
			Arrays.asList(levels).indexOf(ref), columns, status, loc, var, beta, gamma, delta);
		check(file, coding, m);
		return new SavedModel(dir, true, json, coding, m, List.of(), grid, mask);
	}

	private static String mapFile(final Map<?, ?> maps, final String name) {
		final Object e = maps.get(name);
		if (e == null) throw new InputException("The model lists no map \"" + name + "\"; it is " +
			"damaged. Fit the model again.");
		return (String) ((Map<?, ?>) e).get("file");
	}

	/** Reads a map's volumes at the masked voxels: {@code out[t * nf + k]}. */
	private static double[] masked(final Path dir, final Map<?, ?> maps, final String name,
		final NiftiHeader grid, final int[] index, final int volumes)
	{
		final Path f = dir.resolve(mapFile(maps, name));
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
		final int vol = Math.toIntExact(grid.voxelsPerVolume()), nf = index.length;
		final double[] out = new double[volumes * nf];
		for (int t = 0; t < volumes; t++)
			for (int k = 0; k < nf; k++)
				out[t * nf + k] = all[t * vol + index[k]];
		return out;
	}

	private static void check(final Path file, final CovariateCoding coding,
		final HarmonisationModel m)
	{
		if (!coding.codedNames().equals(Arrays.asList(m.covariateNames()))) throw new InputException(
			file + " is damaged: its covariates code to " + coding.codedNames() + " but its " +
				"design columns are " + Arrays.asList(m.covariateNames()) + ". Fit the model again.");
	}

	private static String[] strings(final Object list) {
		final List<?> l = (List<?>) list;
		final String[] out = new String[l.size()];
		for (int i = 0; i < out.length; i++)
			out[i] = (String) l.get(i);
		return out;
	}

	private static double[] doubles(final Object list) {
		final List<?> l = (List<?>) list;
		final double[] out = new double[l.size()];
		for (int i = 0; i < out.length; i++)
			out[i] = l.get(i) == null ? Double.NaN : (Double) l.get(i);
		return out;
	}

	/** A list of equal-length lists, row after row. */
	private static double[] flat(final Object list) {
		final List<?> rows = (List<?>) list;
		final List<double[]> parts = new ArrayList<>();
		int n = 0;
		for (final Object r : rows) {
			final double[] d = doubles(r);
			parts.add(d);
			n += d.length;
		}
		final double[] out = new double[n];
		int off = 0;
		for (final double[] d : parts) {
			System.arraycopy(d, 0, out, off, d.length);
			off += d.length;
		}
		return out;
	}

	/** Complete or not at all, never over an existing file (see {@link Csv#writeNew}). */
	private static void writeNew(final Path file, final String text) {
		Csv.writeNew(file, text.getBytes(StandardCharsets.UTF_8));
	}
}
