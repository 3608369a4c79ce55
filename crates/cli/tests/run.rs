//! `immunotrial run` and `immunotrial merge` through the built binary: thread and shard
//! invariance (byte comparison), counterfactual twins, CONSORT arithmetic and a pinned small
//! trial.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn immunotrial(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_immunotrial"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn seed_protocol() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join("protocols/nct04385043-hyperimmune-plasma.toml")).unwrap()
}

/// The seed protocol with `patients` patients, written into `dir`.
fn small_protocol(dir: &Path, patients: u32, edit: impl Fn(String) -> String) -> String {
    let text = seed_protocol().replace("patients = 400", &format!("patients = {patients}"));
    assert!(text.contains(&format!("patients = {patients}")));
    let path = dir.join("small.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path.display().to_string()
}

/// The rows of a CSV file as maps from column name to text.
fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

const COMPARED: &[&str] = &[
    "adsl.csv",
    "adtte.csv",
    "adcps.csv",
    "adlb.csv",
    "adae.csv",
    "outcomes.csv",
    "summary.json",
    "adsl.parquet",
    "adae.parquet",
];

fn same_files(a: &Path, b: &Path) {
    for name in COMPARED {
        let x = std::fs::read(a.join(name)).unwrap();
        let y = std::fs::read(b.join(name)).unwrap();
        assert!(
            x == y,
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn results_do_not_depend_on_threads_or_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let protocol = small_protocol(d, 48, |t| t);
    for (args, _) in [
        (vec!["--threads", "1", "--out", "t1"], ()),
        (vec!["--threads", "2", "--out", "t2"], ()),
        (vec!["--shard", "1/3", "--out", "s1"], ()),
        (vec!["--shard", "0/3", "--out", "s0"], ()),
        (vec!["--shard", "2/3", "--out", "s2"], ()),
    ] {
        let mut all = vec!["run", protocol.as_str(), "--quiet"];
        all.extend(args);
        ok(&immunotrial(d, &all));
    }
    ok(&immunotrial(
        d,
        &["merge", "s2", "s0", "s1", "--out", "merged"],
    ));
    same_files(&d.join("t1"), &d.join("t2"));
    same_files(&d.join("t1"), &d.join("merged"));
    // A shard holds only its own patients.
    let shard = std::fs::read_to_string(d.join("s1/adsl.csv")).unwrap();
    let whole = std::fs::read_to_string(d.join("t1/adsl.csv")).unwrap();
    assert!(shard.lines().count() < whole.lines().count());
}

#[test]
fn twin_effect_is_null_when_both_arms_get_the_same_regimens() {
    let dir = tempfile::tempdir().unwrap();
    let protocol = small_protocol(dir.path(), 40, |t| {
        t.replace(
            "regimens = [\"standard_therapy\", \"hyperimmune_plasma\"]",
            "regimens = [\"standard_therapy\"]",
        )
    });
    ok(&immunotrial(
        dir.path(),
        &["run", &protocol, "--quiet", "--out", "out"],
    ));
    let s = summary(&dir.path().join("out"));
    let mut checked = 0;
    for e in s["endpoints"].as_array().unwrap() {
        for c in e["comparisons"].as_array().unwrap() {
            let Some(twin) = c["twin_estimate"].as_f64() else {
                continue;
            };
            let null = match c["measure"].as_str().unwrap() {
                "risk_difference" | "mean_difference" => 0.0,
                _ => 1.0,
            };
            assert!(
                (twin - null).abs() < 1e-9,
                "{} {}: twin {twin}",
                e["name"],
                c["measure"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} twin estimates");
}

#[test]
fn screening_counts_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let protocol = small_protocol(dir.path(), 30, |t| t);
    ok(&immunotrial(
        dir.path(),
        &["run", &protocol, "--quiet", "--out", "out"],
    ));
    let s = summary(&dir.path().join("out"));
    let c = &s["consort"];
    let excluded: u64 = c["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["n"].as_u64().unwrap())
        .sum();
    let screened = c["screened"].as_u64().unwrap();
    let randomized = c["randomized"].as_u64().unwrap();
    assert_eq!(randomized, 30);
    assert_eq!(screened, randomized + excluded);
    assert!(excluded > 0, "the seed protocol's criteria exclude someone");
    let allocated: u64 = c["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["allocated"].as_u64().unwrap())
        .sum();
    assert_eq!(allocated, randomized);
    let adsl = std::fs::read_to_string(dir.path().join("out/adsl.csv")).unwrap();
    assert_eq!(adsl.lines().count() as u64, randomized + 1);
}

/// A small trial whose primary result is pinned. The numbers were produced once by running
/// this test's protocol (seed protocol, 40 patients, seed 11) with the engine at the commit
/// that added the test, and copied from its summary.json. They are not independent of the
/// code: they guard against unnoticed changes. A change to any of them needs a reason (a model,
/// population, therapy or engine change that is expected to move them) in the commit message.
#[test]
fn golden_small_trial() {
    let dir = tempfile::tempdir().unwrap();
    let protocol = small_protocol(dir.path(), 40, |t| t);
    ok(&immunotrial(
        dir.path(),
        &["run", &protocol, "--seed", "11", "--quiet", "--out", "out"],
    ));
    let s = summary(&dir.path().join("out"));
    let primary = s["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["primary"] == true)
        .unwrap();
    let arms: Vec<(u64, u64)> = primary["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["n"].as_u64().unwrap(), a["events"].as_u64().unwrap()))
        .collect();
    let screened = s["consort"]["screened"].as_u64().unwrap();
    let rd = &primary["comparisons"][0];
    let pinned = GOLDEN;
    assert_eq!(arms, pinned.arms, "arms (n, deaths)");
    assert_eq!(screened, pinned.screened);
    let close = |x: &Value, y: f64| (x.as_f64().unwrap() - y).abs() < 1e-9;
    assert!(close(&rd["estimate"], pinned.risk_difference), "{rd}");
    assert!(
        close(&rd["twin_estimate"], pinned.twin_risk_difference),
        "{rd}"
    );
}

struct Golden {
    arms: [(u64, u64); 2],
    screened: u64,
    risk_difference: f64,
    twin_risk_difference: f64,
}

/// Pinned values (3/20 vs 6/20 deaths: risk difference −0.15; twins 0).
const GOLDEN: Golden = Golden {
    arms: [(20, 3), (20, 6)],
    screened: 147,
    risk_difference: -0.15,
    twin_risk_difference: 0.0,
};

#[test]
fn bad_shard_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = immunotrial(dir.path(), &["run", "--shard", "3/2", "--out", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn lost_patients_are_censored_at_the_loss_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let protocol = small_protocol(dir.path(), 40, |t| {
        t.replace(
            "follow_up_days = 28",
            "follow_up_days = 28\nloss_to_follow_up = { rate_per_day = 0.03 }",
        )
    });
    ok(&immunotrial(
        dir.path(),
        &["run", &protocol, "--quiet", "--out", "out"],
    ));
    let out = dir.path().join("out");
    let parsed =
        protocol::parse_protocol("p", &std::fs::read_to_string(&protocol).unwrap()).unwrap();
    let seed = parsed.simulation.seed;
    let csv = |name: &str| csv_rows(&out.join(name));
    let adsl = csv("adsl.csv");
    let adtte = csv("adtte.csv");
    let adcps = csv("adcps.csv");
    let mut lost = 0;
    for subject in &adsl {
        let id: u64 = subject["SUBJID"].parse().unwrap();
        let usubjid = &subject["USUBJID"];
        let Some(t) = trial::simulate::loss_time(&parsed, seed, id) else {
            assert_ne!(subject["DCSREAS"], "LOST TO FOLLOW-UP");
            continue;
        };
        if subject["DCSREAS"] == "DEATH" {
            // Died before the loss time: not lost.
            assert!(subject["DTHDT"].parse::<f64>().unwrap() <= t.floor() + 1.0);
            continue;
        }
        lost += 1;
        assert_eq!(subject["DCSREAS"], "LOST TO FOLLOW-UP");
        let eos: i64 = subject["EOSDT"].parse().unwrap();
        assert_eq!(
            eos,
            t.floor() as i64 + 1,
            "EOSDT is the study day of the loss"
        );
        let os = adtte
            .iter()
            .find(|r| &r["USUBJID"] == usubjid && r["PARAMCD"] == "OS28")
            .unwrap();
        assert_eq!(os["CNSR"], "2");
        assert_eq!(os["EVNTDESC"], "LOST TO FOLLOW-UP");
        assert!((os["AVAL"].parse::<f64>().unwrap() - t).abs() < 1e-9);
        let last_score_day = adcps
            .iter()
            .filter(|r| &r["USUBJID"] == usubjid)
            .map(|r| r["ADY"].parse::<i64>().unwrap())
            .max()
            .unwrap();
        assert!(last_score_day <= eos, "no WHO score after the loss");
    }
    assert!(lost >= 5, "rate 0.03/day over 28 days loses ~ half: {lost}");
    let s = summary(&out);
    let counted: u64 = s["consort"]["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["lost_to_follow_up"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, lost);
    // The primary endpoint (death by day 28, binary) is complete-case: analysed < allocated.
    for arm in s["consort"]["arms"].as_array().unwrap() {
        let allocated = arm["allocated"].as_u64().unwrap();
        let analysed = arm["analysed"].as_u64().unwrap();
        assert_eq!(
            analysed + arm["lost_to_follow_up"].as_u64().unwrap(),
            allocated
        );
    }
}

#[test]
fn free_days_endpoints_match_the_daily_who_scores() {
    let dir = tempfile::tempdir().unwrap();
    let extra = "\n[[endpoint]]\nname = \"osfd\"\nkind = \"ordinal\"\nmeasure = \"organ_support_free_days\"\nday = 21\n\
                 \n[[endpoint]]\nname = \"vfd\"\nkind = \"continuous\"\nmeasure = \"ventilator_free_days\"\nday = 28\n";
    let protocol = small_protocol(dir.path(), 30, |t| {
        t.replace("\n[analysis]", &format!("{extra}\n[analysis]"))
    });
    ok(&immunotrial(
        dir.path(),
        &["run", &protocol, "--quiet", "--out", "out"],
    ));
    let out = dir.path().join("out");
    let rows = |name: &str| csv_rows(&out.join(name));
    // Daily WHO scores by subject (ADY = trial day + 1) and deaths, from the datasets.
    let mut scores: std::collections::BTreeMap<String, Vec<(i64, f64)>> = Default::default();
    for r in rows("adcps.csv") {
        scores
            .entry(r["USUBJID"].clone())
            .or_default()
            .push((r["ADY"].parse().unwrap(), r["AVAL"].parse().unwrap()));
    }
    let death: std::collections::BTreeMap<String, Option<i64>> = rows("adsl.csv")
        .into_iter()
        .map(|r| (r["USUBJID"].clone(), r["DTHDT"].parse().ok()))
        .collect();
    let mut checked = 0;
    for rec in rows("outcomes.csv") {
        if rec["RANDFL"] != "Y" {
            continue;
        }
        let days = &scores[&rec["USUBJID"]];
        let free = |n: i64, below: f64| {
            days.iter()
                .filter(|&&(d, w)| (2..=n + 1).contains(&d) && w < below)
                .count() as f64
        };
        let died = death[&rec["USUBJID"]];
        let expected_osfd = if died.is_some() { -1.0 } else { free(21, 6.0) };
        // Study day of death ≤ 29 ⇔ dead by trial day 28.
        let expected_vfd = if died.is_some_and(|d| d <= 29) {
            0.0
        } else {
            free(28, 7.0)
        };
        assert_eq!(
            rec["osfd"].parse::<f64>().unwrap(),
            expected_osfd,
            "{}",
            rec["USUBJID"]
        );
        assert_eq!(
            rec["vfd"].parse::<f64>().unwrap(),
            expected_vfd,
            "{}",
            rec["USUBJID"]
        );
        checked += 1;
    }
    assert_eq!(checked, 30);
    let s = summary(&out);
    for name in ["osfd", "vfd"] {
        let e = s["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap();
        let n: u64 = e["arms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["n"].as_u64().unwrap())
            .sum();
        assert_eq!(n, 30, "{name}");
        assert!(
            e["comparisons"][0]["estimate"].as_f64().is_some(),
            "{name}: {e}"
        );
    }
}

#[test]
fn the_realised_start_delay_is_in_adsl() {
    let dir = tempfile::tempdir().unwrap();
    let delay = "start_delay = { distribution = \"gamma\", shape = 2, scale_days = 0.5 }";
    let protocol = small_protocol(dir.path(), 20, |t| {
        t.replacen("[regimen.plasma]", &format!("{delay}\n[regimen.plasma]"), 1)
    });
    ok(&immunotrial(
        dir.path(),
        &["run", &protocol, "--quiet", "--out", "out"],
    ));
    let parsed =
        protocol::parse_protocol("p", &std::fs::read_to_string(&protocol).unwrap()).unwrap();
    let spec = protocol::schema::StartDelay::Gamma {
        shape: 2.0,
        scale_days: 0.5,
    };
    let plasma_arm = &parsed.arms[0].label;
    assert!(plasma_arm.contains("plasma"), "{plasma_arm}");
    let mut delayed = 0;
    for r in csv_rows(&dir.path().join("out/adsl.csv")) {
        let id: u64 = r["SUBJID"].parse().unwrap();
        if &r["TRT01P"] == plasma_arm {
            let u = trial::regimens::delay_uniform(parsed.simulation.seed, id);
            let expected = trial::regimens::start_delay_days(&spec, u);
            let got: f64 = r["TRTDELAY"].parse().unwrap();
            assert!((got - expected).abs() < 1e-9, "{id}: {got} vs {expected}");
            assert!(got > 0.0);
            delayed += 1;
        } else {
            assert_eq!(r["TRTDELAY"], "", "the control arm has no delayed regimen");
        }
    }
    assert_eq!(delayed, 10);
}
