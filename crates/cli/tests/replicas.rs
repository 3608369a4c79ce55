//! `check-replicas` and `calibrate` end to end, on reduced runs of the bundled replicas.

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_immunotrial"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn replica_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("protocols/replicas"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The `[validation]` table of a replica file, read with the TOML parser alone.
fn published(name: &str) -> toml::Table {
    let path = root().join(format!("protocols/replicas/{name}.toml"));
    let file: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["validation"].as_table().unwrap().clone()
}

#[test]
fn every_replica_validates() {
    let files = replica_files();
    assert_eq!(files.len(), 10, "{files:?}");
    let mut args = vec!["validate".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("OK ").count(), 10);
}

#[test]
fn json_echoes_the_published_numbers_and_compares_them() {
    let names = ["perotti-hyperimmune-plasma", "recovery-dexamethasone-imv"];
    let out = run(&[
        "check-replicas",
        "--only",
        names[0],
        "--only",
        names[1],
        "--patients",
        "60",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().expect("a JSON array");
    assert_eq!(rows.len(), 2);
    for (row, name) in rows.iter().zip(names) {
        for key in [
            "replica",
            "measure",
            "published",
            "ci",
            "simulated",
            "inside",
        ] {
            assert!(row.get(key).is_some(), "{key} missing in {row}");
        }
        assert_eq!(row["replica"], name);
        let file = published(name);
        assert_eq!(row["measure"].as_str(), file["measure"].as_str());
        assert_eq!(row["published"].as_f64(), file["estimate"].as_float());
        let ci: Vec<f64> = file["ci"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_float().unwrap())
            .collect();
        let row_ci: Vec<f64> = row["ci"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(row_ci, ci);
        // `inside` is the comparison of the simulated value with the published interval.
        let sim = row["simulated"].as_f64().unwrap();
        let one_sided = row["ci_kind"] == "upper_one_sided_90";
        let inside = sim <= ci[1] && (one_sided || sim >= ci[0]);
        assert_eq!(row["inside"].as_bool(), Some(inside), "{row}");
        let mc = row["mc_ci"].as_array().unwrap();
        assert!(mc[0].as_f64().unwrap() <= sim && sim <= mc[1].as_f64().unwrap());
        assert_eq!(row["patients"], 60);
    }
    // The single-arm share is a number of deaths out of 60.
    let share = rows[0]["simulated"].as_f64().unwrap() * 60.0;
    assert!((share - share.round()).abs() < 1e-9, "{share}");
}

#[test]
fn results_do_not_depend_on_threads_and_overrides_matter() {
    let base = [
        "check-replicas",
        "--only",
        "recovery-dexamethasone-no-oxygen",
        "--patients",
        "40",
        "--format",
        "json",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        out.stdout
    };
    assert_eq!(with(&["--threads", "1"]), with(&["--threads", "2"]));
    // A 50-fold baseline hazard kills more patients in both arms.
    let risks = |bytes: Vec<u8>| -> Vec<f64> {
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        v[0]["arm_risks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let (low, high) = (risks(with(&[])), risks(with(&["--set", "h0=0.1"])));
    assert!(high[0] > low[0] && high[1] > low[1], "{low:?} {high:?}");
}

#[test]
fn bad_overrides_and_names_are_input_errors() {
    for args in [
        ["check-replicas", "--set", "h0=7"],
        ["check-replicas", "--set", "no_such=1"],
        ["check-replicas", "--only", "no-such-replica"],
    ] {
        let out = run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn markdown_and_svg() {
    let svg = std::env::temp_dir().join(format!("replicas-{}.svg", std::process::id()));
    let svg_arg = svg.display().to_string();
    let out = run(&[
        "check-replicas",
        "--only",
        "recovery-dexamethasone-no-oxygen",
        "--patients",
        "30",
        "--format",
        "markdown",
        "--svg",
        &svg_arg,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(md.starts_with("| replica | measure | published |"), "{md}");
    assert!(md.contains("| recovery-dexamethasone-no-oxygen | risk_ratio | 1.190 | 0.920-1.550 |"));
    let drawing = std::fs::read_to_string(&svg).unwrap();
    assert!(drawing.starts_with("<svg"));
    assert!(drawing.contains("recovery-dexamethasone-no-oxygen: published 1.190"));
    std::fs::remove_file(svg).ok();
}

#[test]
fn calibrate_writes_a_bounded_fitted_set() {
    let out = run(&[
        "calibrate",
        "--patients",
        "20",
        "--max-evaluations",
        "4",
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fitted: toml::Table = toml::from_str(&text(&out.stdout)).unwrap();
    let parameters = fitted["parameters"].as_table().unwrap();
    for (name, lo, hi) in [
        ("h0", 0.0, 0.1),
        ("theta_pf", 0.0, 3.0),
        ("imax_dex_myeloid", 0.0, 1.0),
        ("phi_lung", 0.001, 1.0),
    ] {
        let v = parameters[name].as_float().unwrap();
        assert!((lo..=hi).contains(&v), "{name} = {v}");
    }
    assert!(text(&out.stdout).contains("# loss per target"));
}
