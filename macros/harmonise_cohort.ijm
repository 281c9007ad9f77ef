// Simulates a small multi-site cohort and harmonises it with ComBat, then with linear regression.
// Run: harmonij macro macros/harmonise_cohort.ijm /path/to/empty/folder
// (or open it in ImageJ/Fiji with HarmonIJ installed and set `dir` below).
dir = getArgument();
if (dir == "") dir = getDirectory("Choose an empty folder for the demo");
run("Simulate Multi-site Cohort...", "out=[" + dir + "/cohort] subjects=24 sites=3 seed=1 resolution=2");
options = "manifest=[" + dir + "/cohort/cohort.csv] batch=site covariates=[age,sex,group] categorical=[sex,group] mask=[" + dir + "/cohort/mask.nii.gz]";
run("Harmonise Cohort (ComBat)...", options + " eb=parametric out=[" + dir + "/combat]");
run("Harmonise Cohort (Linear Regression)...", options + " out=[" + dir + "/regress]");
print("ComBat summary: " + dir + "/combat/summary.csv");
print(File.openAsString(dir + "/combat/summary.csv"));
