//! Screening on the simulated state: the patient's baseline values at the screening day, read
//! from the untreated trajectory, and the evaluation of a protocol's criteria one by one.

use crate::patient::VirtualPatient;
use crate::spec::Setting;
use crate::{Covariates, Sex};
use model::clinical::{self, CareStatus, Support};
use protocol::{Baseline, Protocol, Value, Variable};
use solve::{EventKind, Trajectory};

/// Neutralising titer (ID50) from which a patient counts as seropositive. Assumption: the
/// lowest dilution of common microneutralisation assays, 1:20 (the seroconversion threshold of
/// the model's mild-phenotype facts, Borremans 2020). Binding-antibody assays are not modelled,
/// so the neutralising titer stands in for them.
pub const SEROPOSITIVE_ID50: f64 = 20.0;

/// P/F at or below which the Berlin definition's oxygenation criterion for ARDS is met, mmHg
/// (Berlin 2012: mild ARDS P/F 200-300). PEEP and imaging are not modelled, so ARDS onset is
/// the first day with P/F at or below this value.
pub const ARDS_PF_MMHG: f64 = 300.0;

/// Screen-failure reason of a patient dead before screening.
pub const DIED_BEFORE_SCREENING: &str = "died before screening";
/// Screen-failure reason when the trajectory ends before the screening day.
pub const NO_STATE_AT_SCREENING: &str = "no simulated state at screening";

/// A patient's baseline values at screening, read from the natural-history trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineState {
    /// Baseline covariates (age, sex, body size, comorbidities, ABO, pregnancy).
    pub covariates: Covariates,
    /// Screening setting: inpatients are in hospital at screening.
    pub setting: Setting,
    /// Whole days from symptom onset to screening.
    pub days_since_onset: u32,
    /// Alive at screening.
    pub alive: bool,
    /// In hospital at screening (inpatient setting, or admitted by the model already).
    pub hospitalised: bool,
    /// Invasively ventilated at screening.
    pub ventilated: bool,
    /// PaO₂/FiO₂, mmHg.
    pub pf_ratio: f64,
    /// SpO₂ on room air, %.
    pub spo2: f64,
    /// Respiratory support at screening.
    pub support: Support,
    /// WHO Clinical Progression Scale at screening.
    pub who_score: u8,
    /// Viral load at or above the limit of detection (RT-PCR positive).
    pub rt_pcr_positive: bool,
    /// Endogenous neutralising titer, ID50.
    pub neutralizing_titer: f64,
    /// Plasma IL-6, pg/mL.
    pub il6_pg_ml: f64,
    /// Blood lymphocytes, 10⁹/L.
    pub lymphocytes_1e9_l: f64,
    /// Whole days since the first day with P/F ≤ [`ARDS_PF_MMHG`]; 0 without ARDS.
    pub days_since_ards_onset: u32,
}

impl BaselineState {
    /// The baseline at the patient's screening day, or `None` if the trajectory does not reach
    /// it.
    ///
    /// Inpatients are being admitted at screening, so they count as in hospital (WHO ≥ 4) and
    /// on the oxygen support their P/F needs ([`model::clinical::support`]); outpatients count
    /// as in hospital only if the model admitted them already. Ventilation is kept from the
    /// trajectory.
    pub fn at_screening(patient: &VirtualPatient, trajectory: &Trajectory) -> Option<Self> {
        let day = patient.timeline.screening_days_after_onset;
        let row = trajectory.day(day)?;
        let ventilated = row.support == Support::Invasive;
        let status = CareStatus {
            hospitalised: patient.setting == Setting::Inpatient || row.hospitalised,
            ventilated,
            dead: !row.alive,
            symptomatic: true,
        };
        let ards_onset = trajectory
            .rows
            .iter()
            .take(day as usize + 1)
            .find(|r| r.pf_ratio <= ARDS_PF_MMHG)
            .map(|r| r.day);
        Some(BaselineState {
            covariates: patient.covariates.clone(),
            setting: patient.setting,
            days_since_onset: day,
            alive: row.alive,
            hospitalised: status.hospitalised,
            ventilated,
            pf_ratio: row.pf_ratio,
            spo2: row.spo2,
            support: clinical::support(status, row.pf_ratio),
            who_score: clinical::who_score(
                status,
                row.pf_ratio,
                row.il6_pg_ml,
                row.viral_load_detectable,
            ),
            rt_pcr_positive: row.viral_load_detectable,
            neutralizing_titer: (row.titer_id50 - row.titer_passive_id50).max(0.0),
            il6_pg_ml: row.il6_pg_ml,
            lymphocytes_1e9_l: row.lymphocytes_1e9_l,
            days_since_ards_onset: ards_onset.map_or(0, |onset| day - onset),
        })
    }
}

/// The protocol's name for a support level ([`protocol::variables::RESPIRATORY_SUPPORT_LEVELS`]).
/// High-flow oxygen and non-invasive ventilation are one level in the model; it is reported as
/// high-flow oxygen.
pub fn support_level(support: Support) -> &'static str {
    match support {
        Support::RoomAir => "none",
        Support::LowFlow => "low_flow_oxygen",
        Support::HighFlow => "high_flow_oxygen",
        Support::Invasive => "invasive_ventilation",
    }
}

/// Variables the simulation does not know, answered with [`Value::Missing`] (every comparison
/// with them is false: an inclusion criterion on them fails, an exclusion never applies).
pub const MISSING_VARIABLES: &[(Variable, &str)] = &[
    (Variable::Crp, "C-reactive protein is not modelled"),
    (Variable::Breastfeeding, "breastfeeding is not sampled"),
    (
        Variable::BloodBorneInfection,
        "HIV, syphilis and other blood-borne infections are not sampled",
    ),
];

impl Baseline for BaselineState {
    fn value(&self, var: Variable) -> Value {
        let c = &self.covariates;
        match var {
            // Completed years, as registries count minimum/maximum age (CDISC AGE).
            Variable::Age => Value::Number(f64::from(c.age_completed_years())),
            Variable::Sex => Value::Category(match c.sex {
                Sex::Female => "female",
                Sex::Male => "male",
            }),
            Variable::WeightKg => Value::Number(c.weight_kg),
            Variable::Bmi => Value::Number(c.bmi_kg_m2),
            Variable::DaysSinceOnset => Value::Number(f64::from(self.days_since_onset)),
            Variable::WhoScore => Value::Number(f64::from(self.who_score)),
            Variable::PfRatio => Value::Number(self.pf_ratio),
            Variable::Spo2 => Value::Number(self.spo2),
            Variable::RespiratorySupport => Value::Category(support_level(self.support)),
            Variable::RtPcrPositive => Value::Bool(self.rt_pcr_positive),
            Variable::Seropositive => Value::Bool(self.neutralizing_titer >= SEROPOSITIVE_ID50),
            Variable::NeutralizingTiter => Value::Number(self.neutralizing_titer),
            Variable::Il6 => Value::Number(self.il6_pg_ml),
            Variable::LymphocyteCount => Value::Number(self.lymphocytes_1e9_l),
            Variable::DaysSinceArdsOnset => Value::Number(f64::from(self.days_since_ards_onset)),
            Variable::Diabetes => Value::Bool(c.diabetes),
            Variable::Hypertension => Value::Bool(c.hypertension),
            Variable::Obesity => Value::Bool(c.obesity),
            Variable::CardiovascularDisease => Value::Bool(c.cardiovascular_disease),
            Variable::ChronicLungDisease => Value::Bool(c.chronic_lung_disease),
            Variable::ChronicKidneyDisease => Value::Bool(c.chronic_kidney_disease),
            Variable::Immunocompromised => Value::Bool(c.immunosuppression),
            Variable::AboGroup => Value::Category(c.abo.name()),
            Variable::Pregnant => Value::Bool(c.pregnant),
            Variable::BloodProductHypersensitivity => Value::Bool(c.blood_product_hypersensitivity),
            Variable::Crp | Variable::Breastfeeding | Variable::BloodBorneInfection => {
                Value::Missing
            }
        }
    }
}

/// The outcome of screening one patient.
#[derive(Debug, Clone, PartialEq)]
pub struct Screening {
    /// Passed every check.
    pub eligible: bool,
    /// Every check failed, in order: the age limits (`"age < minimum (18 years)"`), then each
    /// failed inclusion criterion and each exclusion criterion that applies, as written in
    /// the protocol; or only [`DIED_BEFORE_SCREENING`] / [`NO_STATE_AT_SCREENING`]. The first
    /// entry is the reason a CONSORT diagram counts.
    pub failed: Vec<String>,
}

impl Screening {
    /// The reason counted in a CONSORT diagram (the first failed check), if any.
    pub fn first_failure(&self) -> Option<&str> {
        self.failed.first().map(String::as_str)
    }
}

/// Screens `patient` for `protocol` on its untreated `trajectory` at the screening day,
/// evaluating every criterion separately.
pub fn screen(protocol: &Protocol, patient: &VirtualPatient, trajectory: &Trajectory) -> Screening {
    let fail = |reason: &str| Screening {
        eligible: false,
        failed: vec![reason.to_owned()],
    };
    let died_before = trajectory
        .first(EventKind::Death)
        .is_some_and(|t| t <= patient.timeline.screening_day);
    if died_before {
        return fail(DIED_BEFORE_SCREENING);
    }
    let Some(baseline) = BaselineState::at_screening(patient, trajectory) else {
        return fail(NO_STATE_AT_SCREENING);
    };
    if !baseline.alive {
        return fail(DIED_BEFORE_SCREENING);
    }
    let mut failed = Vec::new();
    let age = f64::from(patient.covariates.age_completed_years());
    if let Some(min) = protocol.minimum_age_years
        && age < min
    {
        failed.push(format!("age < minimum ({min} years)"));
    }
    if let Some(max) = protocol.maximum_age_years
        && age > max
    {
        failed.push(format!("age > maximum ({max} years)"));
    }
    for criterion in &protocol.inclusion {
        if !criterion.expr.eval(&baseline) {
            failed.push(criterion.text.clone());
        }
    }
    for criterion in &protocol.exclusion {
        if criterion.expr.eval(&baseline) {
            failed.push(criterion.text.clone());
        }
    }
    Screening {
        eligible: failed.is_empty(),
        failed,
    }
}
