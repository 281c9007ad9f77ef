// SPDX-License-Identifier: MIT
/**
 * What the user brings, read into what the models take: cohort manifests for voxelwise
 * harmonisation ({@link io.github.harmonij.cohort.CohortManifest}), tables of regional features
 * ({@link io.github.harmonij.cohort.FeatureTable}), the coding of covariates (categorical levels,
 * natural splines: {@link io.github.harmonij.cohort.Covariates}, {@link
 * io.github.harmonij.cohort.CovariateCoding}), the model's specification ({@link
 * io.github.harmonij.cohort.ModelSpec}) and the cohort matrix in memory or spilled to disk
 * ({@link io.github.harmonij.cohort.CohortMatrix}). Files only through {@code io}; no GUI. The
 * message conventions are those of {@code io} (rows as a spreadsheet numbers them, every problem
 * collected first, nothing overwritten).
 */
package io.github.harmonij.cohort;
