// SPDX-License-Identifier: MIT
/**
 * The saved harmonisation model ({@link io.github.harmonij.model.SavedModel}): the value a run
 * fitted, written beside its outputs (a {@code model/} folder for images, one JSON file for
 * tables) and read back to apply it or to add a site. {@code SavedModel} is the value;
 * {@code ModelJson} is model.json's fields (gson), {@code ModelMaps} the voxelwise maps (NIfTI).
 * Formats only through {@code io}; no GUI.
 */
package io.github.harmonij.model;
