//! Phenotype presets: named parameter sets used in tests, docs and `immunotrial patient`.
//!
//! They differ only in the two main severity drivers of MODEL.md §8.7: IFN competence
//! (`f_ifn`, Jenner 2021: low or late IFN drives severe disease) and inflammatory propensity
//! (`s_myeloid`). Values from MODEL.md §8.6/§8.9.

use std::fmt;
use std::str::FromStr;

use crate::params::Params;

/// A disease phenotype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phenotype {
    /// Outpatient-like course: no oxygen need (P/F > 300, WHO ≤ 4).
    Mild,
    /// The default parameters: lymphopenia, little hypoxaemia.
    Moderate,
    /// Hypoxaemic pneumonia: IL-6 30–150 pg/mL, P/F nadir 100–200, WHO 5–7.
    Severe,
    /// ARDS: P/F nadir < 100, mechanical ventilation (WHO ≥ 7).
    Critical,
}

impl Phenotype {
    /// All presets, mildest first.
    pub const ALL: [Phenotype; 4] = [
        Phenotype::Mild,
        Phenotype::Moderate,
        Phenotype::Severe,
        Phenotype::Critical,
    ];

    /// (IFN competence f_ifn, inflammatory propensity s_myeloid) of the preset.
    pub fn drivers(self) -> (f64, f64) {
        match self {
            Phenotype::Mild => (0.8, 0.3),
            Phenotype::Moderate => (0.5, 0.6),
            Phenotype::Severe => (0.2, 0.9),
            Phenotype::Critical => (0.1, 1.2),
        }
    }

    /// The preset's parameters: defaults with the two drivers set.
    pub fn params(self) -> Params {
        let (f_ifn, s_myeloid) = self.drivers();
        Params {
            f_ifn,
            s_myeloid,
            ..Params::default()
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phenotype::Mild => "mild",
            Phenotype::Moderate => "moderate",
            Phenotype::Severe => "severe",
            Phenotype::Critical => "critical",
        }
    }

    /// The literature facts the preset reproduces (checked by the natural-history tests).
    pub fn facts(self) -> &'static str {
        match self {
            Phenotype::Mild => {
                "VL peak at onset, clearance 13-16 dpo (Neant 2021); titer >= 1:20 by day 7-15 (Borremans 2020); P/F > 300 and WHO <= 4"
            }
            Phenotype::Moderate => {
                "as mild, plus lymphopenia ~0.9e9/L (MODEL.md 8.9); no oxygen or low-flow only"
            }
            Phenotype::Severe => {
                "IL-6 peak 30-150 pg/mL (severe/critical mean 36.7, Leisman 2020); P/F nadir 100-200 (Berlin moderate ARDS); lymphocytes < 0.8e9/L; WHO peak 5-7"
            }
            Phenotype::Critical => {
                "P/F nadir < 100 (Berlin severe ARDS), invasive ventilation (WHO >= 7)"
            }
        }
    }
}

impl fmt::Display for Phenotype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown phenotype name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown phenotype `{0}` (expected mild, moderate, severe or critical)")]
pub struct UnknownPhenotype(pub String);

impl FromStr for Phenotype {
    type Err = UnknownPhenotype;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phenotype::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPhenotype(s.to_string()))
    }
}

/// One deviation of the case-report patient from the severe preset, with its reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deviation {
    /// Parameter name (as in [`crate::PARAM_INFO`]).
    pub name: &'static str,
    /// Value used instead of the severe preset's.
    pub value: f64,
    /// Why this patient plausibly has it.
    pub why: &'static str,
}

/// The patient of the Peng 2020 case report (Stem Cell Res Ther 11:291; TRIALS.md §8): a severe
/// patient who failed antivirals and steroids and was still deteriorating when convalescent
/// plasma was given — plausibly seronegative then, with a slow, weak own antibody response
/// (e.g. immunosuppressed), so virus and IL-6 stayed high until passive antibody arrived.
/// Everything not listed is the [`Phenotype::Severe`] preset.
pub const CASE_REPORT_DEVIATIONS: [Deviation; 3] = [
    Deviation {
        name: "rho_b",
        value: 0.1,
        why: "slow B-cell expansion (1/7 of the default 0.7/d): still seronegative when plasma was given, ten days after onset (assumption; the report gives no serology)",
    },
    Deviation {
        name: "pi_n",
        value: 2.0,
        why: "weak neutralising-antibody production (1/10 of the default 20 ID50/d), as in immunosuppressed patients (assumption)",
    },
    Deviation {
        name: "rho_x",
        value: 0.7,
        why: "slower effector T-cell expansion (0.7 instead of 1.2/d), as in immunosuppressed patients: the virus is not cleared and P/F stays at its nadir through the first-line drugs, as the report describes (assumption)",
    },
];

/// Parameters of the case-report patient: [`Phenotype::Severe`] with [`CASE_REPORT_DEVIATIONS`].
pub fn case_report_params() -> Params {
    let mut params = Phenotype::Severe.params();
    for d in CASE_REPORT_DEVIATIONS {
        // The deviations are within bounds (checked by a unit test below).
        let _ = params.set(d.name, d.value);
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_report_deviations_are_valid_and_differ_from_severe() {
        let severe = Phenotype::Severe.params();
        let mut params = severe;
        for d in CASE_REPORT_DEVIATIONS {
            params.set(d.name, d.value).expect("known name, in bounds");
            assert_ne!(
                severe.get(d.name),
                Some(d.value),
                "{} is no deviation",
                d.name
            );
        }
        assert_eq!(case_report_params(), params);
    }
}
