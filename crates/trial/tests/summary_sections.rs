//! Subgroups and plasma supply in the summary of real runs of the seed protocol: the levels of
//! each subgroup variable partition the trial; a trial whose arms are identical has no true
//! effect in any subgroup; one estimate recomputed by hand from the outcome rows; the supply
//! section against the regimen's arithmetic and ADSL.

use std::collections::BTreeMap;
use trial::datasets::{Dataset, Values};
use trial::results::ShardSpec;
use trial::summary::Summary;

const SEED_PROTOCOL: &str = include_str!("../../../protocols/nct04385043-hyperimmune-plasma.toml");

fn run(patients: u32, edit: impl Fn(String) -> String) -> (Summary, trial::run::TrialOutput) {
    let text = edit(SEED_PROTOCOL.replace("patients = 400", &format!("patients = {patients}")));
    let protocol = protocol::parse_protocol("seed.toml", &text).expect("protocol parses");
    let output = trial::run::simulate_trial(&protocol, ShardSpec::WHOLE, &|| {}, None).unwrap();
    let summary = trial::run::summarise(
        &protocol,
        &output.screening,
        &output.allocation_scheme,
        &output.datasets,
    );
    (summary, output)
}

fn column_f64(d: &Dataset, name: &str) -> Vec<Option<f64>> {
    match &d.column(name).unwrap().values {
        Values::Float(v) => v.clone(),
        Values::Int(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
        Values::Str(_) => panic!("{name} is text"),
    }
}

fn column_str(d: &Dataset, name: &str) -> Vec<String> {
    match &d.column(name).unwrap().values {
        Values::Str(v) => v.iter().map(|x| x.unwrap_or_default().to_owned()).collect(),
        _ => panic!("{name} is not text"),
    }
}

#[test]
fn subgroup_levels_partition_the_trial() {
    let (summary, output) = run(80, |t| t);
    let adsl = &output.datasets.adsl;
    let primary = summary.endpoints.iter().find(|e| e.primary).unwrap();
    let whole: u64 = primary.arms.iter().map(|a| a.n).sum();
    assert_eq!(whole, 80);
    let mut by_variable: BTreeMap<&str, Vec<&trial::summary::Subgroup>> = BTreeMap::new();
    for g in &summary.subgroups {
        assert_eq!(g.endpoint, primary.name);
        assert_eq!(g.measure, "risk_difference");
        assert_eq!(g.n, g.n_arm + g.n_reference);
        by_variable.entry(&g.subgroup).or_default().push(g);
    }
    let variables: Vec<&str> = by_variable.keys().copied().collect();
    assert_eq!(
        variables,
        [
            "Age",
            "Baseline support",
            "Days since onset",
            "Delivered dose",
            "Serostatus"
        ]
    );
    for (variable, levels) in &by_variable {
        if *variable == "Delivered dose" {
            continue;
        }
        let n: u64 = levels.iter().map(|g| g.n).sum();
        assert_eq!(n, whole, "{variable}");
    }
    // Dose tertiles: the treated patients split at the 1/3 and 2/3 quantiles (R type 7) of
    // their delivered doses (doses tie: donor titers are 2-fold dilution steps), each tertile
    // against every control patient.
    let tertiles = &by_variable["Delivered dose"];
    assert!(!tertiles.is_empty() && tertiles.len() <= 3);
    let plasma_arm = &primary.arms[0];
    let control_arm = &primary.arms[1];
    let mut doses: Vec<f64> = column_f64(adsl, "PLNABDOS")
        .into_iter()
        .flatten()
        .filter(|&d| d > 0.0)
        .collect();
    doses.sort_by(f64::total_cmp);
    let treated = doses.len() as u64;
    assert_eq!(treated, plasma_arm.n, "everyone on plasma received some");
    let quantile = |p: f64| {
        let h = (doses.len() - 1) as f64 * p;
        doses[h as usize]
            + h.fract() * (doses[(h as usize + 1).min(doses.len() - 1)] - doses[h as usize])
    };
    let (q1, q2) = (quantile(1.0 / 3.0), quantile(2.0 / 3.0));
    let count = |lo: f64, hi: f64| doses.iter().filter(|&&d| d > lo && d <= hi).count() as u64;
    let expected = [
        count(f64::NEG_INFINITY, q1),
        count(q1, q2),
        count(q2, f64::INFINITY),
    ];
    let got: Vec<u64> = tertiles.iter().map(|g| g.n_arm).collect();
    // A tertile left empty by ties is not reported.
    let nonempty: Vec<u64> = expected.into_iter().filter(|&n| n > 0).collect();
    assert_eq!(got, nonempty);
    assert_eq!(got.iter().sum::<u64>(), treated);
    for g in tertiles {
        assert_eq!(g.n_reference, control_arm.n);
    }
}

#[test]
fn identical_arms_have_no_true_effect_in_any_subgroup() {
    let (summary, _) = run(40, |t| {
        t.replace(
            r#"regimens = ["standard_therapy", "hyperimmune_plasma"]"#,
            r#"regimens = ["standard_therapy"]"#,
        )
    });
    assert!(summary.subgroups.len() >= 5);
    for g in &summary.subgroups {
        assert_eq!(g.twin_estimate, Some(0.0), "{} {}", g.subgroup, g.level);
    }
}

/// Risk difference of day-28 death among patients randomized within 7 days of onset, and the
/// twin difference, from the outcome rows and ADSL.
#[test]
fn early_treatment_subgroup_matches_a_hand_count() {
    let (summary, output) = run(80, |t| t);
    let adsl = &output.datasets.adsl;
    let early: BTreeMap<String, bool> = column_str(adsl, "USUBJID")
        .into_iter()
        .zip(column_f64(adsl, "ONSDUR"))
        .map(|(id, onset)| (id, onset.unwrap() <= 7.0))
        .collect();
    let outcomes = &output.datasets.outcomes;
    let ids = column_str(outcomes, "USUBJID");
    let arms = column_f64(outcomes, "ARMN");
    let randomized = column_str(outcomes, "RANDFL");
    let death = column_f64(outcomes, "death_d28");
    // (deaths, patients) per arm among randomized courses; twin deaths per arm.
    let mut counts = [(0.0, 0.0); 2];
    let mut twin = [0.0; 2];
    let mut twin_patients = 0.0;
    for i in 0..outcomes.rows() {
        if !early[&ids[i]] {
            continue;
        }
        let a = arms[i].unwrap() as usize - 1;
        let died = death[i].unwrap();
        twin[a] += died;
        if a == 0 {
            twin_patients += 1.0;
        }
        if randomized[i] == "Y" {
            counts[a].0 += died;
            counts[a].1 += 1.0;
        }
    }
    let by_hand = counts[0].0 / counts[0].1 - counts[1].0 / counts[1].1;
    let twin_by_hand = (twin[0] - twin[1]) / twin_patients;
    let g = summary
        .subgroups
        .iter()
        .find(|g| g.subgroup == "Days since onset" && g.level == "≤ 7 days")
        .unwrap();
    assert_eq!(
        (g.n_arm, g.n_reference),
        (counts[0].1 as u64, counts[1].1 as u64)
    );
    assert!(
        (g.estimate.unwrap() - by_hand).abs() < 1e-12,
        "{g:?} vs {by_hand}"
    );
    assert!((g.twin_estimate.unwrap() - twin_by_hand).abs() < 1e-12);
    let [lo, hi] = g.ci;
    assert!(lo.unwrap() < by_hand && by_hand < hi.unwrap());
}

#[test]
fn supply_plans_the_simulated_enrollment_and_reports_delivered_doses() {
    let (summary, output) = run(40, |t| t);
    let supply = summary.supply.expect("the seed protocol gives plasma");
    assert_eq!(supply.regimens.len(), 1);
    let plan = &supply.regimens[0];
    // 40 patients 1:1 → 20 on plasma; 2 administrations of one unit each → 40 units.
    assert_eq!(plan.patients, 20);
    assert_eq!(plan.units_needed, 40.0);
    assert!(plan.units_collected >= 40.0);
    assert!(plan.donations <= plan.donors_screened);
    // Hyperimmune plasma is a product of known titer (the donor median, 1:320 ≥ the 1:160
    // threshold): every eligible donor's unit qualifies.
    assert_eq!(plan.share_qualifying, 1.0);
    // Delivered dose: every treated patient's PLNABDOS; median of an even count is the mean
    // of the middle two.
    let mut doses: Vec<f64> = column_f64(&output.datasets.adsl, "PLNABDOS")
        .into_iter()
        .flatten()
        .filter(|&d| d > 0.0)
        .collect();
    doses.sort_by(f64::total_cmp);
    let spread = supply.delivered_id50_ml.unwrap();
    assert_eq!(spread.n, 20);
    assert_eq!(spread.median, (doses[9] + doses[10]) / 2.0);
    assert!(spread.q1 <= spread.median && spread.median <= spread.q3);
    // Without plasma in any arm there is no supply section.
    let (no_plasma, _) = run(20, |t| {
        t.replace(
            r#"regimens = ["standard_therapy", "hyperimmune_plasma"]"#,
            r#"regimens = ["standard_therapy"]"#,
        )
    });
    assert!(no_plasma.supply.is_none());
}

/// A replicate trial contributes its primary comparison, computed from the outcome table alone;
/// it is the one the full summary reports.
#[test]
fn replicate_primary_comparison_equals_the_full_summarys() {
    let text = SEED_PROTOCOL.replace("patients = 400", "patients = 60");
    let protocol = protocol::parse_protocol("seed.toml", &text).expect("protocol parses");
    let (summary, output) = run(60, |t| t);
    let full = trial::summary::primary_comparison(&summary).expect("a primary comparison");
    let alone = trial::summary::primary_comparison_of(&protocol, &output.datasets.outcomes)
        .expect("a primary comparison");
    assert_eq!(alone, full);
    assert!(full.1.is_some() && full.2.is_some(), "{full:?}");
}
