// The HarmonIJ demo in ImageJ: simulates a small 3-site cohort, harmonises it with ComBat and
// shows the original and harmonised cohorts (one display range: flip between them), the
// differences (harmonised minus original) and the mean difference per site, and the summary.
// Run: harmonij gui -macro macros/demo.ijm /path/to/empty/folder
// (or open it in ImageJ/Fiji with HarmonIJ installed and run it; it asks for a folder).
dir = getArgument();
if (dir == "") dir = getDirectory("Choose an empty folder for the demo");
run("Simulate Multi-site Cohort...", "out=[" + dir + "/cohort] subjects=24 sites=3 seed=1 resolution=2");
// Outside batch mode, the menu command shows its results when it has finished.
run("Harmonise Cohort (ComBat)...", "manifest=[" + dir + "/cohort/cohort.csv] batch=site covariates=[age,sex,group] categorical=[sex,group] mask=[" + dir + "/cohort/mask.nii.gz] eb=parametric site_effects interest=age out=[" + dir + "/combat]");
showStatus("HarmonIJ demo: results in " + dir);
