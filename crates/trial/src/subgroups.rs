//! Subgroup analyses of the primary endpoint (`summary.json` `subgroups`, the report's forest
//! plot): the primary analysis (same measure, 95 % interval) re-run within each level of
//! - age: < 65 / ≥ 65 years (ADSL AGE);
//! - days from symptom onset to randomization: ≤ 7 / > 7 (ADSL ONSDUR);
//! - baseline respiratory support: WHO Clinical Progression Scale ≤ 4 / 5–6 / 7–9 (WHOCPSBL);
//! - serostatus: own neutralising titer at baseline ≥ 1:20 or not (NABBL, trials with plasma);
//! - delivered neutralising dose (PLNABDOS), in tertiles of the patients randomized to a
//!   plasma arm who received plasma: each tertile against all patients of the reference arm.
//!
//! Each row carries the randomized estimate and the twin (true) effect in the subgroup: the
//! same measure on the counterfactual twins of the subgroup's patients. For dose tertiles the
//! twin effect is that of the tertile's treated patients (their own courses with and without
//! plasma), since a control patient has no delivered dose.
//!
//! Computed from the outcomes table and ADSL only, like the rest of the summary, so a merge of
//! shards recomputes the same subgroups.

use crate::datasets::{Column, Dataset, Values};
use crate::summary::{Subgroup, endpoint_summary, reference_arm};
use protocol::Protocol;
use std::collections::BTreeMap;
use therapy::supply::quantile;

/// Age cut, years: the usual older-adult threshold of COVID-19 trial subgroups (RECOVERY,
/// ACTIV). Unit years; fixed.
pub const AGE_CUT_YEARS: f64 = 65.0;
/// Days from symptom onset to randomization separating early from late treatment (issue 7;
/// plasma trials randomize early, within 7 days, to test antiviral benefit). Unit days.
pub const ONSET_CUT_DAYS: f64 = 7.0;
/// Reciprocal neutralising titer (ID50) at or above which a patient counts as seropositive:
/// the lower limit of quantification of common live-virus neutralisation assays (assumption,
/// as in the report's Table 1). Unit ID50.
pub const SEROPOSITIVE_ID50: f64 = 20.0;
/// Baseline WHO score bands: (lowest, highest, label) — no oxygen or low-flow oxygen;
/// high-flow or non-invasive ventilation; mechanical ventilation (WHO 2020 scale).
pub const WHO_BANDS: [(i64, i64, &str); 3] = [
    (0, 4, "WHO ≤ 4 (no oxygen therapy)"),
    (5, 6, "WHO 5–6 (oxygen, NIV, high flow)"),
    (7, 9, "WHO 7–9 (mechanical ventilation)"),
];

/// What ADSL says about one subject.
#[derive(Debug, Clone, Copy)]
struct SubjectInfo {
    /// Randomized arm, 0-based.
    arm: Option<usize>,
    age: Option<f64>,
    onset_days: Option<f64>,
    who: Option<f64>,
    baseline_titer: Option<f64>,
    delivered_dose: Option<f64>,
}

fn numbers(d: &Dataset, name: &str) -> Option<Vec<Option<f64>>> {
    match &d.column(name)?.values {
        Values::Float(v) => Some(v.clone()),
        Values::Int(v) => Some(v.iter().map(|x| x.map(|x| x as f64)).collect()),
        Values::Str(_) => None,
    }
}

fn texts<'a>(d: &'a Dataset, name: &str) -> Vec<Option<&'a str>> {
    match d.column(name).map(|c| &c.values) {
        Some(Values::Str(v)) => v.iter().collect(),
        _ => Vec::new(),
    }
}

/// ADSL subjects by USUBJID.
fn subjects(adsl: &Dataset) -> BTreeMap<String, SubjectInfo> {
    let column = |name: &str| numbers(adsl, name).unwrap_or_default();
    let (arm, age, onset, who) = (
        column("TRT01PN"),
        column("AGE"),
        column("ONSDUR"),
        column("WHOCPSBL"),
    );
    let (titer, dose) = (column("NABBL"), column("PLNABDOS"));
    let at = |v: &[Option<f64>], i: usize| v.get(i).copied().flatten();
    texts(adsl, "USUBJID")
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let info = SubjectInfo {
                arm: at(&arm, i).filter(|&a| a >= 1.0).map(|a| a as usize - 1),
                age: at(&age, i),
                onset_days: at(&onset, i),
                who: at(&who, i),
                baseline_titer: at(&titer, i),
                delivered_dose: at(&dose, i),
            };
            Some(((*id)?.to_owned(), info))
        })
        .collect()
}

/// The outcomes rows whose subject passes `keep`.
fn select(outcomes: &Dataset, keep: impl Fn(&str) -> bool) -> Dataset {
    let ids = texts(outcomes, "USUBJID");
    let mask: Vec<bool> = (0..outcomes.rows())
        .map(|i| ids.get(i).copied().flatten().is_some_and(&keep))
        .collect();
    fn pick<T, C: FromIterator<T>>(v: impl Iterator<Item = T>, mask: &[bool]) -> C {
        v.zip(mask).filter(|(_, k)| **k).map(|(x, _)| x).collect()
    }
    let columns = outcomes
        .columns()
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            label: c.label.clone(),
            values: match &c.values {
                Values::Str(v) => Values::Str(pick(v.iter(), &mask)),
                Values::Int(v) => Values::Int(pick(v.iter().copied(), &mask)),
                Values::Float(v) => Values::Float(pick(v.iter().copied(), &mask)),
            },
        })
        .collect();
    Dataset::new(outcomes.name(), outcomes.label(), columns)
        .expect("a row selection of a valid dataset is valid")
}

/// Whether a subject belongs to a set.
type Membership<'a> = Box<dyn Fn(&SubjectInfo) -> bool + 'a>;

/// One subgroup level: who is in it for the randomized estimate, and for the twin effect.
struct Level<'a> {
    subgroup: &'a str,
    level: String,
    randomized: Membership<'a>,
    /// Who the twin effect is computed on, when not the same patients.
    twins: Option<Membership<'a>>,
}

impl<'a> Level<'a> {
    fn of(subgroup: &'a str, level: &str, test: impl Fn(&SubjectInfo) -> bool + 'a) -> Self {
        Self {
            subgroup,
            level: level.to_owned(),
            randomized: Box::new(test),
            twins: None,
        }
    }
}

/// Subgroup estimates of the primary endpoint (none without a primary endpoint or a second
/// arm).
pub fn subgroups(protocol: &Protocol, outcomes: &Dataset, adsl: &Dataset) -> Vec<Subgroup> {
    let Some(primary) = protocol.endpoints.iter().position(|e| e.primary) else {
        return Vec::new();
    };
    if protocol.arms.len() < 2 {
        return Vec::new();
    }
    let subjects = subjects(adsl);
    let reference = reference_arm(protocol);
    let mut levels = vec![
        Level::of("Age", "< 65 years", |s| {
            s.age.is_some_and(|a| a < AGE_CUT_YEARS)
        }),
        Level::of("Age", "≥ 65 years", |s| {
            s.age.is_some_and(|a| a >= AGE_CUT_YEARS)
        }),
        Level::of("Days since onset", "≤ 7 days", |s| {
            s.onset_days.is_some_and(|d| d <= ONSET_CUT_DAYS)
        }),
        Level::of("Days since onset", "> 7 days", |s| {
            s.onset_days.is_some_and(|d| d > ONSET_CUT_DAYS)
        }),
    ];
    for (lo, hi, label) in WHO_BANDS {
        levels.push(Level::of("Baseline support", label, move |s| {
            s.who.is_some_and(|w| w >= lo as f64 && w <= hi as f64)
        }));
    }
    if subjects.values().any(|s| s.baseline_titer.is_some()) {
        levels.push(Level::of(
            "Serostatus",
            "Seropositive (ID50 ≥ 1:20)",
            |s| s.baseline_titer.is_some_and(|t| t >= SEROPOSITIVE_ID50),
        ));
        levels.push(Level::of("Serostatus", "Seronegative (ID50 < 1:20)", |s| {
            s.baseline_titer.is_some_and(|t| t < SEROPOSITIVE_ID50)
        }));
    }
    // Delivered dose: tertiles (R type-7 quantiles) of the treated patients randomized to a
    // compared arm.
    let treated = move |s: &SubjectInfo| {
        s.arm.is_some_and(|a| a != reference) && s.delivered_dose.is_some_and(|d| d > 0.0)
    };
    let mut doses: Vec<f64> = subjects
        .values()
        .filter(|s| treated(s))
        .filter_map(|s| s.delivered_dose)
        .collect();
    doses.sort_by(f64::total_cmp);
    if !doses.is_empty() {
        let cuts = [
            f64::NEG_INFINITY,
            quantile(&doses, 1.0 / 3.0),
            quantile(&doses, 2.0 / 3.0),
            f64::INFINITY,
        ];
        let names = [
            format!("Tertile 1 (≤ {:.0} ID50·mL)", cuts[1]),
            format!("Tertile 2 ({:.0}–{:.0} ID50·mL)", cuts[1], cuts[2]),
            format!("Tertile 3 (> {:.0} ID50·mL)", cuts[2]),
        ];
        for (k, name) in names.into_iter().enumerate() {
            let (lo, hi) = (cuts[k], cuts[k + 1]);
            let in_tertile = move |s: &SubjectInfo| {
                treated(s) && s.delivered_dose.is_some_and(|d| d > lo && d <= hi)
            };
            levels.push(Level {
                subgroup: "Delivered dose",
                level: name,
                randomized: Box::new(move |s| in_tertile(s) || s.arm == Some(reference)),
                twins: Some(Box::new(in_tertile)),
            });
        }
    }
    let twins = protocol.analysis.twins;
    let mut out = Vec::new();
    for level in &levels {
        let subjects = &subjects;
        let member = |test: &dyn Fn(&SubjectInfo) -> bool| {
            select(outcomes, |id| subjects.get(id).is_some_and(test))
        };
        let randomized = member(&*level.randomized);
        let summary = endpoint_summary(protocol, primary, &randomized, twins);
        let twin_summary = match &level.twins {
            Some(test) => endpoint_summary(protocol, primary, &member(&**test), twins),
            None => summary.clone(),
        };
        let n_of = |arm: &str| {
            summary
                .arms
                .iter()
                .find(|a| a.arm == arm)
                .map_or(0, |a| a.n)
        };
        // The primary analysis's measure: the first comparison of each compared arm.
        let mut seen: Vec<&str> = Vec::new();
        for c in &summary.comparisons {
            if seen.contains(&c.arm.as_str()) {
                continue;
            }
            seen.push(&c.arm);
            let (n_arm, n_reference) = (n_of(&c.arm), n_of(&c.reference_arm));
            // A level without patients, or a dose tertile left empty by tied doses.
            if n_arm + n_reference == 0 || (level.twins.is_some() && n_arm == 0) {
                continue;
            }
            let twin_estimate = twin_summary
                .comparisons
                .iter()
                .find(|t| t.arm == c.arm && t.measure == c.measure)
                .and_then(|t| t.twin_estimate);
            out.push(Subgroup {
                endpoint: summary.name.clone(),
                measure: c.measure.clone(),
                subgroup: level.subgroup.to_owned(),
                level: level.level.clone(),
                n: n_arm + n_reference,
                estimate: c.estimate,
                ci: c.ci,
                arm: c.arm.clone(),
                reference_arm: c.reference_arm.clone(),
                n_arm,
                n_reference,
                twin_estimate,
            });
        }
    }
    out
}
