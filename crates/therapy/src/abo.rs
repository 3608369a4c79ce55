//! ABO blood groups, their population frequencies, and plasma compatibility.
//!
//! Plasma carries the donor's anti-A/anti-B antibodies, so a plasma unit is compatible when the
//! donor's plasma has no antibody against the recipient's antigens: AB plasma (no antibodies) goes
//! to everyone, A plasma (anti-B) to A and O, B plasma (anti-A) to B and O, O plasma (anti-A and
//! anti-B) to O only. This is the reverse of red-cell compatibility. RhD does not matter for
//! plasma and is not modelled.

use rand::RngExt;
use serde::{Deserialize, Serialize};

/// An ABO blood group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AboGroup {
    /// Group O: no A/B antigens; plasma has anti-A and anti-B.
    O,
    /// Group A: A antigen; plasma has anti-B.
    A,
    /// Group B: B antigen; plasma has anti-A.
    B,
    /// Group AB: both antigens; plasma has neither antibody.
    AB,
}

impl AboGroup {
    /// All groups, in the order used by frequency tables.
    pub const ALL: [AboGroup; 4] = [AboGroup::O, AboGroup::A, AboGroup::B, AboGroup::AB];

    fn has_a_antigen(self) -> bool {
        matches!(self, AboGroup::A | AboGroup::AB)
    }
    fn has_b_antigen(self) -> bool {
        matches!(self, AboGroup::B | AboGroup::AB)
    }

    /// Whether plasma from a `self` donor may be given to a `recipient`: the donor's plasma
    /// antibodies (anti-A unless the donor has A, anti-B unless the donor has B) must not meet a
    /// recipient antigen.
    pub fn plasma_compatible_with(self, recipient: AboGroup) -> bool {
        let donor_has_anti_a = !self.has_a_antigen();
        let donor_has_anti_b = !self.has_b_antigen();
        !(donor_has_anti_a && recipient.has_a_antigen()
            || donor_has_anti_b && recipient.has_b_antigen())
    }
}

/// ABO frequencies of a population (they sum to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AboFrequencies {
    /// P(O), P(A), P(B), P(AB), in [`AboGroup::ALL`] order.
    probabilities: [f64; 4],
}

impl AboFrequencies {
    /// Italy (close to most of western Europe): O 0.45, A 0.41, B 0.10, AB 0.04 [M: group shares
    /// of Italian blood donors as recalled, RhD pooled; check against AVIS/CNS data].
    pub const ITALY: AboFrequencies = AboFrequencies {
        probabilities: [0.45, 0.41, 0.10, 0.04],
    };

    /// Frequencies from shares of O, A, B, AB; they must be non-negative and sum to 1 (±1e-6).
    pub fn new(o: f64, a: f64, b: f64, ab: f64) -> Result<Self, crate::SpecError> {
        let probabilities = [o, a, b, ab];
        let sum: f64 = probabilities.iter().sum();
        if probabilities.iter().any(|p| !(p.is_finite() && *p >= 0.0)) || (sum - 1.0).abs() > 1e-6 {
            return Err(crate::SpecError::Inconsistent(format!(
                "ABO frequencies must be non-negative and sum to 1, got {probabilities:?}"
            )));
        }
        Ok(Self { probabilities })
    }

    /// Probability of `group`.
    pub fn probability(&self, group: AboGroup) -> f64 {
        self.probabilities[group as usize]
    }

    /// Draws a group.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> AboGroup {
        let u: f64 = rng.random();
        let mut cumulative = 0.0;
        for group in AboGroup::ALL {
            cumulative += self.probability(group);
            if u < cumulative {
                return group;
            }
        }
        AboGroup::AB
    }
}

#[cfg(test)]
mod tests {
    use super::AboGroup::*;

    #[test]
    fn compatibility_table_matches_transfusion_rules() {
        // Rows: donor plasma; columns: recipient O, A, B, AB (AABB Technical Manual plasma table).
        let expected = [
            (O, [true, false, false, false]),
            (A, [true, true, false, false]),
            (B, [true, false, true, false]),
            (AB, [true, true, true, true]),
        ];
        for (donor, row) in expected {
            for (recipient, ok) in super::AboGroup::ALL.into_iter().zip(row) {
                assert_eq!(
                    donor.plasma_compatible_with(recipient),
                    ok,
                    "{donor:?} -> {recipient:?}"
                );
            }
        }
    }
}
