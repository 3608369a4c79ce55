//! The protocol file as written: serde types that mirror the TOML one to one.
//!
//! Every table denies unknown keys. Types here are checked by serde (shape, types, enum codes);
//! cross-field rules (one primary endpoint, arm counts, dose bounds, criteria) are checked by
//! [`crate::validate`], which turns a [`ProtocolFile`] into a [`crate::Protocol`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::registry::{
    Allocation, ArmGroupType, ContactRole, EnrollmentType, InterventionModel, Masking, Phase,
    PrimaryPurpose, Sex, Status, StudyType, WhoMasked,
};

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolFile {
    /// Registry fields.
    pub study: Study,
    /// Computable eligibility.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// Arms (`[[arm]]`).
    #[serde(default)]
    pub arm: Vec<ArmFile>,
    /// Regimens (`[[regimen]]`), referred to by name from arms.
    #[serde(default)]
    pub regimen: Vec<RegimenFile>,
    /// Endpoints (`[[endpoint]]`).
    #[serde(default)]
    pub endpoint: Vec<Endpoint>,
    /// Analysis options.
    #[serde(default)]
    pub analysis: Analysis,
    /// Simulation settings.
    pub simulation: Simulation,
    /// Allocation method (`[allocation]`); absent: permuted blocks of twice the ratio sum
    /// (single group for one arm).
    pub allocation: Option<AllocationTable>,
    /// The published result a replica protocol is compared with (absent in ordinary protocols).
    #[serde(default)]
    pub validation: Option<crate::validation::Validation>,
}

/// `[study]`: the registry record (ClinicalTrials.gov API v2 names, snake_case; codes verbatim).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Registry identifier (`NCT` + 8 digits) or any local identifier.
    pub id: String,
    /// `briefTitle`.
    pub brief_title: String,
    /// `officialTitle`.
    pub official_title: Option<String>,
    /// `acronym`.
    pub acronym: Option<String>,
    /// `overallStatus`.
    pub status: Option<Status>,
    /// `studyType`; interventional unless said otherwise.
    pub study_type: Option<StudyType>,
    /// `phases`.
    #[serde(default)]
    pub phases: Vec<Phase>,
    /// `conditions`.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// `keywords`.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// `designInfo.primaryPurpose`.
    pub primary_purpose: Option<PrimaryPurpose>,
    /// `designInfo.allocation`.
    pub allocation: Allocation,
    /// `designInfo.interventionModel`.
    pub intervention_model: InterventionModel,
    /// `maskingInfo.masking`.
    pub masking: Option<Masking>,
    /// `maskingInfo.whoMasked`.
    #[serde(default)]
    pub who_masked: Vec<WhoMasked>,
    /// `enrollmentInfo.count`.
    pub enrollment: Option<u32>,
    /// `enrollmentInfo.type`.
    pub enrollment_type: Option<EnrollmentType>,
    /// `eligibilityModule.sex`.
    pub sex: Option<Sex>,
    /// `eligibilityModule.minimumAge`, registry form such as `"18 Years"`; absent means no limit.
    pub minimum_age: Option<String>,
    /// `eligibilityModule.maximumAge`; absent means no limit.
    pub maximum_age: Option<String>,
    /// `eligibilityModule.healthyVolunteers`.
    pub healthy_volunteers: Option<bool>,
    /// `eligibilityModule.eligibilityCriteria`, verbatim Markdown.
    pub eligibility_text: Option<String>,
    /// `leadSponsor.name`.
    pub sponsor: Option<String>,
    /// `collaborators[].name`.
    #[serde(default)]
    pub collaborators: Vec<String>,
    /// `briefSummary`.
    pub brief_summary: Option<String>,
    /// `startDateStruct.date` (`YYYY-MM` or `YYYY-MM-DD`).
    pub start_date: Option<String>,
    /// `primaryCompletionDateStruct.date`.
    pub primary_completion_date: Option<String>,
    /// `completionDateStruct.date`.
    pub completion_date: Option<String>,
    /// `centralContacts` (`[[study.contacts]]`).
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// `locations` (`[[study.sites]]`).
    #[serde(default)]
    pub sites: Vec<Site>,
    /// `outcomesModule`, as registered (`[[study.outcomes]]`). Free text; the computable
    /// endpoints are the `[[endpoint]]` tables.
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
}

/// A central contact or official.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name with degrees, as registered.
    pub name: String,
    /// Role code.
    pub role: Option<ContactRole>,
    /// Affiliation.
    pub affiliation: Option<String>,
}

/// A site (`locations[]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Facility name.
    pub facility: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<String>,
}

/// Which outcome list a registered outcome belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// `primaryOutcomes`.
    Primary,
    /// `secondaryOutcomes`.
    Secondary,
    /// `otherOutcomes`.
    Other,
}

/// A registered outcome, free text.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Which list.
    pub kind: OutcomeKind,
    /// `measure`.
    pub measure: String,
    /// `timeFrame`.
    pub time_frame: Option<String>,
    /// `description`.
    pub description: Option<String>,
}

/// `[eligibility]`: computable criteria (see [`crate::criteria`] for the expression language).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// A patient must meet every one of these.
    #[serde(default)]
    pub inclusion: Vec<String>,
    /// A patient meeting any one of these is excluded.
    #[serde(default)]
    pub exclusion: Vec<String>,
}

/// `[[arm]]` as written.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArmFile {
    /// `armGroups[].label`; unique.
    pub label: String,
    /// `armGroups[].type`.
    #[serde(rename = "type")]
    pub arm_type: ArmGroupType,
    /// Allocation ratio weight (1 and 1 is 1:1; 2 and 1 is 2:1). Must be > 0.
    #[serde(default = "one")]
    pub ratio: u32,
    /// Names of `[[regimen]]`s given in this arm; empty for no intervention.
    #[serde(default)]
    pub regimens: Vec<String>,
    /// `armGroups[].description`.
    pub description: Option<String>,
}

fn one() -> u32 {
    1
}

/// What a regimen's schedule counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleReference {
    /// Day 0 is the day of randomization (enrollment in a single-group study).
    Randomization,
    /// Day 0 is the day of symptom onset.
    SymptomOnset,
}

/// `[[regimen]]` as written: common schedule keys plus exactly one product table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegimenFile {
    /// Name that arms refer to; unique.
    pub name: String,
    /// What `start_day` counts from.
    #[serde(default = "randomization")]
    pub relative_to: ScheduleReference,
    /// Day of the first administration, days after the reference event (0 = same day).
    #[serde(default)]
    pub start_day: u32,
    /// Delay of the actual start, drawn once per patient (absent: no delay).
    pub start_delay: Option<StartDelay>,
    /// Hyperimmune or convalescent plasma.
    pub plasma: Option<Plasma>,
    /// Mesenchymal stromal cells.
    pub msc: Option<Msc>,
    /// Dexamethasone.
    pub dexamethasone: Option<Dexamethasone>,
    /// Remdesivir.
    pub remdesivir: Option<Remdesivir>,
    /// Lopinavir/ritonavir.
    pub lopinavir_ritonavir: Option<LopinavirRitonavir>,
    /// Interferon alpha.
    pub interferon_alpha: Option<InterferonAlpha>,
    /// Ribavirin.
    pub ribavirin: Option<Ribavirin>,
    /// Methylprednisolone.
    pub methylprednisolone: Option<Methylprednisolone>,
    /// Non-specific intravenous immunoglobulin.
    pub immunoglobulin: Option<Immunoglobulin>,
    /// Antibiotics.
    pub antibiotics: Option<Antibiotics>,
    /// Tocilizumab.
    pub tocilizumab: Option<Tocilizumab>,
    /// A named bundle of care.
    pub bundle: Option<Bundle>,
}

/// Distribution of the delay between the scheduled and the actual start of a regimen, in
/// days. Each patient draws one uniform u; every delayed regimen of every arm starts
/// F⁻¹(u) days late, so a patient's counterfactual twins are delayed alike.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub enum StartDelay {
    /// Uniform on `[min_days, max_days]`.
    Uniform {
        /// Shortest delay, days (≥ 0).
        min_days: f64,
        /// Longest delay, days (≥ `min_days`, ≤ 30).
        max_days: f64,
    },
    /// Gamma with shape k and scale θ (mean kθ days).
    Gamma {
        /// Shape k (0 < k ≤ 100).
        shape: f64,
        /// Scale θ, days (0 < θ ≤ 30).
        scale_days: f64,
    },
    /// Log-normal: ln(delay) ~ Normal(ln(median), sdlog²).
    Lognormal {
        /// Median delay, days (0 < median ≤ 30).
        median_days: f64,
        /// Standard deviation of ln(delay) (0 < sdlog ≤ 3).
        sdlog: f64,
    },
}

fn randomization() -> ScheduleReference {
    ScheduleReference::Randomization
}

/// Names of the product tables a regimen may hold (for messages and hints).
pub const PRODUCT_KEYS: &[&str] = &[
    "plasma",
    "msc",
    "dexamethasone",
    "remdesivir",
    "lopinavir_ritonavir",
    "interferon_alpha",
    "ribavirin",
    "methylprednisolone",
    "immunoglobulin",
    "antibiotics",
    "tocilizumab",
    "bundle",
];

/// Kind of plasma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlasmaKind {
    /// Selected high-titer donors (qualification threshold applies).
    Hyperimmune,
    /// Any recovered donor.
    Convalescent,
}

/// Pathogen-reduction method applied to the units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathogenReduction {
    /// None.
    None,
    /// Methylene blue + visible light.
    MethyleneBlue,
    /// Amotosalen + UVA (INTERCEPT).
    AmotosalenUva,
    /// Riboflavin + UV (Mirasol).
    RiboflavinUv,
    /// Solvent/detergent (pooled).
    SolventDetergent,
}

/// How donor and recipient ABO groups are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AboMatching {
    /// Same group.
    Identical,
    /// Plasma-compatible (donor plasma carries no antibody against recipient cells).
    Compatible,
    /// Not matched.
    None,
}

/// Donor neutralising titer distribution: log-normal.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DonorTiter {
    /// Median titer, ID50.
    pub median_id50: f64,
    /// Geometric standard deviation (> 1).
    pub gsd: f64,
}

/// `[regimen.plasma]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Plasma {
    /// Hyperimmune or convalescent.
    pub kind: PlasmaKind,
    /// Units given (1–6).
    pub units: u32,
    /// Volume of one unit, mL (50–600); or use `unit_volume_ml_per_kg`.
    pub unit_volume_ml: Option<f64>,
    /// Volume of one unit per kg body weight, mL/kg (1–15).
    pub unit_volume_ml_per_kg: Option<f64>,
    /// Days between units (0 = all on the same day).
    #[serde(default)]
    pub interval_days: u32,
    /// Donor titer distribution.
    pub donor_titer: DonorTiter,
    /// Units below this titer are discarded, ID50 (0 = no threshold).
    #[serde(default)]
    pub qualification_min_id50: f64,
    /// Assay that the titers refer to, e.g. "live-virus microneutralization".
    pub assay: Option<String>,
    /// Pathogen reduction.
    pub pathogen_reduction: PathogenReduction,
    /// ABO matching rule.
    #[serde(default = "compatible")]
    pub abo_matching: AboMatching,
}

fn compatible() -> AboMatching {
    AboMatching::Compatible
}

/// MSC tissue source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MscSource {
    /// Bone marrow.
    BoneMarrow,
    /// Umbilical cord (Wharton's jelly).
    UmbilicalCord,
}

/// `[regimen.msc]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Msc {
    /// Tissue source.
    pub source: MscSource,
    /// Dose per infusion, cells/kg (1e5–1e7); or use `cells`.
    pub cells_per_kg: Option<f64>,
    /// Flat dose per infusion, cells (1e6–1e9).
    pub cells: Option<f64>,
    /// Number of infusions (1–10).
    pub infusions: u32,
    /// Days between infusions.
    #[serde(default)]
    pub spacing_days: u32,
    /// Viable fraction at infusion (0–1].
    #[serde(default = "default_viability")]
    pub viability: f64,
}

fn default_viability() -> f64 {
    // assumption: release criterion of ≥ 90 % viable cells, usual for clinical MSC lots
    0.9
}

/// Route of administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// By mouth.
    Oral,
    /// Intravenous.
    Intravenous,
    /// Subcutaneous.
    Subcutaneous,
    /// Nebulised / inhaled.
    Nebulized,
}

/// `[regimen.dexamethasone]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dexamethasone {
    /// mg per day (0.5–40).
    pub mg_per_day: f64,
    /// Days of treatment (1–30).
    pub days: u32,
    /// Oral or intravenous.
    pub route: Route,
}

/// `[regimen.remdesivir]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Remdesivir {
    /// Day-1 loading dose, mg (0–400).
    pub loading_mg: f64,
    /// Daily maintenance dose, mg (1–200).
    pub maintenance_mg: f64,
    /// Days of treatment including the loading day (1–14).
    pub days: u32,
}

/// `[regimen.lopinavir_ritonavir]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LopinavirRitonavir {
    /// Lopinavir per dose, mg (100–800).
    pub lopinavir_mg: f64,
    /// Ritonavir per dose, mg (25–200).
    pub ritonavir_mg: f64,
    /// Doses per day (1–4).
    pub doses_per_day: u32,
    /// Days (1–28).
    pub days: u32,
}

/// `[regimen.interferon_alpha]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InterferonAlpha {
    /// Million international units per dose (0.1–30).
    pub million_units: f64,
    /// Doses per day (1–4).
    pub doses_per_day: u32,
    /// Nebulized or subcutaneous.
    pub route: Route,
    /// Days (1–28).
    pub days: u32,
}

/// `[regimen.ribavirin]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ribavirin {
    /// mg per dose (100–2000).
    pub mg_per_dose: f64,
    /// Doses per day (1–4).
    pub doses_per_day: u32,
    /// Oral or intravenous.
    pub route: Route,
    /// Days (1–28).
    pub days: u32,
}

/// `[regimen.methylprednisolone]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Methylprednisolone {
    /// mg/kg per day (0.1–30); or use `mg_per_day`.
    pub mg_per_kg_per_day: Option<f64>,
    /// Flat mg per day (1–1000).
    pub mg_per_day: Option<f64>,
    /// Days (1–30).
    pub days: u32,
}

/// `[regimen.immunoglobulin]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Immunoglobulin {
    /// g/kg per day (0.05–2).
    pub g_per_kg_per_day: f64,
    /// Days (1–10).
    pub days: u32,
}

/// `[regimen.antibiotics]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Antibiotics {
    /// Agent, e.g. "meropenem" (recorded, no antiviral effect in the model).
    pub agent: String,
    /// Days (1–42).
    pub days: u32,
}

/// `[regimen.tocilizumab]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tocilizumab {
    /// mg/kg per dose (1–12).
    pub mg_per_kg: f64,
    /// Cap per dose, mg (100–1000).
    #[serde(default = "tocilizumab_cap")]
    pub max_mg: f64,
    /// Doses (1–3).
    pub doses: u32,
    /// Days between doses.
    #[serde(default)]
    pub spacing_days: u32,
}

fn tocilizumab_cap() -> f64 {
    // label maximum for cytokine-release syndrome and the RECOVERY tocilizumab arm: 800 mg
    800.0
}

/// Named bundles of care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleName {
    /// Hospital standard therapy for severe COVID-19 as practised in spring 2020 (supportive
    /// care, oxygen, thromboprophylaxis; the `therapy` crate defines its drug content).
    #[serde(rename = "standard_therapy_2020")]
    StandardTherapy2020,
    /// Supportive care only (oxygen, fluids, thromboprophylaxis), no antiviral or steroid.
    SupportiveCare,
}

/// `[regimen.bundle]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Which bundle.
    pub name: BundleName,
}

/// What an endpoint measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Death from any cause.
    Death,
    /// WHO Clinical Progression Scale (0–10).
    WhoScore,
    /// Improvement by ≥ 2 points on the WHO scale, or discharge.
    ClinicalImprovement,
    /// Discharge alive from hospital.
    Discharge,
    /// Absolute lymphocyte count.
    LymphocyteCount,
    /// Viral clearance (first negative RT-PCR).
    ViralClearance,
    /// Viral load in the respiratory tract, log10 copies/mL.
    ViralLoad,
    /// PaO2/FiO2 ratio.
    PfRatio,
    /// Serum IL-6.
    Il6,
    /// Neutralising antibody titer.
    NeutralizingTiter,
    /// Extubation (among intubated patients).
    Extubation,
    /// Transfusion reactions (TACO, TRALI, allergic, febrile).
    TransfusionReaction,
    /// Any adverse event.
    AdverseEvent,
    /// Ventilator-free days through day N: days alive and off invasive ventilation (WHO ≥ 7);
    /// 0 for a patient dead by day N.
    VentilatorFreeDays,
    /// Organ-support-free days through day N (REMAP-CAP: N = 21): days alive and free of
    /// respiratory or cardiovascular organ support (WHO ≥ 6); −1 for a patient who died.
    OrganSupportFreeDays,
    /// Severe respiratory disease: SpO2 below 93% on room air (from P/F), or death (Libster
    /// 2021; its other criterion, respiratory rate >= 30, is not modelled).
    SevereRespiratoryDisease,
}

/// Statistical type of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointKind {
    /// Yes/no by the time point.
    Binary,
    /// Time until the event, censored at the time point.
    TimeToEvent,
    /// Ordinal scale at the time point.
    Ordinal,
    /// Continuous value at the time point or over a window.
    Continuous,
}

/// `[[endpoint]]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Short unique name, used as a column name in outputs.
    pub name: String,
    /// Statistical type.
    pub kind: EndpointKind,
    /// What is measured.
    pub measure: Measure,
    /// Time point or horizon, days after randomization (1–365, within follow-up).
    pub day: u32,
    /// Start of a window ending at `day` (e.g. lymphocytes days 1–7).
    pub from_day: Option<u32>,
    /// Whether this is the primary endpoint; exactly one must be.
    #[serde(default)]
    pub primary: bool,
    /// Free-text description.
    pub description: Option<String>,
}

/// Analysis population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisPopulation {
    /// Everyone randomized, in the arm they were randomized to.
    #[default]
    IntentionToTreat,
    /// Those who received the allocated treatment.
    PerProtocol,
}

/// `[analysis]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// Significance level (0–0.5).
    #[serde(default = "alpha")]
    pub alpha: f64,
    /// 1 or 2 sided tests.
    #[serde(default = "two")]
    pub sides: u32,
    /// Analysis population.
    #[serde(default)]
    pub population: AnalysisPopulation,
    /// Baseline variables to adjust for (names from the variable table).
    #[serde(default)]
    pub covariates: Vec<String>,
    /// Also simulate every patient under every arm (counterfactual twins).
    #[serde(default = "yes")]
    pub twins: bool,
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis {
            alpha: alpha(),
            sides: two(),
            population: AnalysisPopulation::default(),
            covariates: Vec::new(),
            twins: yes(),
        }
    }
}

fn alpha() -> f64 {
    0.05
}
fn two() -> u32 {
    2
}
fn yes() -> bool {
    true
}

/// `[simulation]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// Master seed.
    pub seed: u64,
    /// Name of the virtual population to sample (defined by the population crate).
    pub population: String,
    /// Patients enrolled per replicate (1–1,000,000).
    pub patients: u32,
    /// Replicate trials (1–10,000).
    #[serde(default = "one")]
    pub replicates: u32,
    /// Follow-up after randomization, days (1–365).
    pub follow_up_days: u32,
    /// Loss to follow-up (absent: nobody is lost).
    pub loss_to_follow_up: Option<LossToFollowUp>,
}

/// `loss_to_follow_up`: an exponential time to loss, given by its rate or by the share lost
/// by a day. Exactly one of `rate_per_day` and `proportion` (with `by_day`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LossToFollowUp {
    /// Hazard of loss, per day (0–1).
    pub rate_per_day: Option<f64>,
    /// Share of patients lost by `by_day`, among those still alive ([0, 1)).
    pub proportion: Option<f64>,
    /// Day by which `proportion` are lost (1 to follow-up).
    pub by_day: Option<u32>,
}

impl LossToFollowUp {
    /// The hazard of loss per day: `rate_per_day`, or −ln(1 − p) / `by_day` so that
    /// P(T ≤ by_day) = p for the exponential time T.
    pub fn rate(&self) -> f64 {
        match (self.rate_per_day, self.proportion, self.by_day) {
            (Some(rate), _, _) => rate,
            (None, Some(p), Some(day)) if day > 0 && p < 1.0 => -(1.0 - p).ln() / f64::from(day),
            _ => 0.0,
        }
    }
}

/// Randomization method of an `[allocation]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationMethod {
    /// Independent draws with probabilities proportional to the ratio.
    Simple,
    /// Permuted blocks over the whole trial.
    PermutedBlocks,
    /// Permuted blocks within each stratum (combination of factor levels).
    StratifiedBlocks,
    /// Pocock–Simon minimisation over the factors, with a random element.
    Minimisation,
}

/// `[allocation]`: how enrolled patients are allocated to arms.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationTable {
    /// The method.
    pub method: AllocationMethod,
    /// Block sizes (blocks methods); each new block's size is drawn among them. Each a
    /// multiple of the ratio sum. Absent: one size, twice the ratio sum.
    #[serde(default)]
    pub block_sizes: Vec<u32>,
    /// Stratification / minimisation factors: baseline variable names.
    #[serde(default)]
    pub factors: Vec<String>,
    /// Per-factor settings (`[allocation.factor.age]`), keyed by variable name.
    #[serde(default)]
    pub factor: BTreeMap<String, FactorTable>,
    /// Minimisation weight of each factor, in `factors` order (default 1 each).
    #[serde(default)]
    pub weights: Vec<f64>,
    /// Minimisation: probability of the arm that minimises imbalance (default 0.8).
    pub p_preferred: Option<f64>,
}

/// `[allocation.factor.NAME]`: how a factor's values make levels.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FactorTable {
    /// Numeric variables: increasing cut points; level k holds values in
    /// `[cutoffs[k-1], cutoffs[k])` (first level below the first cut point).
    #[serde(default)]
    pub cutoffs: Vec<f64>,
}

/// How a value of a file enum is spelled in protocol files (`"amotosalen_uva"`, `"bone_marrow"`).
pub fn spelling<T: Serialize>(value: &T) -> String {
    match toml::Value::try_from(value) {
        Ok(toml::Value::String(s)) => s,
        _ => String::from("?"),
    }
}
