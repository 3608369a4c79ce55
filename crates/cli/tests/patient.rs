//! `immunotrial patient` end to end: formats, exit statuses, the plot.

use std::process::Command;

fn immunotrial(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_immunotrial"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn csv_has_one_row_per_day_and_the_documented_columns() {
    let out = immunotrial(&[
        "patient",
        "--phenotype",
        "severe",
        "--age",
        "70",
        "--days",
        "28",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for col in [
        "day",
        "viral_load_log10",
        "il6_pg_ml",
        "lymphocytes_1e9_l",
        "titer_id50",
        "lung_injury",
        "pf_ratio",
        "spo2",
        "who_score",
        "death_probability",
    ] {
        assert!(header.contains(&col), "missing column {col}");
    }
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 29);
    let day_col = header.iter().position(|c| *c == "day").unwrap();
    let who_col = header.iter().position(|c| *c == "who_score").unwrap();
    let peak = rows
        .iter()
        .map(|r| r.split(',').nth(who_col).unwrap().parse::<u8>().unwrap())
        .max();
    assert!(matches!(peak, Some(5..=7)), "severe WHO peak {peak:?}");
    assert_eq!(rows[28].split(',').nth(day_col), Some("28"));
}

#[test]
fn json_rows_carry_the_same_columns() {
    let out = immunotrial(&[
        "patient",
        "--phenotype",
        "mild",
        "--days",
        "10",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 11);
    assert!(rows.iter().all(|r| r["pf_ratio"].as_f64().unwrap() > 300.0));
    assert!(
        doc["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "onset")
    );
}

#[test]
fn unknown_parameter_is_bad_input_with_a_suggestion() {
    let out = immunotrial(&["patient", "--set", "f_inf=0.1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `f_ifn`"), "{err}");
}

#[test]
fn out_of_bounds_and_malformed_values_are_bad_input() {
    for set in ["f_ifn=3", "f_ifn=abc", "f_ifn"] {
        let out = immunotrial(&["patient", "--set", set]);
        assert_eq!(out.status.code(), Some(2), "--set {set}");
    }
    let out = immunotrial(&["patient", "--age", "7"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn set_changes_the_course() {
    let pf_nadir = |args: &[&str]| {
        let out = immunotrial(args);
        assert!(out.status.success());
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["summary"]["pf_nadir"].as_f64().unwrap()
    };
    let base = pf_nadir(&["patient", "--phenotype", "severe", "--format", "json"]);
    let worse = pf_nadir(&[
        "patient",
        "--phenotype",
        "severe",
        "--set",
        "s_myeloid=1.5",
        "--format",
        "json",
    ]);
    assert!(worse < base, "{worse} vs {base}");
}

#[test]
fn plot_writes_an_svg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("course.svg");
    let out = immunotrial(&["patient", "--days", "20", "--plot", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("PaO2/FiO2"));
}
