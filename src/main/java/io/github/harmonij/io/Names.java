// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.util.Locale;

/**
 * The "did you mean" of every message that names something the user mistyped: a command-line
 * flag, a macro key, a column of a table.
 */
public final class Names {

	private Names() {}

	/**
	 * The known name a mistyped one most likely meant: the same ignoring case, else one at most two
	 * edits away (one, for a name of at most 4 letters), else one that starts with it.
	 *
	 * @return the closest of {@code names}, or null if none is close
	 */
	public static String closest(final String name, final Iterable<String> names) {
		final String want = name.trim().toLowerCase(Locale.ROOT);
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (final String n : names) {
			final String have = n.toLowerCase(Locale.ROOT);
			final int d = editDistance(want, have);
			if (d > (want.length() <= 4 ? 1 : 2) && !(want.length() >= 3 && have.startsWith(want)))
				continue;
			if (d < bestDistance) {
				best = n;
				bestDistance = d;
			}
		}
		return best;
	}

	/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
	private static int editDistance(final String a, final String b) {
		final int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++)
			d[i][0] = i;
		for (int j = 0; j <= b.length(); j++)
			d[0][j] = j;
		for (int i = 1; i <= a.length(); i++)
			for (int j = 1; j <= b.length(); j++) {
				final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
				d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] +
					cost);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b
					.charAt(j - 1)) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
			}
		return d[a.length()][b.length()];
	}
}
