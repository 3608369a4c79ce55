//! `summary.json`: per endpoint and arm, the planned analysis with 95 % intervals, the true
//! effect from counterfactual twins, CONSORT counts, safety and replicates. The shape is the
//! results-folder contract the HTML report reads; fields may be added, never renamed.
//!
//! Computed only from saved tables (the `outcomes` table, ADSL, ADAE) and the screening counts,
//! so `immunotrial merge` recomputes exactly the summary of an unsharded run.
//!
//! Analyses (each experimental arm against the reference arm, the last non-experimental arm,
//! else the last arm):
//! - binary: Wilson interval per arm; risk difference (Newcombe hybrid score interval) and risk
//!   ratio (log-scale Wald), p from Fisher's exact test;
//! - time to event: Kaplan–Meier median with its interval per arm; Cox hazard ratio (Efron
//!   ties), p from the log-rank test;
//! - ordinal: median score per arm; proportional-odds common odds ratio (> 1: higher, i.e.
//!   worse, WHO scores more likely), Wald p;
//! - continuous: mean with a t interval per arm; Welch mean difference and p.
//!
//! Twin estimate: the same measure computed on every enrolled patient's twin courses under the
//! two arms (the risk difference or ratio of the twin risks, the Cox or polr estimate on the
//! stacked twin data, the mean of the twin differences).

use crate::datasets::{Dataset, Values};
use crate::outcomes::event_column;
use protocol::Protocol;
use protocol::schema::EndpointKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Confidence level of every interval.
pub const LEVEL: f64 = 0.95;

/// The whole summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Study identifiers.
    pub study: StudyInfo,
    /// What was simulated.
    pub simulation: SimulationInfo,
    /// CONSORT flow.
    pub consort: Consort,
    /// Endpoints in protocol order.
    pub endpoints: Vec<EndpointSummary>,
    /// Subgroup estimates of the primary endpoint ([`crate::subgroups`]).
    pub subgroups: Vec<Subgroup>,
    /// Adverse events by arm and term.
    pub safety: Vec<SafetyRow>,
    /// Replicate trials, when more than one was run.
    pub replicates: Option<Replicates>,
    /// Plasma supply, when a plasma regimen is in the protocol ([`crate::supply`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply: Option<crate::supply::SupplySummary>,
}

/// `study`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyInfo {
    /// Registry id.
    pub id: String,
    /// Brief title.
    pub title: String,
    /// Masking as registered (`NONE`, `DOUBLE`, …); a simulation is unaffected by it.
    pub masking: Option<String>,
    /// Allocation as registered.
    pub allocation: String,
}

/// `simulation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationInfo {
    /// Population name.
    pub population: String,
    /// Patients enrolled.
    pub patients: u64,
    /// Replicate trials.
    pub replicates: u32,
    /// Follow-up, days.
    pub follow_up_days: u32,
    /// Master seed.
    pub seed: u64,
    /// Model version (the workspace version).
    pub model_version: String,
    /// Counterfactual twins simulated.
    pub twins: bool,
    /// Allocation scheme used.
    pub allocation_scheme: String,
}

/// One screening exclusion reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// The first criterion the candidate failed.
    pub reason: String,
    /// Candidates.
    pub n: u64,
}

/// CONSORT arm counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsortArm {
    /// Arm label.
    pub arm: String,
    /// Allocated.
    pub allocated: u64,
    /// Received any study product.
    pub treated: u64,
    /// Lost to follow-up.
    pub lost_to_follow_up: u64,
    /// Analysed for the primary endpoint: everyone allocated, less those lost to follow-up
    /// without a primary outcome (complete-case analysis).
    pub analysed: u64,
}

/// `consort`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consort {
    /// Candidates screened.
    pub screened: u64,
    /// Screen failures by first failed criterion (they add up to screened − randomized).
    pub excluded: Vec<Exclusion>,
    /// Randomized (enrolled).
    pub randomized: u64,
    /// Per arm.
    pub arms: Vec<ConsortArm>,
}

/// One arm of one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmEstimate {
    /// Arm label.
    pub arm: String,
    /// Patients with a value.
    pub n: u64,
    /// Events (binary, time to event).
    pub events: Option<u64>,
    /// Proportion, KM median, median score or mean.
    pub estimate: Option<f64>,
    /// 95 % interval (bounds may be null: not reached).
    pub ci: [Option<f64>; 2],
}

/// One comparison of one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `risk_difference`, `risk_ratio`, `hazard_ratio`, `common_odds_ratio`, `mean_difference`.
    pub measure: String,
    /// Arm.
    pub arm: String,
    /// Reference arm.
    pub reference_arm: String,
    /// Randomized estimate.
    pub estimate: Option<f64>,
    /// 95 % interval.
    pub ci: [Option<f64>; 2],
    /// p-value of the planned test.
    pub p: Option<f64>,
    /// The true effect from counterfactual twins.
    pub twin_estimate: Option<f64>,
}

/// One endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointSummary {
    /// Name.
    pub name: String,
    /// Description.
    pub label: String,
    /// `binary`, `time_to_event`, `ordinal`, `continuous`.
    pub kind: String,
    /// Primary endpoint.
    pub primary: bool,
    /// Time point, days.
    pub timepoint_days: Option<u32>,
    /// Per arm.
    pub arms: Vec<ArmEstimate>,
    /// Comparisons with the reference arm.
    pub comparisons: Vec<Comparison>,
    /// Time to discharge: the analysis with death as a competing event (absent for other
    /// endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competing_risks: Option<CompetingRisks>,
}

/// A time-to-event endpoint analysed with death as a competing event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetingRisks {
    /// The competing event (`death`).
    pub competing_event: String,
    /// Per arm: patients, events of interest, the Aalen–Johansen cumulative incidence at the
    /// time point and its 95 % interval (Gray's variance, complementary log-log scale).
    pub arms: Vec<ArmEstimate>,
    /// Fine–Gray subdistribution hazard ratio of each arm against the reference
    /// (`subdistribution_hazard_ratio`; robust 95 % interval and Wald p), with the twin
    /// estimate from the stacked twin courses.
    pub comparisons: Vec<Comparison>,
}

/// A subgroup estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subgroup {
    /// Endpoint.
    pub endpoint: String,
    /// Measure.
    pub measure: String,
    /// Subgroup variable.
    pub subgroup: String,
    /// Level.
    pub level: String,
    /// Patients.
    pub n: u64,
    /// Estimate.
    pub estimate: Option<f64>,
    /// Interval.
    pub ci: [Option<f64>; 2],
    /// Compared arm.
    #[serde(default)]
    pub arm: String,
    /// Reference arm.
    #[serde(default)]
    pub reference_arm: String,
    /// Patients of the compared arm in the subgroup.
    #[serde(default)]
    pub n_arm: u64,
    /// Patients of the reference arm in the subgroup.
    #[serde(default)]
    pub n_reference: u64,
    /// The true effect in the subgroup, from counterfactual twins.
    #[serde(default)]
    pub twin_estimate: Option<f64>,
}

/// Adverse events of one term in one arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyRow {
    /// Arm.
    pub arm: String,
    /// Preferred term.
    pub term: String,
    /// Patients with at least one.
    pub n_patients: u64,
    /// Events.
    pub n_events: u64,
    /// Serious events.
    pub serious: u64,
}

/// Replicate trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replicates {
    /// Trials.
    pub k: u32,
    /// Share of replicates whose primary comparison is significant at the protocol's alpha.
    pub power: f64,
    /// The primary comparison's estimate in each replicate (replicate 0 is the main trial).
    pub estimates: Vec<Option<f64>>,
    /// p-values, same order.
    pub p_values: Vec<Option<f64>>,
    /// Measure of the estimates.
    pub measure: String,
}

/// Screening counts (identical in every shard: every shard screens the whole candidate list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    /// Candidates screened.
    pub screened: u64,
    /// Enrolled.
    pub enrolled: u64,
    /// Failures by first failed criterion, sorted by reason.
    pub excluded: Vec<Exclusion>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn ints<'a>(d: &'a Dataset, name: &str) -> &'a [Option<i64>] {
    match d.column(name).map(|c| &c.values) {
        Some(Values::Int(v)) => v,
        _ => &[],
    }
}

fn strs<'a>(d: &'a Dataset, name: &str) -> Vec<Option<&'a str>> {
    match d.column(name).map(|c| &c.values) {
        Some(Values::Str(v)) => v.iter().collect(),
        _ => Vec::new(),
    }
}

/// The reference (control) arm: the last arm that is not experimental, else the last arm.
pub fn reference_arm(protocol: &Protocol) -> usize {
    protocol
        .arms
        .iter()
        .rposition(|a| a.arm_type.to_string() != "EXPERIMENTAL")
        .unwrap_or(protocol.arms.len() - 1)
}

/// Rows of one endpoint: (arm 0-based, randomized, subject id, value, event flag).
struct Obs {
    arm: usize,
    randomized: bool,
    subject: i64,
    value: Option<f64>,
    event: Option<bool>,
}

fn observations(outcomes: &Dataset, column: &str, event_col: Option<&str>) -> Vec<Obs> {
    let arms = ints(outcomes, "ARMN");
    let rand = strs(outcomes, "RANDFL");
    let subj = ints(outcomes, "SUBJID");
    let as_f64: Vec<Option<f64>> = match outcomes.column(column).map(|c| &c.values) {
        Some(Values::Float(v)) => v.clone(),
        Some(Values::Int(v)) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
        _ => Vec::new(),
    };
    let events = event_col.map(|c| ints(outcomes, c)).unwrap_or(&[]);
    (0..outcomes.rows())
        .map(|i| Obs {
            arm: arms.get(i).copied().flatten().unwrap_or(1).max(1) as usize - 1,
            randomized: rand.get(i).copied().flatten() == Some("Y"),
            subject: subj.get(i).copied().flatten().unwrap_or(-1),
            value: as_f64.get(i).copied().flatten(),
            event: events.get(i).copied().flatten().map(|e| e != 0),
        })
        .collect()
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Twin pairs (value under `a`, value under `b`) of every patient with both.
fn twin_pairs(obs: &[Obs], a: usize, b: usize) -> Vec<(f64, f64, bool, bool)> {
    let mut by_subject: BTreeMap<i64, [Option<(f64, bool)>; 2]> = BTreeMap::new();
    for o in obs {
        let slot = if o.arm == a {
            0
        } else if o.arm == b {
            1
        } else {
            continue;
        };
        if let Some(v) = o.value {
            by_subject.entry(o.subject).or_default()[slot] = Some((v, o.event.unwrap_or(false)));
        }
    }
    by_subject
        .values()
        .filter_map(|p| match p {
            [Some((x, ex)), Some((y, ey))] => Some((*x, *y, *ex, *ey)),
            _ => None,
        })
        .collect()
}

fn cox_hr(time: &[f64], event: &[bool], group: &[f64]) -> Option<stats::survival::CoxTerm> {
    if !event.iter().any(|&e| e) {
        return None;
    }
    stats::survival::cox::fit(time, event, &[group], stats::survival::Ties::Efron)
        .ok()
        .and_then(|f| f.terms.first().copied())
        .filter(|t| t.hr.is_finite())
}

fn polr_or(y: &[f64], group: &[f64]) -> Option<stats::ordinal::PolrTerm> {
    // Scores below 0 (organ-support-free days, −1 for death) are shifted to start at 0; a
    // constant shift leaves the proportional-odds fit unchanged.
    let lowest = y.iter().copied().fold(0.0, f64::min);
    let y: Vec<u32> = y.iter().map(|&v| (v - lowest) as u32).collect();
    stats::ordinal::polr(&y, &[group])
        .ok()
        .and_then(|f| f.terms.first().copied())
        .filter(|t| t.odds_ratio.is_finite())
}

/// Summarises one endpoint.
pub(crate) fn endpoint_summary(
    protocol: &Protocol,
    index: usize,
    outcomes: &Dataset,
    twins: bool,
) -> EndpointSummary {
    let e = &protocol.endpoints[index];
    let event_col = (e.kind == EndpointKind::TimeToEvent).then(|| event_column(e));
    let obs = observations(outcomes, &e.name, event_col.as_deref());
    let arm_names: Vec<String> = protocol.arms.iter().map(|a| a.label.clone()).collect();
    let randomized: Vec<&Obs> = obs.iter().filter(|o| o.randomized).collect();
    let of_arm = |a: usize| -> Vec<&Obs> {
        randomized
            .iter()
            .copied()
            .filter(|o| o.arm == a && o.value.is_some())
            .collect()
    };
    let mut arms = Vec::new();
    for (a, name) in arm_names.iter().enumerate() {
        let rows = of_arm(a);
        let n = rows.len() as u64;
        let values: Vec<f64> = rows.iter().filter_map(|o| o.value).collect();
        let (events, estimate, ci) = match e.kind {
            EndpointKind::Binary => {
                let k = values.iter().filter(|&&v| v > 0.5).count() as u64;
                let ci = stats::binary::wilson_interval(k, n, LEVEL)
                    .map_or([None, None], |(lo, hi)| [Some(lo), Some(hi)]);
                (Some(k), (n > 0).then(|| k as f64 / n as f64), ci)
            }
            EndpointKind::TimeToEvent => {
                let ev: Vec<bool> = rows.iter().map(|o| o.event.unwrap_or(false)).collect();
                let k = ev.iter().filter(|&&x| x).count() as u64;
                match stats::survival::kaplan_meier(&values, &ev) {
                    Ok(km) => {
                        let m = km.median();
                        (Some(k), m.estimate, [m.lower, m.upper])
                    }
                    Err(_) => (Some(k), None, [None, None]),
                }
            }
            EndpointKind::Ordinal => {
                let mut v = values.clone();
                (None, median(&mut v), [None, None])
            }
            EndpointKind::Continuous => {
                let nf = values.len() as f64;
                if values.is_empty() {
                    (None, None, [None, None])
                } else {
                    let mean = values.iter().sum::<f64>() / nf;
                    let ci = if values.len() > 1 {
                        let var =
                            values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0);
                        let half = stats::dist::t_quantile(0.5 + LEVEL / 2.0, nf - 1.0)
                            * (var / nf).sqrt();
                        [finite(mean - half), finite(mean + half)]
                    } else {
                        [None, None]
                    };
                    (None, Some(mean), ci)
                }
            }
        };
        arms.push(ArmEstimate {
            arm: name.clone(),
            n,
            events,
            estimate,
            ci,
        });
    }
    let reference = reference_arm(protocol);
    let mut comparisons = Vec::new();
    for a in (0..arm_names.len()).filter(|&a| a != reference) {
        let (ra, rb) = (of_arm(a), of_arm(reference));
        let va: Vec<f64> = ra.iter().filter_map(|o| o.value).collect();
        let vb: Vec<f64> = rb.iter().filter_map(|o| o.value).collect();
        let pairs = if twins {
            twin_pairs(&obs, a, reference)
        } else {
            Vec::new()
        };
        let comparison = |measure: &str,
                          est: Option<f64>,
                          ci: [Option<f64>; 2],
                          p: Option<f64>,
                          twin: Option<f64>| {
            Comparison {
                measure: measure.to_owned(),
                arm: arm_names[a].clone(),
                reference_arm: arm_names[reference].clone(),
                estimate: est.and_then(finite),
                ci: ci.map(|x| x.and_then(finite)),
                p,
                twin_estimate: twin.and_then(finite),
            }
        };
        match e.kind {
            EndpointKind::Binary => {
                let ka = va.iter().filter(|&&v| v > 0.5).count() as u64;
                let kb = vb.iter().filter(|&&v| v > 0.5).count() as u64;
                let cmp =
                    stats::binary::compare_at(ka, va.len() as u64, kb, vb.len() as u64, LEVEL).ok();
                let twin_a = pairs.iter().map(|p| p.0).sum::<f64>();
                let twin_b = pairs.iter().map(|p| p.1).sum::<f64>();
                let np = pairs.len() as f64;
                let (twin_rd, twin_rr) = if pairs.is_empty() {
                    (None, None)
                } else {
                    (Some((twin_a - twin_b) / np), Some(twin_a / twin_b))
                };
                let rd = cmp.as_ref().map(|c| c.risk_difference_newcombe);
                comparisons.push(comparison(
                    "risk_difference",
                    rd.map(|r| r.estimate),
                    [rd.map(|r| r.lower), rd.map(|r| r.upper)],
                    cmp.as_ref().map(|c| c.fisher_p),
                    twin_rd,
                ));
                let rr = cmp.as_ref().and_then(|c| c.risk_ratio);
                comparisons.push(comparison(
                    "risk_ratio",
                    rr.map(|r| r.estimate),
                    [rr.map(|r| r.lower), rr.map(|r| r.upper)],
                    cmp.as_ref().map(|c| c.fisher_p),
                    twin_rr,
                ));
            }
            EndpointKind::TimeToEvent => {
                let rows: Vec<&&Obs> = ra.iter().chain(rb.iter()).collect();
                let time: Vec<f64> = rows.iter().filter_map(|o| o.value).collect();
                let event: Vec<bool> = rows.iter().map(|o| o.event.unwrap_or(false)).collect();
                let group: Vec<f64> = rows
                    .iter()
                    .map(|o| f64::from(u8::from(o.arm == a)))
                    .collect();
                let groups: Vec<u32> = group.iter().map(|&g| g as u32).collect();
                let hr = cox_hr(&time, &event, &group);
                let p = stats::survival::logrank(&time, &event, &groups, None)
                    .ok()
                    .map(|l| l.p)
                    .and_then(finite);
                let twin = if pairs.is_empty() {
                    None
                } else {
                    let mut t = Vec::new();
                    let mut ev = Vec::new();
                    let mut g = Vec::new();
                    for &(x, y, ex, ey) in &pairs {
                        t.extend([x, y]);
                        ev.extend([ex, ey]);
                        g.extend([1.0, 0.0]);
                    }
                    cox_hr(&t, &ev, &g).map(|c| c.hr)
                };
                comparisons.push(comparison(
                    "hazard_ratio",
                    hr.map(|h| h.hr),
                    [hr.map(|h| h.hr_lower), hr.map(|h| h.hr_upper)],
                    p,
                    twin,
                ));
            }
            EndpointKind::Ordinal => {
                let y: Vec<f64> = va.iter().chain(vb.iter()).copied().collect();
                let g: Vec<f64> = va
                    .iter()
                    .map(|_| 1.0)
                    .chain(vb.iter().map(|_| 0.0))
                    .collect();
                let fit = polr_or(&y, &g);
                let twin = if pairs.is_empty() {
                    None
                } else {
                    let y: Vec<f64> = pairs.iter().flat_map(|p| [p.0, p.1]).collect();
                    let g: Vec<f64> = pairs.iter().flat_map(|_| [1.0, 0.0]).collect();
                    polr_or(&y, &g).map(|t| t.odds_ratio)
                };
                comparisons.push(comparison(
                    "common_odds_ratio",
                    fit.map(|t| t.odds_ratio),
                    [fit.map(|t| t.or_lower), fit.map(|t| t.or_upper)],
                    fit.map(|t| t.p).and_then(finite),
                    twin,
                ));
            }
            EndpointKind::Continuous => {
                let w = stats::continuous::welch(&va, &vb, LEVEL).ok();
                let twin = (!pairs.is_empty())
                    .then(|| pairs.iter().map(|p| p.0 - p.1).sum::<f64>() / pairs.len() as f64);
                comparisons.push(comparison(
                    "mean_difference",
                    w.as_ref().map(|w| w.estimate),
                    [w.as_ref().map(|w| w.lower), w.as_ref().map(|w| w.upper)],
                    w.as_ref().map(|w| w.p).and_then(finite),
                    twin,
                ));
            }
        }
    }
    EndpointSummary {
        name: e.name.clone(),
        label: e.description.clone().unwrap_or_else(|| e.name.clone()),
        kind: protocol::schema::spelling(&e.kind),
        primary: e.primary,
        timepoint_days: Some(e.day),
        arms,
        comparisons,
        competing_risks: competing_risks(protocol, index, outcomes, twins),
    }
}

/// One row of a competing-risks analysis: arm, randomized course, subject, time, cause.
type CompetingObs = (usize, bool, i64, f64, u32);

/// The 95 % interval of a cumulative incidence F with variance `var` on the complementary
/// log-log scale: g = ln(−ln F), se(g) = se(F) / |F ln F|, F^exp(±z·se(g)). `None` at F = 0
/// or 1 or without variance.
fn cif_interval(f: f64, var: f64) -> [Option<f64>; 2] {
    if !(f > 0.0 && f < 1.0 && var > 0.0) {
        return [None, None];
    }
    let z = stats::dist::normal_quantile(0.5 + LEVEL / 2.0);
    let se_g = var.sqrt() / (f * f.ln()).abs();
    [
        finite(f.powf((z * se_g).exp())),
        finite(f.powf((-z * se_g).exp())),
    ]
}

fn fine_gray_shr(rows: &[&CompetingObs], arm: usize) -> Option<stats::survival::FineGrayTerm> {
    let time: Vec<f64> = rows.iter().map(|r| r.3).collect();
    let status: Vec<u32> = rows.iter().map(|r| r.4).collect();
    let group: Vec<f64> = rows
        .iter()
        .map(|r| f64::from(u8::from(r.0 == arm)))
        .collect();
    stats::survival::fine_gray(&time, &status, crate::outcomes::CAUSE_EVENT, &[&group])
        .ok()
        .and_then(|f| f.terms.first().copied())
        .filter(|t| t.shr.is_finite())
}

/// Aalen–Johansen incidence by arm and Fine–Gray comparisons of a time-to-discharge endpoint.
fn competing_risks(
    protocol: &Protocol,
    index: usize,
    outcomes: &Dataset,
    twins: bool,
) -> Option<CompetingRisks> {
    use crate::outcomes::{CAUSE_EVENT, cause_column, competing_time_column, has_competing_risk};
    let e = &protocol.endpoints[index];
    if !has_competing_risk(e) {
        return None;
    }
    let causes = ints(outcomes, &cause_column(e));
    let rows: Vec<CompetingObs> = observations(outcomes, &competing_time_column(e), None)
        .iter()
        .zip(causes)
        .filter_map(|(o, c)| Some((o.arm, o.randomized, o.subject, o.value?, (*c)? as u32)))
        .collect();
    let horizon = f64::from(e.day);
    let arm_names: Vec<String> = protocol.arms.iter().map(|a| a.label.clone()).collect();
    let randomized =
        |a: usize| -> Vec<&CompetingObs> { rows.iter().filter(|r| r.1 && r.0 == a).collect() };
    let arms = arm_names
        .iter()
        .enumerate()
        .map(|(a, name)| {
            let mine = randomized(a);
            let time: Vec<f64> = mine.iter().map(|r| r.3).collect();
            let status: Vec<u32> = mine.iter().map(|r| r.4).collect();
            let events = status.iter().filter(|&&c| c == CAUSE_EVENT).count() as u64;
            let cif = stats::survival::aalen_johansen(&time, &status, CAUSE_EVENT).ok();
            let estimate = cif.as_ref().map(|c| c.at(horizon));
            let ci = match (&cif, estimate) {
                (Some(c), Some(f)) => cif_interval(f, c.variance_at(horizon)),
                _ => [None, None],
            };
            ArmEstimate {
                arm: name.clone(),
                n: mine.len() as u64,
                events: Some(events),
                estimate: estimate.or((events == 0 && !mine.is_empty()).then_some(0.0)),
                ci,
            }
        })
        .collect();
    let reference = reference_arm(protocol);
    let comparisons = (0..arm_names.len())
        .filter(|&a| a != reference)
        .map(|a| {
            let pair: Vec<&CompetingObs> = rows
                .iter()
                .filter(|r| r.1 && (r.0 == a || r.0 == reference))
                .collect();
            let fit = fine_gray_shr(&pair, a);
            let twin = if twins {
                // Every subject with a course under both arms, stacked.
                let mut both: BTreeMap<i64, u8> = BTreeMap::new();
                for r in rows.iter().filter(|r| r.0 == a || r.0 == reference) {
                    *both.entry(r.2).or_default() += 1;
                }
                let stacked: Vec<&CompetingObs> = rows
                    .iter()
                    .filter(|r| (r.0 == a || r.0 == reference) && both[&r.2] == 2)
                    .collect();
                fine_gray_shr(&stacked, a).map(|t| t.shr)
            } else {
                None
            };
            Comparison {
                measure: "subdistribution_hazard_ratio".into(),
                arm: arm_names[a].clone(),
                reference_arm: arm_names[reference].clone(),
                estimate: fit.map(|t| t.shr).and_then(finite),
                ci: [
                    fit.map(|t| t.shr_lower).and_then(finite),
                    fit.map(|t| t.shr_upper).and_then(finite),
                ],
                p: fit.map(|t| t.p).and_then(finite),
                twin_estimate: twin.and_then(finite),
            }
        })
        .collect();
    Some(CompetingRisks {
        competing_event: "death".into(),
        arms,
        comparisons,
    })
}

/// The primary endpoint's first comparison: (measure, estimate, p).
pub fn primary_comparison(summary: &Summary) -> Option<(String, Option<f64>, Option<f64>)> {
    summary
        .endpoints
        .iter()
        .find(|e| e.primary)
        .and_then(|e| e.comparisons.first())
        .map(|c| (c.measure.clone(), c.estimate, c.p))
}

/// The primary comparison of a trial's outcome table alone — what a replicate trial
/// contributes — as [`primary_comparison`] reads it from the full [`summarise`], without
/// computing the other endpoints, subgroups, safety or the supply plan.
pub fn primary_comparison_of(
    protocol: &Protocol,
    outcomes: &Dataset,
) -> Option<(String, Option<f64>, Option<f64>)> {
    let index = protocol.endpoints.iter().position(|e| e.primary)?;
    endpoint_summary(protocol, index, outcomes, protocol.analysis.twins)
        .comparisons
        .first()
        .map(|c| (c.measure.clone(), c.estimate, c.p))
}

/// Inputs of [`summarise`] besides the tables.
#[derive(Debug, Clone)]
pub struct SummaryInputs<'a> {
    /// The protocol.
    pub protocol: &'a Protocol,
    /// Screening counts.
    pub screening: &'a Screening,
    /// Allocation scheme used, in words.
    pub allocation_scheme: String,
    /// The plasma supply campaigns when already simulated ([`crate::supply::campaigns`]);
    /// `None`: simulated here when the protocol has a plasma arm.
    pub supply_campaigns: Option<Vec<crate::supply::RegimenSupply>>,
}

/// Per arm (0-based), randomized patients lost to follow-up (ADSL `DCSREAS`) whose primary
/// endpoint has no value: they are left out of the complete-case primary analysis, so CONSORT
/// counts them as allocated but not analysed. (A time-to-event primary endpoint always has a
/// value: lost patients are censored at the loss and analysed.)
fn lost_without_primary(
    protocol: &Protocol,
    outcomes: &Dataset,
    adsl: &Dataset,
) -> BTreeMap<usize, u64> {
    let lost: std::collections::BTreeSet<&str> = strs(adsl, "USUBJID")
        .into_iter()
        .zip(strs(adsl, "DCSREAS"))
        .filter(|(_, r)| *r == Some(LOST_TO_FOLLOW_UP))
        .filter_map(|(u, _)| u)
        .collect();
    let mut out = BTreeMap::new();
    if lost.is_empty() {
        return out;
    }
    let primary = protocol.primary_endpoint();
    let obs = observations(outcomes, &primary.name, None);
    let ids = strs(outcomes, "USUBJID");
    for (o, id) in obs.iter().zip(ids) {
        if o.randomized && o.value.is_none() && id.is_some_and(|id| lost.contains(id)) {
            *out.entry(o.arm).or_default() += 1;
        }
    }
    out
}

/// ADSL `DCSREAS` of a patient lost to follow-up.
const LOST_TO_FOLLOW_UP: &str = "LOST TO FOLLOW-UP";

/// Computes the summary from saved tables.
pub fn summarise(
    inputs: &SummaryInputs<'_>,
    outcomes: &Dataset,
    adsl: &Dataset,
    adae: &Dataset,
) -> Summary {
    let p = inputs.protocol;
    let twins = p.analysis.twins;
    let arm_names: Vec<String> = p.arms.iter().map(|a| a.label.clone()).collect();
    let planned = ints(adsl, "TRT01PN");
    let start = ints(adsl, "TRTSDT");
    let reason = strs(adsl, "DCSREAS");
    let missing_primary = lost_without_primary(p, outcomes, adsl);
    let consort_arms = arm_names
        .iter()
        .enumerate()
        .map(|(a, name)| {
            let mine: Vec<usize> = (0..adsl.rows())
                .filter(|&i| planned.get(i).copied().flatten() == Some(a as i64 + 1))
                .collect();
            let allocated = mine.len() as u64;
            ConsortArm {
                arm: name.clone(),
                allocated,
                treated: mine
                    .iter()
                    .filter(|&&i| start.get(i).copied().flatten().is_some())
                    .count() as u64,
                lost_to_follow_up: mine
                    .iter()
                    .filter(|&&i| reason.get(i).copied().flatten() == Some(LOST_TO_FOLLOW_UP))
                    .count() as u64,
                analysed: allocated - missing_primary.get(&a).copied().unwrap_or(0),
            }
        })
        .collect();
    let endpoints = (0..p.endpoints.len())
        .map(|i| endpoint_summary(p, i, outcomes, twins))
        .collect();
    // Safety: (arm, term) → (patients, events, serious).
    let trta = strs(adae, "TRTA");
    let term = strs(adae, "AEDECOD");
    let subj = strs(adae, "USUBJID");
    let ser = strs(adae, "AESER");
    let mut safety: BTreeMap<(usize, String), (std::collections::BTreeSet<String>, u64, u64)> =
        BTreeMap::new();
    for i in 0..adae.rows() {
        let arm_name = trta.get(i).cloned().flatten().unwrap_or_default();
        let arm = arm_names
            .iter()
            .position(|n| *n == arm_name)
            .unwrap_or(usize::MAX);
        let entry = safety
            .entry((
                arm,
                term.get(i)
                    .copied()
                    .flatten()
                    .unwrap_or_default()
                    .to_owned(),
            ))
            .or_default();
        entry.0.insert(
            subj.get(i)
                .copied()
                .flatten()
                .unwrap_or_default()
                .to_owned(),
        );
        entry.1 += 1;
        entry.2 += u64::from(ser.get(i).copied().flatten() == Some("Y"));
    }
    let safety = safety
        .into_iter()
        .map(|((arm, term), (patients, events, serious))| SafetyRow {
            arm: arm_names.get(arm).cloned().unwrap_or_default(),
            term,
            n_patients: patients.len() as u64,
            n_events: events,
            serious,
        })
        .collect();
    let s = &p.study;
    Summary {
        study: StudyInfo {
            id: s.id.clone(),
            title: s.brief_title.clone(),
            masking: s.masking.map(|m| m.to_string()),
            allocation: s.allocation.to_string(),
        },
        simulation: SimulationInfo {
            population: p.simulation.population.clone(),
            patients: inputs.screening.enrolled,
            replicates: p.simulation.replicates,
            follow_up_days: p.simulation.follow_up_days,
            seed: p.simulation.seed,
            model_version: env!("CARGO_PKG_VERSION").to_owned(),
            twins,
            allocation_scheme: inputs.allocation_scheme.clone(),
        },
        consort: Consort {
            screened: inputs.screening.screened,
            excluded: inputs.screening.excluded.clone(),
            randomized: inputs.screening.enrolled,
            arms: consort_arms,
        },
        endpoints,
        subgroups: crate::subgroups::subgroups(p, outcomes, adsl),
        safety,
        replicates: None,
        supply: match &inputs.supply_campaigns {
            Some(campaigns) => Some(crate::supply::summary_with(campaigns.clone(), adsl)),
            None => crate::supply::summary(p, adsl),
        },
    }
}

#[cfg(test)]
mod tests;
