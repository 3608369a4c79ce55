//! When the doses of a product are given, on the clinical clock.

use crate::bounds::{SpecError, check};
use serde::{Deserialize, Serialize};

/// Longest schedule accepted, doses.
const MAX_DOSES: u32 = 60;

/// Equally spaced doses: the first on `first_day` (days since symptom onset), then every
/// `interval_days`. When `conditional_after_first` is set, doses after the first are given only
/// if the clinical response calls for them (NCT04321421: "day 1, then days 3 and 5 according to
/// clinical response"); the caller decides, see [`ConditionalDoses`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// First dose, days since symptom onset. Bounds [0, 60].
    pub first_day: f64,
    /// Number of doses. Bounds [1, 60].
    pub doses: u32,
    /// Days between doses. Bounds [0.04, 30] (≥ 1 h).
    pub interval_days: f64,
    /// Doses after the first depend on clinical response.
    #[serde(default)]
    pub conditional_after_first: bool,
}

/// Whether the response-dependent doses of a schedule are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionalDoses {
    /// Give every scheduled dose (the planning worst case).
    Give,
    /// Give only the unconditional first dose.
    Skip,
}

impl Schedule {
    /// One dose on `day`.
    pub fn single(day: f64) -> Self {
        Self {
            first_day: day,
            doses: 1,
            interval_days: 1.0,
            conditional_after_first: false,
        }
    }

    /// `doses` daily doses starting on `day`.
    pub fn daily(day: f64, doses: u32) -> Self {
        Self {
            first_day: day,
            doses,
            interval_days: 1.0,
            conditional_after_first: false,
        }
    }

    /// Checks every field against its bounds.
    pub fn validate(&self) -> Result<(), SpecError> {
        check("first_day", self.first_day, 0.0, 60.0, "d since onset")?;
        check(
            "doses",
            f64::from(self.doses),
            1.0,
            f64::from(MAX_DOSES),
            "doses",
        )?;
        check("interval_days", self.interval_days, 0.04, 30.0, "d")?;
        Ok(())
    }

    /// Days since onset of the doses that are given.
    pub fn dose_days(&self, conditional: ConditionalDoses) -> Vec<f64> {
        let given = match (self.conditional_after_first, conditional) {
            (true, ConditionalDoses::Skip) => 1,
            _ => self.doses,
        };
        (0..given)
            .map(|k| self.first_day + f64::from(k) * self.interval_days)
            .collect()
    }
}
