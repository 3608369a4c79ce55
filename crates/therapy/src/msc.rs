//! Mesenchymal stromal cells: product, dose and schedule → `MesenchymalStromalCells` dose
//! events; and the effect presets that express how uncertain MSC efficacy is.
//!
//! The PK (lung entrapment, loss of viable cells) and PD (immunoregulatory state Q) equations
//! live in the model (MODEL.md §8.3); this module only says how many viable cells enter, when.

use crate::bounds::{SpecError, check};
use crate::patient::PatientContext;
use crate::schedule::{ConditionalDoses, Schedule};
use model::dosing::{DoseEvent, DoseInput};
use serde::{Deserialize, Serialize};

/// Infusion time of one MSC dose, days: about 1 h (MODEL.md §8.4).
const MSC_INFUSION_DAYS: f64 = 1.0 / 24.0;

/// Tissue the cells come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MscSource {
    /// Bone marrow (NCT04467047, Porto Alegre).
    BoneMarrow,
    /// Umbilical cord (Lanzoni 2021; Peng 2020 case report).
    UmbilicalCord,
}

/// How a dose is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum MscDose {
    /// Cells per kg of body weight per infusion. Typical 1×10⁶ (MODEL.md §5.3). Bounds
    /// [1e4, 1e8].
    CellsPerKg(f64),
    /// Cells per infusion regardless of weight. Lanzoni 2021: 1×10⁸. Bounds [1e6, 1e10].
    FlatCells(f64),
}

/// An MSC regimen as written (raw; validate with [`MscRegimen::new`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MscSpec {
    /// Cell source. Default umbilical cord.
    pub source: MscSource,
    /// Dose per infusion. Default 1×10⁶ cells/kg (MODEL.md §5.3).
    pub dose: MscDose,
    /// First infusion, days since symptom onset. Default 0. Bounds [0, 60].
    pub first_day: f64,
    /// Number of infusions. Default 3 (every other day, Stem Cell Res Ther 2022; Peng 2020).
    /// Bounds [1, 10].
    pub infusions: u32,
    /// Days between infusions. Default 2 (every 48–72 h, MODEL.md §5.3). Bounds [0.5, 30].
    pub interval_days: f64,
    /// Fraction of infused cells that are viable. Default 0.9 [A: release criteria ask ≥ 70 %;
    /// fresh or well-thawed products reach 85–95 %]. Bounds [0.5, 1].
    pub viability: f64,
}

impl Default for MscSpec {
    fn default() -> Self {
        Self {
            source: MscSource::UmbilicalCord,
            dose: MscDose::CellsPerKg(1e6),
            first_day: 0.0,
            infusions: 3,
            interval_days: 2.0,
            viability: 0.9,
        }
    }
}

/// A validated MSC regimen.
#[derive(Debug, Clone, PartialEq)]
pub struct MscRegimen {
    spec: MscSpec,
    schedule: Schedule,
}

impl MscRegimen {
    /// Validates `spec`.
    pub fn new(spec: MscSpec) -> Result<Self, SpecError> {
        match spec.dose {
            MscDose::CellsPerKg(c) => check("dose", c, 1e4, 1e8, "cells/kg")?,
            MscDose::FlatCells(c) => check("flat", c, 1e6, 1e10, "cells")?,
        };
        check(
            "infusions",
            f64::from(spec.infusions),
            1.0,
            10.0,
            "infusions",
        )?;
        check("interval_days", spec.interval_days, 0.5, 30.0, "d")?;
        check("viability", spec.viability, 0.5, 1.0, "(fraction)")?;
        let schedule = Schedule {
            first_day: spec.first_day,
            doses: spec.infusions,
            interval_days: spec.interval_days,
            conditional_after_first: false,
        };
        schedule.validate()?;
        Ok(Self { spec, schedule })
    }

    /// The validated spec.
    pub fn spec(&self) -> &MscSpec {
        &self.spec
    }

    /// Viable cells per infusion for a patient of `body_weight_kg`: dose × (weight) × viability.
    pub fn viable_cells(&self, body_weight_kg: f64) -> f64 {
        let cells = match self.spec.dose {
            MscDose::CellsPerKg(per_kg) => per_kg * body_weight_kg,
            MscDose::FlatCells(cells) => cells,
        };
        cells * self.spec.viability
    }

    /// One `MesenchymalStromalCells` infusion (1 h) per scheduled day.
    pub fn dose_events(&self, patient: &PatientContext) -> Vec<DoseEvent> {
        let viable_cells = self.viable_cells(patient.body_weight_kg);
        self.schedule
            .dose_days(ConditionalDoses::Give)
            .into_iter()
            .map(|day| DoseEvent {
                time_days: patient.model_time(day),
                duration_days: MSC_INFUSION_DAYS,
                input: DoseInput::MesenchymalStromalCells { viable_cells },
            })
            .collect()
    }
}

/// A named set of values for the model's MSC effect parameters (MODEL.md §8.3, §8.6), with the
/// evidence behind it. Population and trial code apply it to the model parameters by name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MscEffectPreset {
    /// Name used in protocols (`msc_effect = "neutral"`).
    pub name: &'static str,
    /// (model parameter name, value) pairs, names as in `model::PARAM_INFO`: e_q_myeloid and
    /// e_q_il6 (MODEL.md e_QM, e_QC: fractional cut of myeloid recruitment and IL-6 production
    /// at Q = 1), e_q_repair (e_QR: relative boost of epithelial repair), eta_q (η_Q: fractional
    /// cut of bystander damage), e_q_tcell (e_QX: fractional cut of T-cell expansion), k_q_on
    /// and k_q_off (k_Qon, k_Qoff, d⁻¹: onset and offset of the immunoregulatory state).
    pub parameters: &'static [(&'static str, f64)],
    /// Why these values.
    pub evidence: &'static str,
}

/// Optimistic: the small early trials (Lanzoni 2021 survival 91 % vs 42 %; PMC9259515 pooled
/// OR 0.18 for 28-day mortality): effects larger than the defaults and longer-lasting.
pub const MSC_OPTIMISTIC: MscEffectPreset = MscEffectPreset {
    name: "optimistic",
    parameters: &[
        ("e_q_myeloid", 0.6),
        ("e_q_il6", 0.7),
        ("e_q_repair", 2.0),
        ("eta_q", 0.6),
        ("e_q_tcell", 0.1),
        ("k_q_on", 2.0),
        ("k_q_off", 0.14),
    ],
    evidence: "Lanzoni 2021 (n=24) survival 91 % vs 42 %; PMC9259515 (6 RCTs) 28-d OR 0.18 (0.06–0.52); \
               IL-6/TNF falls in Stem Cell Res Ther 2022. Sizes [A]; k_Qoff 0.14 d⁻¹ = t½ 5 d [A].",
};

/// Neutral (central): the MODEL.md §8.6 defaults, meant to land near the largest pooled
/// estimate, 28-day mortality RR 0.76 (0.62–0.93) (Qin 2024, 17 RCTs).
pub const MSC_NEUTRAL: MscEffectPreset = MscEffectPreset {
    name: "neutral",
    parameters: &[
        ("e_q_myeloid", 0.4),
        ("e_q_il6", 0.5),
        ("e_q_repair", 1.0),
        ("eta_q", 0.4),
        ("e_q_tcell", 0.2),
        ("k_q_on", 2.0),
        ("k_q_off", 0.23),
    ],
    evidence: "MODEL.md §8.6 defaults [A], target pooled 28-d RR 0.76 (0.62–0.93), Qin 2024 Stem Cell Rev Rep \
               (17 RCTs, n=1019).",
};

/// Pessimistic: the larger blinded trials (STROMA-CoV-2, REALIST) found no gain in oxygenation
/// or mortality; effects near zero while the T-cell suppression (the GVHD mechanism) remains.
pub const MSC_PESSIMISTIC: MscEffectPreset = MscEffectPreset {
    name: "pessimistic",
    parameters: &[
        ("e_q_myeloid", 0.05),
        ("e_q_il6", 0.1),
        ("e_q_repair", 0.1),
        ("eta_q", 0.05),
        ("e_q_tcell", 0.2),
        ("k_q_on", 2.0),
        ("k_q_off", 0.35),
    ],
    evidence: "STROMA-CoV-2 (Monsel 2022) no P/F benefit at day 7; REALIST null; Qin 2024 60- and 90-day RR \
               0.87 and 0.91 with CIs crossing 1. Sizes [A]; k_Qoff 0.35 d⁻¹ = t½ 2 d [A].",
};

/// All presets, for lookup by name.
pub const MSC_EFFECT_PRESETS: [MscEffectPreset; 3] = [MSC_OPTIMISTIC, MSC_NEUTRAL, MSC_PESSIMISTIC];

impl MscEffectPreset {
    /// The preset called `name`, if any.
    pub fn by_name(name: &str) -> Option<MscEffectPreset> {
        MSC_EFFECT_PRESETS.into_iter().find(|p| p.name == name)
    }

    /// The value this preset gives parameter `parameter`, if it sets it.
    pub fn value(&self, parameter: &str) -> Option<f64> {
        self.parameters
            .iter()
            .find(|(name, _)| *name == parameter)
            .map(|(_, v)| *v)
    }
}

impl MscEffectPreset {
    /// Sets this preset's values on `params` (checked against the model's parameter table).
    pub fn apply(&self, params: &mut model::Params) -> Result<(), model::ParamError> {
        for &(name, value) in self.parameters {
            params.set(name, value)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_ordered_by_benefit() {
        // Every preset applies within the model's bounds, and the neutral one is the model's
        // defaults (MODEL.md §8.6).
        for preset in MSC_EFFECT_PRESETS {
            let mut params = model::Params::default();
            preset.apply(&mut params).unwrap();
        }
        let defaults = model::Params::default();
        for &(name, value) in MSC_NEUTRAL.parameters {
            assert_eq!(defaults.get(name), Some(value), "{name}");
        }
        // Benefit parameters: optimistic ≥ neutral ≥ pessimistic; each preset sets the same names.
        for name in ["e_q_myeloid", "e_q_il6", "e_q_repair", "eta_q"] {
            let v = |p: &MscEffectPreset| p.value(name).unwrap();
            assert!(v(&MSC_OPTIMISTIC) >= v(&MSC_NEUTRAL), "{name}");
            assert!(v(&MSC_NEUTRAL) >= v(&MSC_PESSIMISTIC), "{name}");
        }
        assert_eq!(
            MscEffectPreset::by_name("pessimistic"),
            Some(MSC_PESSIMISTIC)
        );
        assert_eq!(MscEffectPreset::by_name("hopeful"), None);
    }
}
