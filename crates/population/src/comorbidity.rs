//! Comorbidity hazard ratios for the model's death hazard (`model::Covariates::hr_comorbidity`).
//!
//! Fully adjusted hazard ratios of COVID-19-related death from OpenSAFELY (Williamson et al.,
//! Nature 2020;584:430, Table 2 / Fig. 1; adjusted for age, sex and every other condition, so
//! their product is the joint effect). The values are quoted from memory and were not checked
//! against the paper here (no access): each row says so. Age and sex are not in this table: the
//! model applies `hr_age65` and `hr_male` itself.

use crate::Covariates;

/// Which covariate a hazard ratio applies to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Condition {
    /// Chronic lung disease.
    ChronicLungDisease,
    /// Diabetes.
    Diabetes,
    /// Immunosuppression.
    Immunosuppression,
    /// Chronic cardiovascular disease.
    CardiovascularDisease,
    /// Chronic kidney disease.
    ChronicKidneyDisease,
    /// Hypertension.
    Hypertension,
    /// BMI in [lower, upper) kg/m².
    Bmi {
        /// Lower bound, kg/m² (inclusive).
        lower: f64,
        /// Upper bound, kg/m² (exclusive).
        upper: f64,
    },
}

impl Condition {
    /// Whether the patient has this condition.
    pub fn present(self, c: &Covariates) -> bool {
        match self {
            Condition::ChronicLungDisease => c.chronic_lung_disease,
            Condition::Diabetes => c.diabetes,
            Condition::Immunosuppression => c.immunosuppression,
            Condition::CardiovascularDisease => c.cardiovascular_disease,
            Condition::ChronicKidneyDisease => c.chronic_kidney_disease,
            Condition::Hypertension => c.hypertension,
            Condition::Bmi { lower, upper } => (lower..upper).contains(&c.bmi_kg_m2),
        }
    }
}

/// One hazard ratio with its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComorbidityHazard {
    /// Short name for the docs table.
    pub name: &'static str,
    /// The condition.
    pub condition: Condition,
    /// Hazard ratio of death.
    pub hazard_ratio: f64,
    /// Source.
    pub source: &'static str,
    /// Whether the value was checked against the source here.
    pub verified: bool,
}

const OPENSAFELY: &str = "Williamson et al., Nature 2020;584:430 (OpenSAFELY), fully adjusted HR";

/// The comorbidity hazard ratios; a patient's `hr_comorbidity` is the product of those present.
pub const COMORBIDITY_HAZARDS: &[ComorbidityHazard] = &[
    ComorbidityHazard {
        name: "chronic lung disease",
        condition: Condition::ChronicLungDisease,
        hazard_ratio: 1.63,
        source: OPENSAFELY,
        verified: false,
    },
    ComorbidityHazard {
        name: "diabetes",
        condition: Condition::Diabetes,
        hazard_ratio: 1.5,
        source: "assumption: between OpenSAFELY controlled (HbA1c < 58 mmol/mol) 1.31 and uncontrolled 1.95 diabetes (Williamson 2020)",
        verified: false,
    },
    ComorbidityHazard {
        name: "immunosuppression",
        condition: Condition::Immunosuppression,
        hazard_ratio: 2.21,
        source: "Williamson 2020 (OpenSAFELY) 'other immunosuppressive condition', fully adjusted HR",
        verified: false,
    },
    ComorbidityHazard {
        name: "chronic cardiovascular disease",
        condition: Condition::CardiovascularDisease,
        hazard_ratio: 1.17,
        source: "Williamson 2020 (OpenSAFELY) chronic heart disease, fully adjusted HR",
        verified: false,
    },
    ComorbidityHazard {
        name: "chronic kidney disease",
        condition: Condition::ChronicKidneyDisease,
        hazard_ratio: 1.33,
        source: "Williamson 2020 (OpenSAFELY) reduced kidney function eGFR 30-60, fully adjusted HR (eGFR < 30: 2.52)",
        verified: false,
    },
    ComorbidityHazard {
        name: "hypertension",
        condition: Condition::Hypertension,
        hazard_ratio: 0.89,
        source: "Williamson 2020 (OpenSAFELY) high blood pressure, fully adjusted HR (< 1 once age, diabetes and the rest are adjusted for)",
        verified: false,
    },
    ComorbidityHazard {
        name: "obesity class I (BMI 30-35)",
        condition: Condition::Bmi {
            lower: 30.0,
            upper: 35.0,
        },
        hazard_ratio: 1.05,
        source: OPENSAFELY,
        verified: false,
    },
    ComorbidityHazard {
        name: "obesity class II (BMI 35-40)",
        condition: Condition::Bmi {
            lower: 35.0,
            upper: 40.0,
        },
        hazard_ratio: 1.40,
        source: OPENSAFELY,
        verified: false,
    },
    ComorbidityHazard {
        name: "obesity class III (BMI >= 40)",
        condition: Condition::Bmi {
            lower: 40.0,
            upper: f64::INFINITY,
        },
        hazard_ratio: 1.92,
        source: OPENSAFELY,
        verified: false,
    },
];

/// Product of the hazard ratios of the conditions the patient has (1 with none).
pub fn hazard_ratio(covariates: &Covariates) -> f64 {
    COMORBIDITY_HAZARDS
        .iter()
        .filter(|h| h.condition.present(covariates))
        .map(|h| h.hazard_ratio)
        .product()
}
