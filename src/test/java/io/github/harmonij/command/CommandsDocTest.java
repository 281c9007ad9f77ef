// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModuleItem;
import org.scijava.module.ModuleItem;

/**
 * docs/commands.md is what {@link CommandsDoc} generates from the commands' metadata, and that
 * metadata names every field for people: the dialogs show it (ij1.CommandShim).
 */
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

	@Test
	void everyFieldHasALabelForPeopleAndADescription() {
		final List<String> bad = new ArrayList<>();
		try (Context context = new Context()) {
			for (final CommandInfo info : Commands.all(context))
				for (final ModuleItem<?> item : Commands.userInputs(info)) {
					final String where = info.get(Commands.LABEL) + " " + item.getName();
					// without a label, SciJava and the dialogs would show the key ("batch", "eb")
					final String label = ((CommandModuleItem<?>) item).getParameter().label();
					if (label.isEmpty() || label.contains("_")) bad.add(where + ": label \"" + label +
						"\"");
					if (item.getDescription() == null || item.getDescription().trim().isEmpty()) bad.add(
						where + ": no description");
				}
		}
		assertTrue(bad.isEmpty(), String.join("\n", bad));
	}
}
