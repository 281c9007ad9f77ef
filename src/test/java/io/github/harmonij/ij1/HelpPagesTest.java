// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.module.ModuleItem;

import io.github.harmonij.command.Commands;

/**
 * Every command's Help button has its own section of docs/commands.md, read from the packaged
 * resource, converted to HTML with no Markdown left over.
 */
class HelpPagesTest {

	@Test
	void everyCommandHasItsSectionAsHtml() {
		try (Context context = new Context()) {
			final List<CommandInfo> all = Commands.all(context);
			assertFalse(all.isEmpty());
			for (final CommandInfo info : all) {
				final String label = info.get(Commands.LABEL);
				final String html = HelpPages.html(label);
				assertNotNull(html, label + ": no section in " + HelpPages.RESOURCE);
				assertTrue(html.startsWith("<html>"), "GenericDialog.addHelp shows <html> in a dialog");
				assertTrue(html.contains("<h2>" + label.replace("&", "&amp;") + "</h2>"), label);
				assertTrue(html.contains("<pre>run(\"" + label + "\""), label + ": its macro line");
				for (final ModuleItem<?> item : Commands.userInputs(info))
					assertTrue(html.contains("<td><code>" + item.getName() + "</code></td><td><code>--" +
						item.getName().replace('_', '-') + "</code></td><td>" + item.getLabel()
							.replace("&", "&amp;") + "</td>"), label + ": row of " + item.getName() +
								"\n" + html);
				for (final String markdown : new String[] { "```", "|---", "**", "`", "## " })
					assertFalse(html.contains(markdown), label + ": \"" + markdown + "\" left in\n" +
						html);
				// the next command's section is not part of this one
				assertFalse(html.substring(html.indexOf("</h2>")).contains("<h2>"), label);
			}
		}
	}

	@Test
	void convertsTheMarkdownThatCommandsMdUses() {
		final String html = HelpPages.toHtml(List.of("## A & B...", "", "Text with `a<b>` and " +
			"**bold** and [a link](other.md).", "", "* one", "* two `x`", "", "| key | meaning |",
			"|---|---|", "| `k` | x \\| y |", "", "```", "run(\"A\", \"k=<v>\");", "```"));
		for (final String want : new String[] { "<h2>A &amp; B...</h2>",
			"<p>Text with <code>a&lt;b&gt;</code> and <b>bold</b> and a link. </p>",
			"<ul>\n<li>one</li>\n<li>two <code>x</code></li>\n</ul>",
			"<tr><th align=\"left\">key</th><th align=\"left\">meaning</th></tr>",
			"<tr><td><code>k</code></td><td>x | y</td></tr>", "<pre>run(\"A\", \"k=&lt;v&gt;\");\n</pre>" })
			assertTrue(html.contains(want), want + " in\n" + html);
	}
}
