//! Allocation of enrolled patients to arms: single group, simple randomization, permuted blocks
//! (fixed or random block sizes), stratified permuted blocks, and Pocock–Simon minimisation, all
//! with allocation ratios such as 2:1.
//!
//! No maintained Rust crate implements clinical-trial randomization (ECOSYSTEM.md §1.10), so it
//! is written here. The schemes mirror the R packages `blockrand` (Snow; permuted blocks with
//! random block sizes drawn from multiples of the ratio sum) and `randomizeR`/`carat`
//! (stratified blocks, minimisation), and Pocock & Simon, *Biometrics* 1975;31:103–115
//! (minimisation with a random element).
//!
//! Allocation is sequential by nature (patient i's arm can depend on earlier patients), so it is
//! computed once, in enrollment order, before patients are simulated in parallel.
//!
//! Random streams (all `streams::stream(seed, Purpose::Allocation, id)`):
//! - simple randomization: `id` = patient id (each patient's draw is independent of the others);
//! - permuted blocks: `id` = stratum id (0 when unstratified), one block sequence per stratum;
//! - minimisation: `id` = 0, one sequence for the whole trial.

use rand::RngExt;
use streams::{ChaCha8Rng, Purpose};
use thiserror::Error;

/// Index of an arm in the protocol's arm list (0-based).
pub type ArmIndex = usize;

/// Errors in an allocation design or its input. All come from user-controlled protocol values.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum AllocationError {
    /// The ratio list is empty.
    #[error("the allocation ratio needs at least one arm")]
    EmptyRatio,
    /// A ratio entry is zero.
    #[error("allocation ratio entry {arm} is 0; every arm needs a positive share")]
    ZeroRatio {
        /// The arm with the zero entry.
        arm: usize,
    },
    /// Single-group allocation was asked with more than one arm.
    #[error("single-group allocation needs exactly one arm, found {arms}")]
    SingleGroupWithSeveralArms {
        /// Number of arms in the ratio.
        arms: usize,
    },
    /// A block size is not a positive multiple of the ratio sum.
    #[error("block size {size} is not a positive multiple of the ratio sum {ratio_sum}")]
    BadBlockSize {
        /// The offending size.
        size: u32,
        /// Sum of the allocation ratio.
        ratio_sum: u32,
    },
    /// No block size was given.
    #[error("permuted-block randomization needs at least one block size")]
    NoBlockSizes,
    /// The minimisation probability is outside (0, 1].
    #[error("minimisation probability for the preferred arm must be in (0, 1], got {p}")]
    BadPreferredProbability {
        /// The offending probability.
        p: f64,
    },
    /// A factor has no levels.
    #[error("stratification factor {factor} has no levels")]
    EmptyFactor {
        /// Index of the factor.
        factor: usize,
    },
    /// A factor weight is not a positive finite number.
    #[error("minimisation weight of factor {factor} must be positive and finite, got {weight}")]
    BadFactorWeight {
        /// Index of the factor.
        factor: usize,
        /// The offending weight.
        weight: f64,
    },
    /// The number of minimisation weights differs from the number of factors.
    #[error("minimisation has {factors} factors but {weights} weights")]
    WeightCount {
        /// Number of factors.
        factors: usize,
        /// Number of weights.
        weights: usize,
    },
    /// A patient's factor levels do not match the design's factors.
    #[error(
        "patient {patient_id}: expected {expected} factor levels, got {got}, or a level out of range"
    )]
    BadPatientLevels {
        /// The patient.
        patient_id: u64,
        /// Number of factors in the design.
        expected: usize,
        /// Number of levels the patient carried.
        got: usize,
    },
    /// A patient has no usable value of an allocation factor.
    #[error(
        "patient {patient_id}: no baseline value of allocation factor `{factor}`; \
         choose a factor the simulation knows"
    )]
    MissingFactor {
        /// The patient.
        patient_id: u64,
        /// The factor's variable name.
        factor: String,
    },
}

/// Allocation ratio, e.g. `[2, 1]` for 2:1. Validated: non-empty, every entry positive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ratio(Vec<u32>);

impl Ratio {
    /// Validates a ratio.
    pub fn new(parts: Vec<u32>) -> Result<Self, AllocationError> {
        if parts.is_empty() {
            return Err(AllocationError::EmptyRatio);
        }
        if let Some(arm) = parts.iter().position(|&p| p == 0) {
            return Err(AllocationError::ZeroRatio { arm });
        }
        Ok(Self(parts))
    }

    /// The ratio entries, one per arm.
    pub fn parts(&self) -> &[u32] {
        &self.0
    }

    /// Number of arms.
    pub fn arms(&self) -> usize {
        self.0.len()
    }

    /// Sum of the entries (the smallest balanced block).
    pub fn sum(&self) -> u32 {
        self.0.iter().sum()
    }

    /// Target share of arm `arm` (entry / sum); `None` for an arm index out of range.
    pub fn share(&self, arm: ArmIndex) -> Option<f64> {
        let part = *self.0.get(arm)?;
        Some(f64::from(part) / f64::from(self.sum()))
    }

    /// Draws an arm with probabilities proportional to the ratio.
    fn draw(&self, rng: &mut ChaCha8Rng) -> ArmIndex {
        draw_weighted(self, &vec![true; self.arms()], rng)
    }
}

/// Stratification or minimisation factors: the number of levels of each factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factors(Vec<u32>);

impl Factors {
    /// Validates factor level counts (each ≥ 1). An empty list means "no factors".
    pub fn new(levels: Vec<u32>) -> Result<Self, AllocationError> {
        if let Some(factor) = levels.iter().position(|&l| l == 0) {
            return Err(AllocationError::EmptyFactor { factor });
        }
        Ok(Self(levels))
    }

    /// Number of levels of each factor.
    pub fn levels(&self) -> &[u32] {
        &self.0
    }

    /// Mixed-radix stratum id of a level combination (first factor varies slowest).
    fn stratum_id(&self, patient: &Enrollee) -> Result<u64, AllocationError> {
        self.check(patient)?;
        Ok(self
            .0
            .iter()
            .zip(&patient.levels)
            .fold(0u64, |id, (&n, &level)| {
                id * u64::from(n) + u64::from(level)
            }))
    }

    fn check(&self, patient: &Enrollee) -> Result<(), AllocationError> {
        let ok = patient.levels.len() == self.0.len()
            && patient.levels.iter().zip(&self.0).all(|(&l, &n)| l < n);
        if ok {
            Ok(())
        } else {
            Err(AllocationError::BadPatientLevels {
                patient_id: patient.id,
                expected: self.0.len(),
                got: patient.levels.len(),
            })
        }
    }
}

/// Block sizes for permuted blocks: each a positive multiple of the ratio sum. With several
/// sizes, each new block's size is drawn uniformly from the list (as `blockrand`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSizes(Vec<u32>);

impl BlockSizes {
    /// Validates block sizes against the ratio.
    pub fn new(sizes: Vec<u32>, ratio: &Ratio) -> Result<Self, AllocationError> {
        if sizes.is_empty() {
            return Err(AllocationError::NoBlockSizes);
        }
        let ratio_sum = ratio.sum();
        if let Some(&size) = sizes.iter().find(|&&s| s == 0 || s % ratio_sum != 0) {
            return Err(AllocationError::BadBlockSize { size, ratio_sum });
        }
        Ok(Self(sizes))
    }

    /// The allowed sizes.
    pub fn sizes(&self) -> &[u32] {
        &self.0
    }

    /// The largest allowed size.
    pub fn max(&self) -> u32 {
        self.0.iter().copied().max().unwrap_or(0)
    }
}

/// Pocock–Simon minimisation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimisation {
    factors: Factors,
    weights: Vec<f64>,
    p_preferred: f64,
}

impl Minimisation {
    /// Default probability of assigning the arm that minimises imbalance (assumption: the value
    /// most often used in practice, e.g. Pocock & Simon 1975 discuss p between 2/3 and 0.8+).
    pub const DEFAULT_P_PREFERRED: f64 = 0.8;

    /// Validates minimisation settings. `weights` holds one positive weight per factor (use 1.0
    /// for the classical unweighted rule); `p_preferred` is in (0, 1].
    pub fn new(
        factors: Factors,
        weights: Vec<f64>,
        p_preferred: f64,
    ) -> Result<Self, AllocationError> {
        if !(p_preferred > 0.0 && p_preferred <= 1.0) {
            return Err(AllocationError::BadPreferredProbability { p: p_preferred });
        }
        if weights.len() != factors.levels().len() {
            return Err(AllocationError::WeightCount {
                factors: factors.levels().len(),
                weights: weights.len(),
            });
        }
        if let Some((factor, &weight)) = weights
            .iter()
            .enumerate()
            .find(|&(_, &w)| !(w.is_finite() && w > 0.0))
        {
            return Err(AllocationError::BadFactorWeight { factor, weight });
        }
        Ok(Self {
            factors,
            weights,
            p_preferred,
        })
    }
}

/// How patients are allocated.
#[derive(Debug, Clone, PartialEq)]
pub enum Scheme {
    /// Everyone to the one arm (single-group studies).
    SingleGroup,
    /// Independent draws with probabilities proportional to the ratio.
    Simple,
    /// Permuted blocks over the whole trial.
    PermutedBlocks(BlockSizes),
    /// Permuted blocks within each stratum (the combination of factor levels).
    StratifiedBlocks {
        /// Block sizes (shared by all strata).
        blocks: BlockSizes,
        /// Stratification factors.
        factors: Factors,
    },
    /// Pocock–Simon minimisation with a random element.
    Minimisation(Minimisation),
}

/// A validated allocation design: a ratio and a scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    ratio: Ratio,
    scheme: Scheme,
}

impl Design {
    /// Validates that the scheme fits the ratio (block sizes were checked when built with the
    /// same ratio; they are checked again here in case another ratio was used).
    pub fn new(ratio: Ratio, scheme: Scheme) -> Result<Self, AllocationError> {
        match &scheme {
            Scheme::SingleGroup if ratio.arms() != 1 => {
                return Err(AllocationError::SingleGroupWithSeveralArms { arms: ratio.arms() });
            }
            Scheme::PermutedBlocks(blocks) | Scheme::StratifiedBlocks { blocks, .. } => {
                BlockSizes::new(blocks.sizes().to_vec(), &ratio)?;
            }
            _ => {}
        }
        Ok(Self { ratio, scheme })
    }

    /// The allocation ratio.
    pub fn ratio(&self) -> &Ratio {
        &self.ratio
    }

    /// The scheme.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }
}

/// A patient as allocation sees it: an id and the levels of the design's factors (0-based;
/// empty when the design has no factors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollee {
    /// Patient id.
    pub id: u64,
    /// Level of each stratification/minimisation factor, in the design's factor order.
    pub levels: Vec<u32>,
}

/// Allocates `patients` (in enrollment order) under `design` and master `seed`. Returns one arm
/// per patient, in the same order.
pub fn allocate(
    design: &Design,
    seed: u64,
    patients: &[Enrollee],
) -> Result<Vec<ArmIndex>, AllocationError> {
    let ratio = &design.ratio;
    match &design.scheme {
        Scheme::SingleGroup => Ok(vec![0; patients.len()]),
        Scheme::Simple => Ok(patients
            .iter()
            .map(|p| ratio.draw(&mut streams::stream(seed, Purpose::Allocation, p.id)))
            .collect()),
        Scheme::PermutedBlocks(blocks) => {
            let mut sequence = BlockSequence::new(seed, 0);
            Ok(patients
                .iter()
                .map(|_| sequence.next(ratio, blocks))
                .collect())
        }
        Scheme::StratifiedBlocks { blocks, factors } => {
            // One block sequence per stratum, created when its first patient arrives.
            let mut sequences = std::collections::BTreeMap::new();
            patients
                .iter()
                .map(|p| {
                    let stratum = factors.stratum_id(p)?;
                    let sequence = sequences
                        .entry(stratum)
                        .or_insert_with(|| BlockSequence::new(seed, stratum));
                    Ok(sequence.next(ratio, blocks))
                })
                .collect()
        }
        Scheme::Minimisation(settings) => minimise(ratio, settings, seed, patients),
    }
}

/// The list of arms of one stratum, filled one shuffled block at a time.
struct BlockSequence {
    rng: ChaCha8Rng,
    block: Vec<ArmIndex>,
    next: usize,
}

impl BlockSequence {
    fn new(seed: u64, stream_id: u64) -> Self {
        Self {
            rng: streams::stream(seed, Purpose::Allocation, stream_id),
            block: Vec::new(),
            next: 0,
        }
    }

    fn next(&mut self, ratio: &Ratio, sizes: &BlockSizes) -> ArmIndex {
        if self.next == self.block.len() {
            self.refill(ratio, sizes);
        }
        let arm = self.block[self.next];
        self.next += 1;
        arm
    }

    /// Draws a block size, fills the block with `size / ratio_sum × ratio[j]` copies of each arm
    /// j, and shuffles it (Fisher–Yates with unbiased integer draws).
    fn refill(&mut self, ratio: &Ratio, sizes: &BlockSizes) {
        let size_index = self.rng.random_range(0..sizes.sizes().len() as u64) as usize;
        let multiple = sizes.sizes()[size_index] / ratio.sum();
        self.block.clear();
        for (arm, &part) in ratio.parts().iter().enumerate() {
            self.block
                .extend(std::iter::repeat_n(arm, (multiple * part) as usize));
        }
        for i in (1..self.block.len()).rev() {
            let j = self.rng.random_range(0..=i as u64) as usize;
            self.block.swap(i, j);
        }
        self.next = 0;
    }
}

/// Pocock–Simon minimisation. For each candidate arm k, the imbalance if the new patient went to
/// k is G_k = Σ_f w_f · range_j(n_{f,l_f,j} / r_j), where n_{f,l,j} counts earlier patients in
/// arm j with level l of factor f and r_j is the ratio entry (dividing by r_j makes "balanced"
/// mean "in the ratio"). The arm with the smallest G_k (ties broken at random with probabilities
/// proportional to the ratio) is assigned with probability p; otherwise one of the other arms,
/// drawn with probabilities proportional to the ratio. This is the range-based rule of
/// Pocock & Simon (1975); the unequal-ratio weighting is the simple n/r scaling, not the
/// biased-coin refinement of Kuznetsova & Tymofyeyev (2012).
fn minimise(
    ratio: &Ratio,
    settings: &Minimisation,
    seed: u64,
    patients: &[Enrollee],
) -> Result<Vec<ArmIndex>, AllocationError> {
    let arms = ratio.arms();
    let levels = settings.factors.levels();
    // counts[f][level][arm]
    let mut counts: Vec<Vec<Vec<u64>>> = levels
        .iter()
        .map(|&n| vec![vec![0u64; arms]; n as usize])
        .collect();
    let mut rng = streams::stream(seed, Purpose::Allocation, 0);
    let mut out = Vec::with_capacity(patients.len());
    for patient in patients {
        settings.factors.check(patient)?;
        let imbalance: Vec<f64> = (0..arms)
            .map(|candidate| {
                patient
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(f, &level)| {
                        let row = &counts[f][level as usize];
                        let scaled = (0..arms).map(|j| {
                            let n = row[j] + u64::from(j == candidate);
                            n as f64 / f64::from(ratio.parts()[j])
                        });
                        let (lo, hi) = scaled
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                                (lo.min(x), hi.max(x))
                            });
                        settings.weights[f] * (hi - lo)
                    })
                    .sum()
            })
            .collect();
        let best = imbalance.iter().copied().fold(f64::INFINITY, f64::min);
        let tied: Vec<bool> = imbalance.iter().map(|&g| g == best).collect();
        let preferred = draw_weighted(ratio, &tied, &mut rng);
        let arm = if arms == 1 || rng.random::<f64>() < settings.p_preferred {
            preferred
        } else {
            let others: Vec<bool> = (0..arms).map(|j| j != preferred).collect();
            draw_weighted(ratio, &others, &mut rng)
        };
        for (f, &level) in patient.levels.iter().enumerate() {
            counts[f][level as usize][arm] += 1;
        }
        out.push(arm);
    }
    Ok(out)
}

/// Draws one of the arms where `allowed` is true, with probabilities proportional to the ratio.
fn draw_weighted(ratio: &Ratio, allowed: &[bool], rng: &mut ChaCha8Rng) -> ArmIndex {
    let total: u64 = ratio
        .parts()
        .iter()
        .zip(allowed)
        .filter(|&(_, &a)| a)
        .map(|(&p, _)| u64::from(p))
        .sum();
    let u = rng.random_range(0..total);
    let mut cumulative = 0u64;
    for (arm, (&part, &a)) in ratio.parts().iter().zip(allowed).enumerate() {
        if a {
            cumulative += u64::from(part);
            if u < cumulative {
                return arm;
            }
        }
    }
    unreachable!("u < total of allowed parts by construction")
}

#[cfg(test)]
mod tests;
