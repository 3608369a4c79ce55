//! `summary.json`: the engine's analysed results. Every section is optional and unknown fields
//! are ignored, so an older or partial summary still renders (missing parts show as "not
//! available in this run").

use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole `summary.json`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Summary {
    /// Study identification.
    pub study: Option<StudyId>,
    /// What was simulated.
    pub simulation: Option<Simulation>,
    /// CONSORT flow counts.
    pub consort: Option<Consort>,
    /// Primary and secondary endpoints.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// Subgroup estimates for the forest plot.
    #[serde(default)]
    pub subgroups: Vec<Subgroup>,
    /// Adverse events by arm and term.
    #[serde(default)]
    pub safety: Vec<SafetyRow>,
    /// Plasma supply: the engine's `{regimens: […], delivered_id50_ml: {…}}`, or named numbers
    /// (donors screened, donations, …) shown as given.
    pub supply: Option<BTreeMap<String, serde_json::Value>>,
    /// Replicate trials.
    pub replicates: Option<Replicates>,
}

/// Study id and title.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StudyId {
    /// Registry id.
    pub id: Option<String>,
    /// Title.
    pub title: Option<String>,
}

/// What was simulated.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Simulation {
    /// Population name.
    pub population: Option<String>,
    /// Number of virtual patients.
    pub patients: Option<u64>,
    /// Number of replicate trials.
    pub replicates: Option<u64>,
    /// Follow-up, days.
    pub follow_up_days: Option<f64>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Model version.
    pub model_version: Option<String>,
}

/// CONSORT flow.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Consort {
    /// Patients screened.
    pub screened: Option<u64>,
    /// Exclusions by reason.
    #[serde(default)]
    pub excluded: Vec<Exclusion>,
    /// Patients randomized.
    pub randomized: Option<u64>,
    /// Per-arm counts.
    #[serde(default)]
    pub arms: Vec<ConsortArm>,
}

/// Patients excluded for one reason.
#[derive(Debug, Clone, Deserialize)]
pub struct Exclusion {
    /// Reason text.
    pub reason: String,
    /// Count.
    pub n: u64,
}

/// Per-arm CONSORT counts.
#[derive(Debug, Clone, Deserialize)]
pub struct ConsortArm {
    /// Arm name.
    pub arm: String,
    /// Allocated.
    pub allocated: Option<u64>,
    /// Received the allocated intervention.
    pub treated: Option<u64>,
    /// Lost to follow-up.
    pub lost_to_follow_up: Option<u64>,
    /// Analysed.
    pub analysed: Option<u64>,
}

/// Kind of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointKind {
    /// Yes/no by a timepoint.
    Binary,
    /// Time to an event.
    TimeToEvent,
    /// Ordinal scale.
    Ordinal,
    /// Continuous measure.
    Continuous,
}

impl EndpointKind {
    /// Human text.
    pub fn text(self) -> &'static str {
        match self {
            EndpointKind::Binary => "binary",
            EndpointKind::TimeToEvent => "time to event",
            EndpointKind::Ordinal => "ordinal",
            EndpointKind::Continuous => "continuous",
        }
    }
}

/// One endpoint with per-arm estimates and comparisons.
#[derive(Debug, Clone, Deserialize)]
pub struct Endpoint {
    /// Short name (e.g. PARAMCD).
    pub name: String,
    /// Label.
    pub label: Option<String>,
    /// Kind.
    pub kind: Option<EndpointKind>,
    /// Primary endpoint?
    #[serde(default)]
    pub primary: bool,
    /// Timepoint, days.
    pub timepoint_days: Option<f64>,
    /// Per-arm estimates.
    #[serde(default)]
    pub arms: Vec<ArmEstimate>,
    /// Between-arm comparisons.
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
    /// The same endpoint with death as a competing event (discharge endpoints).
    #[serde(default)]
    pub competing_risks: Option<CompetingRisks>,
}

/// A time-to-event endpoint analysed with a competing event.
#[derive(Debug, Clone, Deserialize)]
pub struct CompetingRisks {
    /// The competing event (e.g. `death`).
    pub competing_event: String,
    /// Per arm: cumulative incidence at the time point with its 95% interval.
    #[serde(default)]
    pub arms: Vec<ArmEstimate>,
    /// Subdistribution hazard ratios.
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
}

/// A 95% interval whose bounds may be missing (not reached / not estimable).
pub type Interval = [Option<f64>; 2];

/// One arm's estimate of an endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct ArmEstimate {
    /// Arm name.
    pub arm: String,
    /// Patients analysed.
    pub n: Option<u64>,
    /// Events (binary, time to event).
    pub events: Option<u64>,
    /// Estimate (risk, median, mean…).
    pub estimate: Option<f64>,
    /// 95% interval.
    pub ci: Option<Interval>,
}

/// One comparison of an arm with a reference arm.
#[derive(Debug, Clone, Deserialize)]
pub struct Comparison {
    /// Effect measure (risk_difference, risk_ratio, hazard_ratio, common_odds_ratio,
    /// mean_difference, …).
    pub measure: String,
    /// Compared arm.
    pub arm: String,
    /// Reference arm.
    pub reference_arm: String,
    /// Estimate.
    pub estimate: Option<f64>,
    /// 95% interval.
    pub ci: Option<Interval>,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// The true effect in this population, from counterfactual twins.
    pub twin_estimate: Option<f64>,
}

/// One subgroup estimate.
#[derive(Debug, Clone, Deserialize)]
pub struct Subgroup {
    /// Endpoint name.
    pub endpoint: Option<String>,
    /// Effect measure.
    pub measure: Option<String>,
    /// Subgroup variable (e.g. "age").
    pub subgroup: String,
    /// Level (e.g. "≥ 65 years").
    pub level: String,
    /// Patients in the subgroup.
    pub n: Option<u64>,
    /// Estimate.
    pub estimate: Option<f64>,
    /// 95% interval.
    pub ci: Option<Interval>,
    /// Compared arm.
    pub arm: Option<String>,
    /// Reference arm.
    pub reference_arm: Option<String>,
    /// Patients of the compared arm in the subgroup.
    pub n_arm: Option<u64>,
    /// Patients of the reference arm in the subgroup.
    pub n_reference: Option<u64>,
    /// The true effect in the subgroup, from counterfactual twins.
    pub twin_estimate: Option<f64>,
}

/// Adverse events of one term in one arm.
#[derive(Debug, Clone, Deserialize)]
pub struct SafetyRow {
    /// Arm.
    pub arm: String,
    /// Term.
    pub term: String,
    /// Patients with the event.
    pub n_patients: Option<u64>,
    /// Events.
    pub n_events: Option<u64>,
    /// Serious events (a count, as the engine writes it).
    pub serious: Option<u64>,
}

/// Replicate trials.
#[derive(Debug, Clone, Deserialize)]
pub struct Replicates {
    /// Number of replicates.
    pub k: Option<u64>,
    /// Share of replicates with a significant primary result.
    pub power: Option<f64>,
    /// Primary estimate in each replicate (null where not estimable).
    #[serde(default)]
    pub estimates: Vec<Option<f64>>,
    /// Effect measure of the estimates.
    pub measure: Option<String>,
}

/// Display name of an effect measure.
pub fn measure_text(measure: &str) -> String {
    match measure {
        "risk_difference" => "Risk difference".to_owned(),
        "risk_ratio" => "Risk ratio".to_owned(),
        "odds_ratio" => "Odds ratio".to_owned(),
        "hazard_ratio" => "Hazard ratio".to_owned(),
        "common_odds_ratio" => "Common odds ratio".to_owned(),
        "mean_difference" => "Mean difference".to_owned(),
        "rmst_difference" => "RMST difference".to_owned(),
        "subdistribution_hazard_ratio" => "Subdistribution hazard ratio".to_owned(),
        other => other.replace('_', " "),
    }
}

/// Whether a measure is a ratio (null value 1, log scale) rather than a difference (null 0).
pub fn is_ratio(measure: &str) -> bool {
    measure.ends_with("ratio")
}
