// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.Label;
import java.awt.Rectangle;
import java.awt.ScrollPane;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Vector;

import org.scijava.command.CommandInfo;
import org.scijava.module.ModuleItem;

import ij.IJ;
import ij.ImageJ;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;

import io.github.harmonij.command.Commands;
import io.github.harmonij.command.MacroOptions;

/**
 * Test-side main for {@link RecorderIT}, run in a real ImageJ 1.x on an X display: turns the
 * macro recorder on, chooses a HarmonIJ menu command the way a click does ({@code IJ.doCommand}),
 * types the given values into its dialog, presses OK, waits for the recorder to write the
 * command's line, and saves the recorder's text. What the dialog showed (its labels, one a line,
 * and its buttons) goes into {@code recorded.txt.shown}.
 * <p>
 * {@code RecordDriver "<menu label>" "<key=value options to type>" recorded.txt}
 */
public final class RecordDriver {

	private static final long TIMEOUT_MS = 200_000;

	private RecordDriver() {}

	public static void main(final String[] args) throws Exception {
		final String label = args[0];
		final Map<String, String> fill = MacroOptions.parse(args[1]);
		new ImageJ();
		new Recorder();
		IJ.doCommand(label);
		final GenericDialog gd = waitForDialog(label.replace("...", ""));
		final CommandInfo info = HarmonijContext.withClassLoader(() -> Commands.all(HarmonijContext
			.get()).stream().filter(i -> label.equals(i.get(Commands.LABEL))).findFirst().get());
		final Button okButton = gd.getButtons()[0];
		final Rectangle screen = GraphicsEnvironment.getLocalGraphicsEnvironment()
			.getMaximumWindowBounds();
		final boolean okOnScreen = okButton.getLocationOnScreen().y + okButton.getHeight() <=
			screen.y + screen.height;
		Files.write(Paths.get(args[2] + ".shown"), (shown(gd) + (okOnScreen
			? "OK on screen\n" : "")).getBytes(StandardCharsets.UTF_8));
		EventQueue.invokeAndWait(() -> fill(gd, Commands.userInputs(info), fill));
		final Button ok = gd.getButtons()[0];
		EventQueue.invokeAndWait(() -> gd.actionPerformed(new ActionEvent(ok,
			ActionEvent.ACTION_PERFORMED, ok.getLabel())));
		final long end = System.currentTimeMillis() + TIMEOUT_MS;
		String text = "";
		while (System.currentTimeMillis() < end) {
			text = Recorder.getInstance().getText();
			if (text.contains("run(\"" + label + "\"")) break;
			Thread.sleep(200);
		}
		Files.write(Paths.get(args[2]), text.getBytes(StandardCharsets.UTF_8));
		System.out.println(IJ.getLog());
		System.exit(text.contains("run(\"" + label + "\"") ? 0 : 3);
	}

	/** Types the values into the fields, in the order the shim added them. */
	static void fill(final GenericDialog gd, final List<ModuleItem<?>> items,
		final Map<String, String> values)
	{
		final Vector<?> strings = gd.getStringFields(), numbers = gd.getNumericFields(),
			choices = gd.getChoices(), boxes = gd.getCheckboxes();
		int s = 0, n = 0, c = 0, b = 0;
		for (final ModuleItem<?> item : items) {
			final String v = values.get(item.getName());
			final Class<?> t = item.getType();
			if (t == boolean.class || t == Boolean.class) {
				final Checkbox box = (Checkbox) boxes.get(b++);
				if (v != null) box.setState(Boolean.parseBoolean(v));
			}
			else if (item.getChoices() != null && !item.getChoices().isEmpty()) {
				final Choice choice = (Choice) choices.get(c++);
				if (v != null) choice.select(v);
			}
			else if (t == File.class || t == String.class) {
				final TextField f = (TextField) strings.get(s++);
				if (v != null) f.setText(v);
			}
			else {
				final TextField f = (TextField) numbers.get(n++);
				if (v != null) f.setText(v);
			}
		}
	}

	/**
	 * The texts of the dialog's labels and checkboxes, "button: " with each button's (a
	 * description of more than one line is a MultiLineLabel, which does not give its text), and
	 * "scrolls" where the fields are in a scroll pane.
	 */
	static String shown(final Container gd) {
		final StringBuilder sb = new StringBuilder();
		for (final Component c : gd.getComponents()) {
			if (c instanceof Label) sb.append(((Label) c).getText()).append('\n');
			else if (c instanceof Checkbox) sb.append(((Checkbox) c).getLabel()).append('\n');
			else if (c instanceof Button) sb.append("button: ").append(((Button) c).getLabel())
				.append('\n');
			else if (c instanceof ScrollPane) sb.append("scrolls\n").append(shown((Container) c));
			else if (c instanceof Container) sb.append(shown((Container) c));
		}
		return sb.toString();
	}

	static GenericDialog waitForDialog(final String title) throws InterruptedException {
		final long end = System.currentTimeMillis() + TIMEOUT_MS;
		while (System.currentTimeMillis() < end) {
			for (final Window w : Window.getWindows())
				if (w instanceof GenericDialog && w.isVisible() && title.equals(((GenericDialog) w)
					.getTitle())) return (GenericDialog) w;
			Thread.sleep(100);
		}
		throw new IllegalStateException("no dialog \"" + title + "\"");
	}
}
