// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.github.harmonij.core.InputException;
import io.github.harmonij.io.Csv;

/**
 * How raw covariate cells become the numeric columns of a {@code core.Design}: continuous
 * covariates are used as numbers, categorical ones are treatment coded (R's default
 * {@code contr.treatment}): the first level is the reference and gets no column, each other level
 * gets a 0/1 column named {@code name[level]}, e.g. {@code sex[M]}; smooth covariates become the
 * natural cubic spline basis of {@link Splines}, one column per degree of freedom, named
 * {@code age[ns1]}, {@code age[ns2]}, ..., on knots fixed at training.
 * <p>
 * A fitted model keeps its coding so that new subjects are coded the same way ({@link
 * #code(String[], String)}); the names, kinds and level lists are all that is needed to save and
 * restore it. Immutable and thread-safe. Built by {@link Covariates#code}.
 */
public final class CovariateCoding {

	/** How a covariate is coded. */
	public enum Kind {
		/** Used as a number. */
		CONTINUOUS,
		/** Treatment coded: one 0/1 column per level except the first (the reference). */
		CATEGORICAL,
		/** A natural cubic regression spline on fixed knots ({@link Splines}). */
		SMOOTH
	}

	private final List<String> names;

	private final List<Kind> kinds;

	private final List<List<String>> levels;

	private final List<String> codedNames;

	private final List<double[]> knots;

	/**
	 * @param names covariate (manifest column) names, in model order
	 * @param kinds the kind of each covariate
	 * @param levels for each covariate, its levels in model order, reference first (an empty list
	 *          for continuous covariates); kept exactly as given, not re-sorted, so that a saved
	 *          coding is restored unchanged
	 * @throws IllegalArgumentException if the lists differ in length, a categorical covariate has
	 *           fewer than one level or repeats a level, or a continuous one has levels
	 */
	public CovariateCoding(final List<String> names, final List<Kind> kinds,
		final List<List<String>> levels)
	{
		this(names, kinds, levels, null);
	}

	/**
	 * As {@link #CovariateCoding(List, List, List)}, with the knots of smooth covariates.
	 *
	 * @param knots per covariate, the increasing spline knots (at least 2) of a SMOOTH covariate
	 *          and null for the others; the list itself may be null if none is smooth
	 */
	public CovariateCoding(final List<String> names, final List<Kind> kinds,
		final List<List<String>> levels, final List<double[]> knots)
	{
		if (names.size() != kinds.size() || names.size() != levels.size())
			throw new IllegalArgumentException("names, kinds and levels differ in length");
		final List<List<String>> lv = new ArrayList<>();
		final List<String> coded = new ArrayList<>();
		final List<double[]> kn = new ArrayList<>();
		for (int i = 0; i < names.size(); i++) {
			final List<String> l = List.copyOf(levels.get(i));
			final double[] kt = knots == null ? null : knots.get(i);
			if (kinds.get(i) == Kind.SMOOTH) {
				if (kt == null || kt.length < 2 || !l.isEmpty()) throw new IllegalArgumentException(
					"smooth covariate " + names.get(i) + " needs at least 2 knots and no levels");
				for (int j = 1; j < kt.length; j++)
					if (!(kt[j] > kt[j - 1])) throw new IllegalArgumentException("knots of " + names
						.get(i) + " are not increasing");
				kn.add(kt.clone());
				for (int j = 1; j < kt.length; j++)
					coded.add(names.get(i) + "[ns" + j + "]");
			}
			else kn.add(null);
			if (kinds.get(i) == Kind.SMOOTH) {
				// coded above
			}
			else if (kinds.get(i) == Kind.CONTINUOUS) {
				if (!l.isEmpty()) throw new IllegalArgumentException("continuous covariate " +
					names.get(i) + " has levels");
				coded.add(names.get(i));
			}
			else {
				if (l.isEmpty() || l.size() != l.stream().distinct().count())
					throw new IllegalArgumentException("categorical covariate " + names.get(i) +
						" needs distinct levels: " + l);
				for (int k = 1; k < l.size(); k++)
					coded.add(names.get(i) + "[" + l.get(k) + "]");
			}
			lv.add(l);
		}
		this.names = List.copyOf(names);
		this.kinds = List.copyOf(kinds);
		this.levels = Collections.unmodifiableList(lv);
		this.codedNames = Collections.unmodifiableList(coded);
		this.knots = kn;
	}

	/** @return a copy of the knots of a SMOOTH covariate (boundary knots first and last), or null */
	public double[] knots(final int covariate) {
		final double[] k = knots.get(covariate);
		return k == null ? null : k.clone();
	}

	/** @return the number of covariates (before coding) */
	public int nCovariates() {
		return names.size();
	}

	/** @return covariate names in model order (unmodifiable) */
	public List<String> names() {
		return names;
	}

	/** @return the kind of each covariate (unmodifiable) */
	public List<Kind> kinds() {
		return kinds;
	}

	/** @return the kind of covariate {@code covariate} */
	public Kind kind(final int covariate) {
		return kinds.get(covariate);
	}

	/**
	 * @return the levels of covariate {@code covariate}, reference first; empty for continuous
	 *         covariates (unmodifiable)
	 */
	public List<String> levels(final int covariate) {
		return levels.get(covariate);
	}

	/** @return the reference level of a categorical covariate, or null for a continuous one */
	public String reference(final int covariate) {
		return levels.get(covariate).isEmpty() ? null : levels.get(covariate).get(0);
	}

	/**
	 * @return the names of the coded columns, as in {@code Design.covariateNames()}: "age",
	 *         "sex[M]", ... (unmodifiable)
	 */
	public List<String> codedNames() {
		return codedNames;
	}

	/**
	 * The value of a continuous or smooth covariate from the first of its coded columns (for a
	 * smooth one, the first spline column, which is linear in the value).
	 */
	public double value(final int covariate, final double firstColumn) {
		final double[] k = knots.get(covariate);
		return k == null ? firstColumn : Splines.value(firstColumn, k);
	}

	/** @return how many coded columns covariate {@code covariate} has */
	public int width(final int covariate) {
		final double[] k = knots.get(covariate);
		return k != null ? k.length - 1 : kinds.get(covariate) == Kind.CATEGORICAL ? levels.get(
			covariate).size() - 1 : 1;
	}

	/** @return the number of coded columns */
	public int nCodedColumns() {
		return codedNames.size();
	}

	/**
	 * Codes one new subject; see {@link #code(String[], String)}.
	 */
	public double[] code(final String[] rawValues) {
		return code(rawValues, null);
	}

	/**
	 * Codes one new subject.
	 *
	 * @param rawValues the subject's cells, one per covariate in {@link #names()} order; trimmed
	 *          before use
	 * @param where how messages name the subject, e.g. "new.csv row 3 (subject sub-9)"; may be
	 *          null
	 * @return the coded values, one per {@link #codedNames()} entry
	 * @throws InputException listing every value that is not a number (continuous) or not one of
	 *           the levels seen when the coding was made (categorical)
	 */
	public double[] code(final String[] rawValues, final String where) {
		return code(rawValues, where, false, null);
	}

	/**
	 * Codes one new subject. A smooth covariate outside the training range (the boundary knots)
	 * is an error, or with {@code clamp} is moved to the nearest boundary with a warning.
	 *
	 * @param rawValues the subject's cells, one per covariate in {@link #names()} order; trimmed
	 *          before use
	 * @param where how messages name the subject, e.g. "new.csv row 3 (subject sub-9)"; may be
	 *          null
	 * @param clamp clamp smooth covariates to the training range instead of failing
	 * @param warnings receives one line per clamped value; may be null
	 * @return the coded values, one per {@link #codedNames()} entry
	 * @throws InputException listing every value that is not a number, not a level seen when the
	 *           coding was made, or (without clamp) outside a smooth covariate's training range
	 */
	public double[] code(final String[] rawValues, final String where, final boolean clamp,
		final List<String> warnings)
	{
		final List<String> problems = new ArrayList<>();
		final double[] out = code(rawValues, where, clamp, warnings, problems);
		InputException.throwIfAny(null, problems);
		return out;
	}

	/** As {@link #code(String[], String, boolean, List)}, adding problems to {@code problems}. */
	public double[] code(final String[] rawValues, final String where, final boolean clamp,
		final List<String> warnings, final List<String> problems)
	{
		if (rawValues.length != names.size()) throw new IllegalArgumentException("expected " +
			names.size() + " values, got " + rawValues.length);
		final String at = where == null ? "" : where + ": ";
		final double[] out = new double[codedNames.size()];
		int col = 0;
		for (int i = 0; i < names.size(); i++) {
			final String raw = rawValues[i] == null ? "" : rawValues[i].trim();
			final String name = names.get(i);
			if (kinds.get(i) == Kind.CONTINUOUS) {
				final double v = Csv.parseNumber(raw);
				if (Double.isNaN(v)) problems.add(at + name + " \"" + raw + "\" is not a number" +
					Csv.numberHint(raw) + ". Enter the " + name + ".");
				out[col++] = v;
			}
			else if (kinds.get(i) == Kind.SMOOTH) {
				final double[] k = knots.get(i);
				double v = Csv.parseNumber(raw);
				if (Double.isNaN(v)) problems.add(at + name + " \"" + raw + "\" is not a number" +
					Csv.numberHint(raw) + ". Enter the " + name + ".");
				else if (v < k[0] || v > k[k.length - 1]) {
					final String range = Csv.formatDouble(k[0]) + " to " + Csv.formatDouble(k[k
						.length - 1]);
					if (!clamp) problems.add(at + name + " " + raw + " is outside the training range " +
						"of the smooth covariate (" + range + "), where its spline was not fitted. " +
						"Remove the subject, or apply with clamp to use the nearest end of the range.");
					else {
						v = Math.max(k[0], Math.min(k[k.length - 1], v));
						if (warnings != null) warnings.add(at + name + " " + raw + " is outside the " +
							"training range (" + range + "); clamped to " + Csv.formatDouble(v) + ".");
					}
				}
				final double[] b = Splines.basis(Double.isNaN(v) ? k[0] : v, k);
				for (final double x : b)
					out[col++] = x;
			}
			else {
				final List<String> l = levels.get(i);
				final int k = l.indexOf(raw);
				if (k < 0) problems.add(at + name + " \"" + raw + "\" is not one of the levels " +
					"the model was fitted with (" + String.join(", ", l) + "). Use one of them.");
				for (int j = 1; j < l.size(); j++)
					out[col++] = j == k ? 1 : 0;
			}
		}
		return out;
	}

	@Override
	public String toString() {
		final StringBuilder sb = new StringBuilder();
		for (int i = 0; i < names.size(); i++) {
			if (i > 0) sb.append(", ");
			sb.append(names.get(i));
			if (kinds.get(i) == Kind.SMOOTH) sb.append(" (smooth: natural cubic spline, knots ")
				.append(java.util.Arrays.toString(knots.get(i))).append(')');
			if (kinds.get(i) == Kind.CATEGORICAL) sb.append(" (categorical: ").append(String.join(
				", ", levels.get(i))).append("; reference ").append(reference(i)).append(')');
		}
		return sb.toString();
	}
}
