//! Baseline covariates of one virtual patient.

use serde::{Deserialize, Serialize};

/// Sex at birth, with CDISC SEX codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    /// CDISC "M".
    #[serde(rename = "M")]
    Male,
    /// CDISC "F".
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    /// The CDISC SEX code ("M" or "F").
    pub fn cdisc_code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }
}

/// ABO blood group (Rh is not modelled: plasma compatibility depends on ABO only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AboGroup {
    /// Group O.
    O,
    /// Group A.
    A,
    /// Group B.
    B,
    /// Group AB.
    AB,
}

impl AboGroup {
    /// All groups, in the order used by frequency tables.
    pub const ALL: [AboGroup; 4] = [AboGroup::O, AboGroup::A, AboGroup::B, AboGroup::AB];

    /// The group's name ("O", "A", "B", "AB").
    pub fn name(self) -> &'static str {
        match self {
            AboGroup::O => "O",
            AboGroup::A => "A",
            AboGroup::B => "B",
            AboGroup::AB => "AB",
        }
    }
}

/// Baseline covariates of one virtual patient. A flat record so a cohort is one CSV row per
/// patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Covariates {
    /// Patient id (the key of every random stream of this patient).
    pub patient_id: u64,
    /// Age in years (continuous; CDISC AGE is [`Covariates::age_completed_years`]).
    pub age_years: f64,
    /// Sex.
    pub sex: Sex,
    /// Height in m.
    pub height_m: f64,
    /// Body-mass index, kg/m² (≥ 30 exactly when `obesity`).
    pub bmi_kg_m2: f64,
    /// Body weight in kg (= BMI × height²).
    pub weight_kg: f64,
    /// ABO blood group.
    pub abo: AboGroup,
    /// Hypertension.
    pub hypertension: bool,
    /// Diabetes mellitus (type 1 or 2).
    pub diabetes: bool,
    /// Obesity (BMI ≥ 30 kg/m²).
    pub obesity: bool,
    /// Chronic lung disease (COPD, asthma, interstitial lung disease).
    pub chronic_lung_disease: bool,
    /// Immunosuppression (drugs, transplant, haematological cancer, HIV with low CD4).
    pub immunosuppression: bool,
    /// Chronic cardiovascular disease (coronary or heart failure).
    pub cardiovascular_disease: bool,
    /// Chronic kidney disease.
    pub chronic_kidney_disease: bool,
    /// History of severe reactions to blood products (a common plasma-trial exclusion).
    pub blood_product_hypersensitivity: bool,
    /// Pregnant (only women under 50 years can be).
    pub pregnant: bool,
    /// Incubation period: infection to symptom onset, days.
    pub incubation_days: f64,
    /// Symptom onset to presentation (hospital or ICU admission, or the outpatient enrollment
    /// visit, as the population says), days.
    pub onset_to_presentation_days: f64,
}

impl Covariates {
    /// Age in completed years (CDISC AGE).
    pub fn age_completed_years(&self) -> u32 {
        // Ages are sampled within [MIN_AGE, MAX_AGE] years, so the cast cannot overflow.
        self.age_years.floor() as u32
    }

    /// Number of the seven tracked comorbidities present.
    pub fn comorbidity_count(&self) -> u32 {
        [
            self.hypertension,
            self.diabetes,
            self.obesity,
            self.chronic_lung_disease,
            self.immunosuppression,
            self.cardiovascular_disease,
            self.chronic_kidney_disease,
        ]
        .into_iter()
        .map(u32::from)
        .sum()
    }
}
