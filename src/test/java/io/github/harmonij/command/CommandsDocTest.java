// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;

/** docs/commands.md is what {@link CommandsDoc} generates from the commands' metadata. */
class CommandsDocTest {

	@Test
	void commandReferenceIsUpToDate() throws Exception {
		final Path doc = Paths.get("docs/commands.md");
		final String want = CommandsDoc.generate();
		if (Boolean.getBoolean("harmonij.writeDocs")) Files.write(doc, want.getBytes(
			StandardCharsets.UTF_8));
		assertEquals(want, Files.exists(doc) ? new String(Files.readAllBytes(doc),
			StandardCharsets.UTF_8) : "", "docs/commands.md is out of date; rewrite it with " +
				"mvn -q -o test -Dtest=CommandsDocTest -Dharmonij.writeDocs=true");
	}
}
