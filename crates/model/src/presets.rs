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
