// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.util.Locale;

import io.github.harmonij.core.InputException;

/**
 * What the harmonised images hold outside the mask. Real images often carry values there (skull,
 * noise, small probabilities), which cost memory to keep between reading and writing and defeat
 * the writer's zero-run coding (docs/scaling.md gives the figures).
 */
public enum OutsideMask {

	/**
	 * The input's values, bit for bit (the default): kept from the read (sparse, or dense when
	 * the cohort's whole volumes fit in memory) or read again to write each image.
	 */
	COPY,

	/**
	 * 0: nothing outside the mask is kept or read again, and the background compresses to almost
	 * nothing. The harmonised voxels are the same; only the voxels outside the mask differ.
	 */
	ZERO;

	/** @return the name users type ("copy", "zero") */
	public String key() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * @param key "copy" or "zero" (any case)
	 * @throws InputException naming the choices otherwise
	 */
	public static OutsideMask parse(final String key) {
		for (final OutsideMask m : values())
			if (m.key().equalsIgnoreCase(key == null ? "" : key.trim())) return m;
		throw new InputException("outside_mask (--outside-mask) is \"" + key + "\"; choose copy " +
			"(keep the input's values outside the mask) or zero (write 0 there).");
	}
}
