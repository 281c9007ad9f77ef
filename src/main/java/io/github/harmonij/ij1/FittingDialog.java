// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.awt.Component;
import java.awt.GraphicsEnvironment;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.LayoutManager;
import java.awt.Panel;
import java.awt.Rectangle;
import java.awt.ScrollPane;

import ij.gui.GenericDialog;

/**
 * A {@link GenericDialog} that fits the screen: when its fields would make it taller than the
 * screen's usable height (a laptop's 768 pixels; the ComBat dialog has 19 fields with their
 * descriptions), the fields scroll and the buttons stay below them, always visible. A dialog that
 * fits is laid out exactly as a GenericDialog; macros, which show no dialog, are not affected.
 */
final class FittingDialog extends GenericDialog {

	private static final long serialVersionUID = 1L;

	/** Pixels kept free below the dialog (a task bar) and for its title bar. */
	static final int SCREEN_MARGIN = 60;

	/** Room for the vertical scroll bar beside the fields. */
	private static final int SCROLL_BAR = 24;

	private boolean scrolls;

	FittingDialog(final String title) {
		super(title);
	}

	/** @return whether the fields were put in a scroll pane to fit the screen */
	boolean scrolls() {
		return scrolls;
	}

	@Override
	public void pack() {
		super.pack();
		if (scrolls || GraphicsEnvironment.isHeadless()) return;
		final Rectangle screen = GraphicsEnvironment.getLocalGraphicsEnvironment()
			.getMaximumWindowBounds();
		final int max = screen.height - SCREEN_MARGIN;
		final LayoutManager layout = getLayout();
		final Component[] parts = getComponents();
		if (getHeight() <= max || !(layout instanceof GridBagLayout) || parts.length < 2) return;
		// GenericDialog adds its button panel last; every other part is a field or a message
		final GridBagLayout grid = (GridBagLayout) layout;
		final Panel fields = new Panel(new GridBagLayout());
		for (int i = 0; i < parts.length - 1; i++) {
			final GridBagConstraints c = grid.getConstraints(parts[i]);
			remove(parts[i]);
			fields.add(parts[i], c);
		}
		final ScrollPane scroll = new ScrollPane(ScrollPane.SCROLLBARS_AS_NEEDED);
		scroll.add(fields);
		final GridBagConstraints c = new GridBagConstraints();
		c.gridx = 0;
		c.gridy = 0;
		c.gridwidth = GridBagConstraints.REMAINDER;
		c.fill = GridBagConstraints.BOTH;
		c.weightx = 1;
		c.weighty = 1;
		add(scroll, c, 0);
		final GridBagConstraints b = grid.getConstraints(parts[parts.length - 1]);
		b.gridy = 1;
		b.weighty = 0;
		grid.setConstraints(parts[parts.length - 1], b);
		scrolls = true;
		final int width = fields.getPreferredSize().width + SCROLL_BAR + getInsets().left +
			getInsets().right;
		setSize(Math.min(width, screen.width - SCREEN_MARGIN), max);
		validate();
	}
}
