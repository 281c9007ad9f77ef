// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** One "did you mean" for flags, macro keys and columns. */
class NamesTest {

	private static final List<String> COLUMNS = List.of("subject", "site", "age", "sex", "Group",
		"mean_only", "covariates");

	@Test
	void theSameIgnoringCaseComesFirst() {
		assertEquals("Group", Names.closest("group", COLUMNS));
		assertEquals("age", Names.closest("Age", COLUMNS));
	}

	@Test
	void typosSwapsAndPrefixes() {
		assertEquals("site", Names.closest("sitte", COLUMNS)); // one letter too many
		assertEquals("covariates", Names.closest("covarites", COLUMNS)); // one missing
		assertEquals("mean_only", Names.closest("mena_only", COLUMNS)); // two swapped
		assertEquals("subject", Names.closest("subj", COLUMNS)); // a start of it
	}

	@Test
	void nothingCloseGivesNothing() {
		assertNull(Names.closest("diagnosis", COLUMNS));
		assertNull(Names.closest("xy", COLUMNS)); // two edits are too many for a short name
	}
}
