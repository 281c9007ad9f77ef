// SPDX-License-Identifier: MIT
package io.github.harmonij.script;

import org.scijava.plugin.Plugin;
import org.scijava.script.AdaptedScriptLanguage;
import org.scijava.script.ScriptLanguage;

/**
 * Groovy for SciJava's ScriptService, from the JSR-223 engine of groovy-jsr223 (Fiji ships its own
 * scripting-groovy; it is not on Maven Central, so the tests bring this minimal one).
 */
@Plugin(type = ScriptLanguage.class, name = "Groovy")
public class GroovyLanguage extends AdaptedScriptLanguage {

	public GroovyLanguage() {
		super("groovy");
	}
}
