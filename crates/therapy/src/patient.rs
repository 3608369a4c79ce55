//! What the therapy code needs to know about the recipient.

use crate::abo::AboGroup;
use crate::bounds::{SpecError, check};

/// Recipient facts that turn a regimen into doses: weight-based doses, the clinical → model
/// clock shift, and plasma compatibility.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatientContext {
    /// Body weight, kg. Bounds [30, 250].
    pub body_weight_kg: f64,
    /// Days from infection to symptom onset (model clock = clinical clock + this). Bounds [0, 30].
    pub incubation_days: f64,
    /// Recipient ABO group.
    pub abo: AboGroup,
}

impl PatientContext {
    /// A validated context.
    pub fn new(
        body_weight_kg: f64,
        incubation_days: f64,
        abo: AboGroup,
    ) -> Result<Self, SpecError> {
        Ok(Self {
            body_weight_kg: check("body_weight_kg", body_weight_kg, 30.0, 250.0, "kg")?,
            incubation_days: check("incubation_days", incubation_days, 0.0, 30.0, "d")?,
            abo,
        })
    }

    /// Model time (days since infection) of a clinical day (days since symptom onset).
    pub fn model_time(&self, days_since_onset: f64) -> f64 {
        self.incubation_days + days_since_onset
    }
}
