//! The subcommands end to end, on the bundled protocols and the registry fixtures.

use std::path::PathBuf;
use std::process::{Command, Output};

fn run_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_immunotrial"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bundled() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("protocols"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    files
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_bundled_protocol_validates() {
    let files = bundled();
    assert_eq!(files.len(), 3);
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let out = run_in(&root(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("OK ")).count(),
        3,
        "{stdout}"
    );
}

#[test]
fn run_without_a_protocol_uses_the_built_in_seed_trial_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &["run", "--dry-run", "--seed", "7", "--threads", "2"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan = text(&out.stdout);
    for wanted in [
        "NCT04385043",
        "400 virtual patients",
        "seed 7",
        "2 thread(s)",
        "include if  age in [18, 60]",
        "Arms (allocation 1:1)",
        "hyperimmune plasma, 2 unit(s) x 300 mL",
        "units >= 160 ID50",
        "days 0, 2 after randomization",
        "primary   death_d28",
        "Dry run",
    ] {
        assert!(plan.contains(wanted), "missing {wanted:?} in\n{plan}");
    }
}

#[test]
fn every_bundled_protocol_runs_end_to_end_and_dry_run_prints_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    for file in bundled() {
        let out_dir = dir.path().join(PathBuf::from(&file).file_stem().unwrap());
        let out_arg = out_dir.display().to_string();
        let out = run_in(&root(), &["run", &file, "--quiet", "--out", &out_arg]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out.stderr));
        for name in [
            "protocol.toml",
            "manifest.json",
            "summary.json",
            "parameters.csv",
            "adsl.csv",
            "adtte.csv",
            "adcps.csv",
            "adlb.csv",
            "adae.csv",
        ] {
            assert!(out_dir.join(name).is_file(), "{file}: no {name}");
        }
        let plan = run_in(&root(), &["run", &file, "--dry-run"]);
        assert!(text(&plan.stdout).contains("Endpoints"), "{file}");
    }
    let msc = run_in(
        &root(),
        &["run", "protocols/nct04467047-msc-phase1.toml", "--dry-run"],
    );
    assert!(text(&msc.stdout).contains("MSC (bone_marrow), 1 infusion(s) of 1.0e6 cells/kg"));
}

#[test]
fn run_rejects_a_zero_thread_count_as_bad_input() {
    let out = run_in(&root(), &["run", "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn imported_records_are_written_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("crates/protocol/tests/fixtures");
    for name in [
        "NCT04385043.partial-v2.json",
        "NCT04321421.partial-v2.json",
        "NCT04467047.partial-v2.json",
    ] {
        let output = dir.path().join(name.replace(".json", ".toml"));
        let record = fixtures.join(name);
        let out = run_in(
            dir.path(),
            &[
                "import-ctgov",
                record.to_str().unwrap(),
                "-o",
                output.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let check = run_in(dir.path(), &["validate", output.to_str().unwrap()]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{name}: {}",
            text(&check.stderr)
        );
        assert!(
            std::fs::read_to_string(&output)
                .unwrap()
                .contains("ASSUMPTION")
        );
    }
    // to standard output
    let out = run_in(
        dir.path(),
        &[
            "import-ctgov",
            fixtures
                .join("NCT04467047.partial-v2.json")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(text(&out.stdout).starts_with("# Imported from ClinicalTrials.gov record NCT04467047"));
}

#[test]
fn a_file_that_is_not_a_record_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    std::fs::write(&path, "{\"studies\": []}").unwrap();
    let out = run_in(dir.path(), &["import-ctgov", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no `protocolSection`"));
}

#[test]
fn help_reads_like_a_man_page_and_every_subcommand_has_examples() {
    let out = run_in(&root(), &["--help"]);
    let help = text(&out.stdout);
    for section in [
        "Commands:",
        "validate",
        "import-ctgov",
        "FILES:",
        "EXIT STATUS:",
        "EXAMPLES:",
    ] {
        assert!(help.contains(section), "missing {section} in\n{help}");
    }
    for sub in ["validate", "run", "import-ctgov"] {
        let out = run_in(&root(), &[sub, "--help"]);
        assert!(
            text(&out.stdout).contains("EXAMPLES:"),
            "{sub} --help has no examples"
        );
    }
    let version = run_in(&root(), &["--version"]);
    assert!(text(&version.stdout).starts_with("immunotrial "));
}
