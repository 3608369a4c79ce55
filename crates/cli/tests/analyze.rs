//! `immunotrial analyze --data` on R's `lung` dataset (exported by
//! crates/stats/tests/r/survival_binary.R with status recoded 0/1), checked against the numbers
//! R prints for
//!   survfit(Surv(time, status) ~ sex, lung, conf.type = "log-log")
//!   survdiff(Surv(time, status) ~ sex, lung)
//!   coxph(Surv(time, status) ~ sex + age, lung)
//! and the exit status on bad data.

use std::process::Command;

use serde_json::Value;

const LUNG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../stats/tests/fixtures/lung.csv"
);

fn immunotrial(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_immunotrial"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `got` agrees with a number R printed to `printed_decimals` decimals.
fn printed(what: &str, got: &Value, r_printed: f64, printed_decimals: i32) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    let half_unit = 0.5 * 10f64.powi(-printed_decimals);
    assert!(
        (got - r_printed).abs() <= half_unit + 1e-12,
        "{what}: got {got}, R prints {r_printed}"
    );
}

#[test]
fn lung_by_sex_matches_r() {
    let out = immunotrial(&[
        "analyze",
        "--data",
        LUNG,
        "--time",
        "time",
        "--event",
        "status",
        "--arm",
        "sex",
        "--covariate",
        "age",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");

    //         n events median 0.95LCL 0.95UCL
    // sex=1 138    112    270     210     306
    // sex=2  90     53    426     345     524
    let km = v["kaplan_meier"].as_array().expect("kaplan_meier array");
    let expected = [
        ("1", 138, 112, 270.0, 210.0, 306.0),
        ("2", 90, 53, 426.0, 345.0, 524.0),
    ];
    for (row, (arm, n, events, median, lo, hi)) in km.iter().zip(expected) {
        assert_eq!(row["arm"], arm);
        assert_eq!(row["n"], n);
        assert_eq!(row["events"], events);
        printed("median", &row["median"], median, 0);
        printed("median lo", &row["median_ci"][0], lo, 0);
        printed("median hi", &row["median_ci"][1], hi, 0);
    }

    //  Chisq= 10.3  on 1 degrees of freedom, p= 0.001
    printed("log-rank chisq", &v["logrank"]["chisq"], 10.3, 1);
    assert_eq!(v["logrank"]["df"], 1);
    printed("log-rank p", &v["logrank"]["p"], 0.001, 3);

    //          coef exp(coef)  se(coef)      z Pr(>|z|)
    // sex -0.513219  0.598566  0.167458 -3.065  0.00218
    // age  0.017045  1.017191  0.009223  1.848  0.06459
    //     exp(coef) exp(-coef) lower .95 upper .95
    // sex    0.5986     1.6707    0.4311    0.8311
    // age    1.0172     0.9831    0.9990    1.0357
    let cox = &v["cox"];
    assert_eq!(cox["ties"], "efron");
    assert_eq!(cox["n"], 228);
    assert_eq!(cox["events"], 165);
    let sex = &cox["terms"][0];
    assert_eq!(sex["name"], "sex=2");
    printed("sex coef", &sex["coef"], -0.513219, 6);
    printed("sex se", &sex["se"], 0.167458, 6);
    printed("sex hr", &sex["hr"], 0.598566, 6);
    printed("sex p", &sex["p"], 0.00218, 5);
    printed("sex lo", &sex["ci"][0], 0.4311, 4);
    printed("sex hi", &sex["ci"][1], 0.8311, 4);
    let age = &cox["terms"][1];
    assert_eq!(age["name"], "age");
    printed("age coef", &age["coef"], 0.017045, 6);
    printed("age p", &age["p"], 0.06459, 5);
    printed("age lo", &age["ci"][0], 0.9990, 4);
    printed("age hi", &age["ci"][1], 1.0357, 4);
    // Likelihood ratio test= 14.12  on 2 df; Wald test = 13.47; Score (logrank) test = 13.72
    printed("LR", &cox["likelihood_ratio"]["chisq"], 14.12, 2);
    printed("Wald", &cox["wald"]["chisq"], 13.47, 2);
    printed("score", &cox["score"]["chisq"], 13.72, 2);
}

#[test]
fn median_not_reached_is_null() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("few_events.csv");
    std::fs::write(
        &path,
        "t,e,arm\n1,1,a\n2,0,a\n3,0,a\n4,0,a\n1,1,b\n2,1,b\n3,1,b\n4,0,b\n",
    )
    .unwrap();
    let out = immunotrial(&[
        "analyze",
        "--data",
        path.to_str().unwrap(),
        "--time",
        "t",
        "--event",
        "e",
        "--arm",
        "arm",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["kaplan_meier"][0]["median"].is_null(),
        "arm a never falls to 0.5"
    );
    // Arm b: S = 0.5 exactly on [2, 3), so the median is the midpoint 2.5 (R prints 2.5).
    assert_eq!(v["kaplan_meier"][1]["median"], 2.5);
}

fn expect_input_error(csv: &str, args: &[&str], must_mention: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, csv).unwrap();
    let mut full = vec!["analyze", "--data", path.to_str().unwrap()];
    full.extend_from_slice(args);
    let out = immunotrial(&full);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit status for bad data; stderr: {err}"
    );
    for word in must_mention {
        assert!(err.contains(word), "message should mention `{word}`: {err}");
    }
}

#[test]
fn bad_data_names_column_and_row_with_exit_status_2() {
    let tea = ["--time", "t", "--event", "e", "--arm", "arm"];
    expect_input_error(
        "t,e,arm\n1,1,a\n2,0,b\n",
        &["--time", "days", "--event", "e", "--arm", "arm"],
        &["days"],
    );
    expect_input_error(
        "t,e,arm\n1,1,a\n-2,0,b\n3,1,b\n",
        &tea,
        &["`t`", "row 2", "negative"],
    );
    expect_input_error(
        "t,e,arm\n1,1,a\n2,2,b\n3,1,b\n",
        &tea,
        &["`e`", "row 2", "0 or 1"],
    );
    expect_input_error("t,e,arm\n1,1,a\n2,1,a\n", &tea, &["`arm`", "one arm"]);
    expect_input_error("t,e,arm\n1,1,a\nx,1,b\n", &tea, &["`t`", "row 2"]);
    expect_input_error("t,e,arm\n1,1,a\n,1,b\n", &tea, &["`t`", "row 2", "missing"]);
}

/// `analyze RESULTS_DIR` recomputes the planned analyses from the saved CSV datasets alone: they
/// must equal what the run itself wrote to summary.json from its in-memory results.
#[test]
fn results_folder_analysis_reproduces_the_runs_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("seed");
    let run = immunotrial(&["run", "--quiet", "--out", out_dir.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap())
            .unwrap();
    let out = immunotrial(&["analyze", out_dir.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let endpoints: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(endpoints, summary["endpoints"]);
    assert!(endpoints.as_array().unwrap().len() >= 2);
}

#[test]
fn a_folder_that_is_not_a_results_folder_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = immunotrial(&["analyze", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a results folder"));
}

/// The same lung data as Parquet (time Float64, status Int32, sex as text, age Int64) gives the
/// same analysis as the CSV.
#[cfg(feature = "parquet")]
#[test]
fn parquet_input_gives_the_csv_results() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
    use parquet::arrow::ArrowWriter;

    let text = std::fs::read_to_string(LUNG).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim_matches('"'))
        .collect();
    let idx = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (it, is, isex, iage) = (idx("time"), idx("status"), idx("sex"), idx("age"));
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let time: Vec<f64> = rows.iter().map(|r| r[it].parse().unwrap()).collect();
    let status: Vec<i32> = rows.iter().map(|r| r[is].parse().unwrap()).collect();
    let sex: Vec<String> = rows.iter().map(|r| r[isex].clone()).collect();
    let age: Vec<i64> = rows.iter().map(|r| r[iage].parse().unwrap()).collect();
    let batch = RecordBatch::try_from_iter([
        ("time", Arc::new(Float64Array::from(time)) as ArrayRef),
        ("status", Arc::new(Int32Array::from(status)) as ArrayRef),
        ("sex", Arc::new(StringArray::from(sex)) as ArrayRef),
        ("age", Arc::new(Int64Array::from(age)) as ArrayRef),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lung.parquet");
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();

    let args = [
        "--time",
        "time",
        "--event",
        "status",
        "--arm",
        "sex",
        "--covariate",
        "age",
        "--format",
        "json",
    ];
    let run = |file: &str| {
        let mut full = vec!["analyze", "--data", file];
        full.extend_from_slice(&args);
        let out = immunotrial(&full);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["data"] = Value::Null;
        v
    };
    assert_eq!(run(path.to_str().unwrap()), run(LUNG));
}

#[test]
fn binary_and_ordinal_endpoints_match_r() {
    // Binary: death (status) by sex, sex = 2 versus sex = 1: 53/90 versus 112/138.
    // R: fisher.test(matrix(c(53, 37, 112, 26), 2, byrow = TRUE))$p.value = 0.0004349142
    //    (53/90)/(112/138) = 0.7255952; chisq.test(..., correct = FALSE) X-squared = 13.51117
    let out = immunotrial(&[
        "analyze", "--data", LUNG, "--arm", "sex", "--binary", "status", "--format", "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["binary"]["comparisons"][0]["result"];
    printed("fisher p", &r["fisher_p"], 0.0004349142, 10);
    printed("risk ratio", &r["risk_ratio"]["estimate"], 0.7255952, 7);
    printed("chisq", &r["chisq"], 13.51117, 5);

    // Ordinal: ECOG performance score by sex, rows with a missing score removed.
    // R: wilcox.test(ph.ecog ~ sex, exact = FALSE): W = 6289.5 (sex 1 as x), p-value = 0.7804
    //    polr(factor(ph.ecog) ~ I(sex == 2)): coefficient -0.07223
    let text = std::fs::read_to_string(LUNG).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let ecog = header
        .split(',')
        .position(|h| h.trim_matches('"') == "ph.ecog")
        .unwrap();
    let sex = header
        .split(',')
        .position(|h| h.trim_matches('"') == "sex")
        .unwrap();
    let kept: Vec<&str> = lines
        .filter(|l| !l.split(',').nth(ecog).unwrap().is_empty())
        .collect();
    let n_female = kept
        .iter()
        .filter(|l| l.split(',').nth(sex) == Some("2"))
        .count() as f64;
    let n_male = kept.len() as f64 - n_female;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lung_ecog.csv");
    std::fs::write(&path, format!("{header}\n{}\n", kept.join("\n"))).unwrap();
    let out = immunotrial(&[
        "analyze",
        "--data",
        path.to_str().unwrap(),
        "--arm",
        "sex",
        "--ordinal",
        "ph.ecog",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["ordinal"]["comparisons"][0];
    // Here x is the sex = 2 arm, so W = n_x n_y − 6289.5.
    printed("W", &c["wilcoxon"]["w"], n_female * n_male - 6289.5, 1);
    printed("wilcoxon p", &c["wilcoxon"]["p"], 0.7804, 4);
    let or = c["proportional_odds"]["odds_ratio"].as_f64().unwrap();
    assert!((or.ln() - (-0.07223)).abs() < 1e-4, "log OR {}", or.ln());
}

#[test]
fn no_events_still_reports_the_curves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("censored.csv");
    std::fs::write(&path, "t,e,arm\n1,0,a\n2,0,a\n3,0,b\n4,0,b\n").unwrap();
    let out = immunotrial(&[
        "analyze",
        "--data",
        path.to_str().unwrap(),
        "--time",
        "t",
        "--event",
        "e",
        "--arm",
        "arm",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["kaplan_meier"][0]["median"].is_null());
    assert_eq!(v["kaplan_meier"][1]["events"], 0);
    assert!(v["logrank"]["error"].is_string(), "{}", v["logrank"]);
    assert!(v["cox"]["error"].is_string(), "{}", v["cox"]);
}
