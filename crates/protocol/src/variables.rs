//! The baseline variables that eligibility criteria (and analysis covariates) may name.
//!
//! [`VARIABLES`] is the one table of them: name, unit, type and description. How each value is
//! computed for a virtual patient is the population crate's business; this crate only needs a
//! [`Baseline`] that answers "what is this patient's value of `var`?".

use std::fmt;

/// A baseline variable a criterion can name. The spelling in protocol files is [`Variable::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variable {
    /// Age at randomization, years.
    Age,
    /// Sex at birth: `female` or `male`.
    Sex,
    /// Body weight, kg.
    WeightKg,
    /// Body-mass index, kg/m².
    Bmi,
    /// Days from symptom onset to randomization.
    DaysSinceOnset,
    /// WHO Clinical Progression Scale, 0 (uninfected) to 10 (dead).
    WhoScore,
    /// PaO2/FiO2 ratio, mmHg.
    PfRatio,
    /// Peripheral oxygen saturation on room air, %.
    Spo2,
    /// Respiratory support at randomization.
    RespiratorySupport,
    /// SARS-CoV-2 RT-PCR positive at screening.
    RtPcrPositive,
    /// Anti-SARS-CoV-2 antibodies detectable at baseline.
    Seropositive,
    /// Endogenous neutralising antibody titer at baseline, ID50 (reciprocal dilution).
    NeutralizingTiter,
    /// Serum interleukin-6, pg/mL.
    Il6,
    /// Absolute lymphocyte count, 10⁹/L.
    LymphocyteCount,
    /// C-reactive protein, mg/dL.
    Crp,
    /// Days since ARDS onset (Berlin definition); 0 when no ARDS.
    DaysSinceArdsOnset,
    /// Diabetes mellitus.
    Diabetes,
    /// Arterial hypertension.
    Hypertension,
    /// Obesity (BMI ≥ 30 kg/m²).
    Obesity,
    /// Chronic cardiovascular disease.
    CardiovascularDisease,
    /// Chronic lung disease (COPD, asthma, fibrosis).
    ChronicLungDisease,
    /// Chronic kidney disease.
    ChronicKidneyDisease,
    /// Immunocompromised (malignancy on treatment, transplant, immunosuppressants).
    Immunocompromised,
    /// ABO blood group.
    AboGroup,
    /// Currently pregnant.
    Pregnant,
    /// Currently breastfeeding.
    Breastfeeding,
    /// Known HIV, syphilis or another blood-borne infection.
    BloodBorneInfection,
    /// Known hypersensitivity to blood products or immunoglobulins.
    BloodProductHypersensitivity,
}

/// What kind of value a variable holds, and so how a criterion may compare it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VarType {
    /// A number in `unit`; compared with `<`, `<=`, `>`, `>=`, `==`, `!=` or `in [lo, hi]`.
    Number,
    /// True or false; used bare (`pregnant`), negated (`not pregnant`) or compared to `true`/`false`.
    Boolean,
    /// One of a fixed set of levels; compared with `==` / `!=` to a level name.
    Category(&'static [&'static str]),
}

/// One row of the variable table.
#[derive(Debug, Clone, Copy)]
pub struct VariableInfo {
    /// The variable.
    pub var: Variable,
    /// Spelling in criteria expressions.
    pub name: &'static str,
    /// Unit (`""` for booleans and categories).
    pub unit: &'static str,
    /// Value type.
    pub ty: VarType,
    /// One-line description.
    pub description: &'static str,
}

/// Levels of [`Variable::Sex`].
pub const SEX_LEVELS: &[&str] = &["female", "male"];
/// Levels of [`Variable::RespiratorySupport`], in increasing intensity.
pub const RESPIRATORY_SUPPORT_LEVELS: &[&str] = &[
    "none",
    "low_flow_oxygen",
    "high_flow_oxygen",
    "noninvasive_ventilation",
    "invasive_ventilation",
    "ecmo",
];
/// Levels of [`Variable::AboGroup`].
pub const ABO_LEVELS: &[&str] = &["O", "A", "B", "AB"];

const fn row(
    var: Variable,
    name: &'static str,
    unit: &'static str,
    ty: VarType,
    description: &'static str,
) -> VariableInfo {
    VariableInfo {
        var,
        name,
        unit,
        ty,
        description,
    }
}

use VarType::{Boolean, Category, Number};

/// Every variable a criterion may name.
pub const VARIABLES: &[VariableInfo] = &[
    row(
        Variable::Age,
        "age",
        "years",
        Number,
        "age at randomization",
    ),
    row(
        Variable::Sex,
        "sex",
        "",
        Category(SEX_LEVELS),
        "sex at birth",
    ),
    row(Variable::WeightKg, "weight", "kg", Number, "body weight"),
    row(Variable::Bmi, "bmi", "kg/m²", Number, "body-mass index"),
    row(
        Variable::DaysSinceOnset,
        "days_since_onset",
        "days",
        Number,
        "days from symptom onset to randomization",
    ),
    row(
        Variable::WhoScore,
        "who_score",
        "0–10",
        Number,
        "WHO Clinical Progression Scale at randomization",
    ),
    row(
        Variable::PfRatio,
        "pf_ratio",
        "mmHg",
        Number,
        "PaO2/FiO2 ratio",
    ),
    row(Variable::Spo2, "spo2", "%", Number, "SpO2 on room air"),
    row(
        Variable::RespiratorySupport,
        "respiratory_support",
        "",
        Category(RESPIRATORY_SUPPORT_LEVELS),
        "respiratory support at randomization",
    ),
    row(
        Variable::RtPcrPositive,
        "rt_pcr_positive",
        "",
        Boolean,
        "SARS-CoV-2 RT-PCR positive at screening",
    ),
    row(
        Variable::Seropositive,
        "seropositive",
        "",
        Boolean,
        "anti-SARS-CoV-2 antibodies detectable at baseline",
    ),
    row(
        Variable::NeutralizingTiter,
        "neutralizing_titer",
        "ID50",
        Number,
        "endogenous neutralising antibody titer (reciprocal dilution)",
    ),
    row(Variable::Il6, "il6", "pg/mL", Number, "serum interleukin-6"),
    row(
        Variable::LymphocyteCount,
        "lymphocyte_count",
        "10^9/L",
        Number,
        "absolute lymphocyte count",
    ),
    row(Variable::Crp, "crp", "mg/dL", Number, "C-reactive protein"),
    row(
        Variable::DaysSinceArdsOnset,
        "days_since_ards_onset",
        "days",
        Number,
        "days since ARDS onset (Berlin definition); 0 without ARDS",
    ),
    row(
        Variable::Diabetes,
        "diabetes",
        "",
        Boolean,
        "diabetes mellitus",
    ),
    row(
        Variable::Hypertension,
        "hypertension",
        "",
        Boolean,
        "arterial hypertension",
    ),
    row(
        Variable::Obesity,
        "obesity",
        "",
        Boolean,
        "obesity (BMI ≥ 30 kg/m²)",
    ),
    row(
        Variable::CardiovascularDisease,
        "cardiovascular_disease",
        "",
        Boolean,
        "chronic cardiovascular disease",
    ),
    row(
        Variable::ChronicLungDisease,
        "chronic_lung_disease",
        "",
        Boolean,
        "chronic lung disease",
    ),
    row(
        Variable::ChronicKidneyDisease,
        "chronic_kidney_disease",
        "",
        Boolean,
        "chronic kidney disease",
    ),
    row(
        Variable::Immunocompromised,
        "immunocompromised",
        "",
        Boolean,
        "immunocompromised",
    ),
    row(
        Variable::AboGroup,
        "abo_group",
        "",
        Category(ABO_LEVELS),
        "ABO blood group",
    ),
    row(
        Variable::Pregnant,
        "pregnant",
        "",
        Boolean,
        "currently pregnant",
    ),
    row(
        Variable::Breastfeeding,
        "breastfeeding",
        "",
        Boolean,
        "currently breastfeeding",
    ),
    row(
        Variable::BloodBorneInfection,
        "blood_borne_infection",
        "",
        Boolean,
        "known HIV, syphilis or other blood-borne infection",
    ),
    row(
        Variable::BloodProductHypersensitivity,
        "blood_product_hypersensitivity",
        "",
        Boolean,
        "hypersensitivity to blood products or immunoglobulins",
    ),
];

impl Variable {
    /// This variable's row in [`VARIABLES`].
    pub fn info(self) -> &'static VariableInfo {
        VARIABLES
            .iter()
            .find(|row| row.var == self)
            .expect("every Variable has a row in VARIABLES (checked by a test)")
    }

    /// Spelling in protocol files.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Look a variable up by its spelling in protocol files.
    pub fn from_name(name: &str) -> Option<Variable> {
        VARIABLES
            .iter()
            .find(|row| row.name == name)
            .map(|row| row.var)
    }
}

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A patient's value of one variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A number in the variable's unit.
    Number(f64),
    /// A yes/no fact.
    Bool(bool),
    /// A level of a categorical variable, spelled as in the variable's level list.
    Category(&'static str),
    /// Not known for this patient. Every comparison with a missing value is false.
    Missing,
}

/// Whatever can say a patient's baseline values: a virtual patient, a plain test struct.
pub trait Baseline {
    /// The patient's value of `var`.
    fn value(&self, var: Variable) -> Value;
}

/// Any closure from variable to value is a baseline.
impl<F: Fn(Variable) -> Value> Baseline for F {
    fn value(&self, var: Variable) -> Value {
        self(var)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for (i, row) in VARIABLES.iter().enumerate() {
            assert_eq!(Variable::from_name(row.name), Some(row.var));
            assert_eq!(row.var.name(), row.name);
            for other in &VARIABLES[i + 1..] {
                assert_ne!(row.name, other.name);
                assert_ne!(row.var, other.var);
            }
        }
        assert_eq!(VARIABLES.len(), 28, "one row per Variable variant");
    }
}
