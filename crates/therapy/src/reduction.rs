//! Pathogen-reduction technologies and the neutralising-titer loss they cause.
//!
//! Kostin 2021 (Vox Sang, 140 paired units) measured titers before and after treatment in
//! two-fold dilution steps: a unit either keeps its titer or loses one (rarely two) steps. We
//! keep that shape: each unit independently loses 0, 1 or 2 two-fold steps (loss 0, 0.5, 0.75),
//! with step probabilities chosen so the mean loss equals the simulator defaults of MODEL.md
//! §4.6 (MB 0.10, amotosalen 0.12, riboflavin 0.15, S/D 0.05), which blend Kostin with the
//! studies that found better retention.

use rand::RngExt;
use serde::{Deserialize, Serialize};

/// A pathogen-reduction method applied to plasma units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathogenReduction {
    /// No pathogen reduction (quarantine plasma).
    None,
    /// Methylene blue + visible light (Theraflex MB).
    MethyleneBlue,
    /// Amotosalen + UVA (Intercept).
    Amotosalen,
    /// Riboflavin + UV (Mirasol).
    Riboflavin,
    /// Solvent/detergent on pooled plasma (Octaplas-like): titers are averaged over the pool.
    SolventDetergent,
}

/// Probability of losing 0, 1 and 2 two-fold titer steps, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLoss {
    /// P(0 steps), P(1 step), P(2 steps).
    pub step_probabilities: [f64; 3],
    /// Source of the numbers.
    pub source: &'static str,
}

/// Titer fraction lost per two-fold step count: 0 → 0, 1 → 1/2, 2 → 3/4.
const LOSS_BY_STEPS: [f64; 3] = [0.0, 0.5, 0.75];

impl PathogenReduction {
    /// All methods.
    pub const ALL: [PathogenReduction; 5] = [
        PathogenReduction::None,
        PathogenReduction::MethyleneBlue,
        PathogenReduction::Amotosalen,
        PathogenReduction::Riboflavin,
        PathogenReduction::SolventDetergent,
    ];

    /// Names accepted in protocols and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PathogenReduction::None => "none",
            PathogenReduction::MethyleneBlue => "methylene_blue",
            PathogenReduction::Amotosalen => "amotosalen",
            PathogenReduction::Riboflavin => "riboflavin",
            PathogenReduction::SolventDetergent => "solvent_detergent",
        }
    }

    /// Looks a method up by [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The step-loss distribution of this method.
    pub fn step_loss(self) -> StepLoss {
        match self {
            PathogenReduction::None => StepLoss {
                step_probabilities: [1.0, 0.0, 0.0],
                source: "no treatment",
            },
            PathogenReduction::MethyleneBlue => StepLoss {
                step_probabilities: [0.80, 0.20, 0.0],
                source: "Kostin 2021 Vox Sang: 81 % unchanged, 19 % one step down; mean 0.10 (MODEL.md §4.6)",
            },
            PathogenReduction::Amotosalen => StepLoss {
                step_probabilities: [0.76, 0.24, 0.0],
                source: "Kostin 2021: 40 % one step down; Saudi 2023: 94.6 % retention; blended mean 0.12 (MODEL.md §4.6)",
            },
            PathogenReduction::Riboflavin => StepLoss {
                step_probabilities: [0.72, 0.24, 0.04],
                source: "Kostin 2021: 50 % one, 7 % two steps down; Mirasol/Saudi studies: ≥96 % retention; blended mean 0.15 (MODEL.md §4.6)",
            },
            PathogenReduction::SolventDetergent => StepLoss {
                step_probabilities: [0.90, 0.10, 0.0],
                source: "IgG largely preserved by S/D; mean 0.05 (MODEL.md §4.6, assumption)",
            },
        }
    }

    /// Expected fraction of titer lost, Σ P(k steps)·loss(k).
    pub fn mean_loss(self) -> f64 {
        let p = self.step_loss().step_probabilities;
        p.iter().zip(LOSS_BY_STEPS).map(|(p, l)| p * l).sum()
    }

    /// Draws the fraction of titer one unit loses (0, 0.5 or 0.75).
    pub fn sample_loss<R: rand::Rng + ?Sized>(self, rng: &mut R) -> f64 {
        let p = self.step_loss().step_probabilities;
        let u: f64 = rng.random();
        if u < p[0] {
            LOSS_BY_STEPS[0]
        } else if u < p[0] + p[1] {
            LOSS_BY_STEPS[1]
        } else {
            LOSS_BY_STEPS[2]
        }
    }

    /// Whether units are pooled before treatment (titer averaged over donors).
    pub fn is_pooled(self) -> bool {
        self == PathogenReduction::SolventDetergent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_probabilities_sum_to_one_and_means_match_model_md_defaults() {
        // MODEL.md §4.6 defaults: none 0, MB 0.10, amotosalen 0.12, riboflavin 0.15, S/D 0.05.
        let expected = [0.0, 0.10, 0.12, 0.15, 0.05];
        for (method, mean) in PathogenReduction::ALL.into_iter().zip(expected) {
            let p = method.step_loss().step_probabilities;
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{method:?}");
            assert!((method.mean_loss() - mean).abs() < 1e-12, "{method:?}");
        }
    }
}
