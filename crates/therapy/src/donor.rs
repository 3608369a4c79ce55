//! Convalescent plasma donors: who may give (the seed protocol's rules), what neutralising titer
//! they carry, and whether their plasma qualifies.
//!
//! Titer model [A, shaped by MODEL.md §4.3 and §4.5]: a donor's ID50 is log-normal around a
//! median that is higher after hospitalised disease (Gontu 2021: higher titers with more severe
//! disease) and that stays on a plateau after recovery, then falls exponentially (Gontu 2021:
//! VN ≥ 1:160 declines from ≈ 60 days after onset).

use crate::abo::{AboFrequencies, AboGroup};
use crate::bounds::{SpecError, check, check_fraction};
use rand::RngExt;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// Who comes forward to donate, and the titer their plasma carries. Raw (as written in a
/// protocol); validate with [`DonorPopulation::new`]. Every default is documented on its field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DonorPopulationSpec {
    /// Share of volunteers under 18 (ineligible). Default 0.03 \[A\]. Bounds [0, 1].
    pub fraction_under_18: f64,
    /// Share of volunteers who are female. Default 0.45 [A: convalescent donor cohorts were
    /// mostly male]. Bounds [0, 1].
    pub fraction_female: f64,
    /// Share of female volunteers who have ever been pregnant (ineligible: HLA antibodies, TRALI
    /// risk). Default 0.65 [A: about two thirds of adult women have had a pregnancy]. Bounds [0, 1].
    pub fraction_female_ever_pregnant: f64,
    /// Only men may donate (NCT04321421 collected from recovered male donors). Default false.
    pub male_only: bool,
    /// Share with a prior transfusion (ineligible). Default 0.03 \[A\]. Bounds [0, 1].
    pub fraction_prior_transfusion: f64,
    /// Share deferred by the ordinary donor checks (haemoglobin, weight, infection markers).
    /// Default 0.10 \[A\]. Bounds [0, 1].
    pub fraction_other_deferral: f64,
    /// Volunteers come forward uniformly between these many days after recovery. Default
    /// [7, 120] d \[A\]. Bounds [0, 365].
    pub days_since_recovery_range: [f64; 2],
    /// Eligibility: at least this many days since recovery (protocols use 14 to 28). Default 14.
    /// Bounds [0, 365].
    pub min_days_since_recovery: f64,
    /// Share of donors whose COVID-19 was severe enough for hospital. Default 0.15 \[A\].
    /// Bounds [0, 1].
    pub fraction_hospitalised: f64,
    /// Median ID50 on the plateau after mild disease. Default 200 [A: calibrated so that about
    /// 42 % of blood-bank units exceed ID50 250, within the 37–47 % of the UAB study, MODEL.md
    /// §4.5]. Bounds [1, 1e5].
    pub median_id50_mild: f64,
    /// Multiplier of the median after hospitalised disease. Default 3 [A: gives 87 % ≥ 1:160,
    /// near Lee 2020's 93 % PRNT50 ≥ 1:160 at 31–35 dpo in hospitalised patients]. Bounds [1, 100].
    pub hospitalised_factor: f64,
    /// Geometric standard deviation of ID50 between donors. Default 3.2 [A: same calibration as
    /// `median_id50_mild`]. Bounds [1, 20].
    pub gsd: f64,
    /// Days after recovery during which the titer stays on its plateau. Default 45 [A: recovery
    /// ≈ 14 d after onset, decline from ≈ 60 d after onset, Gontu 2021]. Bounds [0, 365].
    pub plateau_days: f64,
    /// Half-life of the titer after the plateau, days. Default 90 [M: neutralising titers halve
    /// in about 3 months in convalescents]. Bounds [7, 3650].
    pub decay_half_life_days: f64,
}

impl Default for DonorPopulationSpec {
    fn default() -> Self {
        Self {
            fraction_under_18: 0.03,
            fraction_female: 0.45,
            fraction_female_ever_pregnant: 0.65,
            male_only: false,
            fraction_prior_transfusion: 0.03,
            fraction_other_deferral: 0.10,
            days_since_recovery_range: [7.0, 120.0],
            min_days_since_recovery: 14.0,
            fraction_hospitalised: 0.15,
            median_id50_mild: 200.0,
            hospitalised_factor: 3.0,
            gsd: 3.2,
            plateau_days: 45.0,
            decay_half_life_days: 90.0,
        }
    }
}

/// A validated donor population.
#[derive(Debug, Clone, PartialEq)]
pub struct DonorPopulation {
    spec: DonorPopulationSpec,
    abo: AboFrequencies,
}

impl DonorPopulation {
    /// Validates a spec; donors' ABO groups follow `abo`.
    pub fn new(spec: DonorPopulationSpec, abo: AboFrequencies) -> Result<Self, SpecError> {
        check_fraction("fraction_under_18", spec.fraction_under_18)?;
        check_fraction("fraction_female", spec.fraction_female)?;
        check_fraction(
            "fraction_female_ever_pregnant",
            spec.fraction_female_ever_pregnant,
        )?;
        check_fraction(
            "fraction_prior_transfusion",
            spec.fraction_prior_transfusion,
        )?;
        check_fraction("fraction_other_deferral", spec.fraction_other_deferral)?;
        let [lo, hi] = spec.days_since_recovery_range;
        check("days_since_recovery_range", lo, 0.0, 365.0, "d")?;
        check("days_since_recovery_range", hi, lo, 365.0, "d")?;
        check(
            "min_days_since_recovery",
            spec.min_days_since_recovery,
            0.0,
            365.0,
            "d",
        )?;
        check_fraction("fraction_hospitalised", spec.fraction_hospitalised)?;
        check("median_id50_mild", spec.median_id50_mild, 1.0, 1e5, "ID50")?;
        check(
            "hospitalised_factor",
            spec.hospitalised_factor,
            1.0,
            100.0,
            "×",
        )?;
        check("gsd", spec.gsd, 1.0, 20.0, "×")?;
        check("plateau_days", spec.plateau_days, 0.0, 365.0, "d")?;
        check(
            "decay_half_life_days",
            spec.decay_half_life_days,
            7.0,
            3650.0,
            "d",
        )?;
        Ok(Self { spec, abo })
    }

    /// The validated spec.
    pub fn spec(&self) -> &DonorPopulationSpec {
        &self.spec
    }

    /// ABO frequencies of donors.
    pub fn abo(&self) -> &AboFrequencies {
        &self.abo
    }

    /// Median ID50 of a donor `days_since_recovery` after recovery.
    pub fn median_id50(&self, hospitalised: bool, days_since_recovery: f64) -> f64 {
        let s = &self.spec;
        let severity = if hospitalised {
            s.hospitalised_factor
        } else {
            1.0
        };
        let days_after_plateau = (days_since_recovery - s.plateau_days).max(0.0);
        let decay = (-std::f64::consts::LN_2 * days_after_plateau / s.decay_half_life_days).exp();
        s.median_id50_mild * severity * decay
    }

    /// Closed-form probability that a volunteer passes every eligibility rule (the rules are
    /// independent draws, see [`sample_donor`](Self::sample_donor)).
    pub fn eligible_probability(&self) -> f64 {
        let s = &self.spec;
        let sex_ok = if s.male_only {
            1.0 - s.fraction_female
        } else {
            1.0 - s.fraction_female * s.fraction_female_ever_pregnant
        };
        (1.0 - s.fraction_under_18)
            * sex_ok
            * (1.0 - s.fraction_prior_transfusion)
            * (1.0 - s.fraction_other_deferral)
            * self.recovered_long_enough_probability()
    }

    fn recovered_long_enough_probability(&self) -> f64 {
        let [lo, hi] = self.spec.days_since_recovery_range;
        let min = self.spec.min_days_since_recovery;
        if hi <= lo {
            return if lo >= min { 1.0 } else { 0.0 };
        }
        ((hi - min.max(lo)) / (hi - lo)).clamp(0.0, 1.0)
    }

    /// Probability that an eligible donor's ID50 is at least `min_id50`: the log-normal tail
    /// 1 − Φ(ln(min/median)/σ), averaged over severity and over the eligible days since
    /// recovery (uniform; midpoint rule with [`QUADRATURE_POINTS`] points, exact on the plateau).
    pub fn qualifying_probability(&self, min_id50: f64) -> f64 {
        let s = &self.spec;
        let sigma = s.gsd.ln();
        let [lo, hi] = s.days_since_recovery_range;
        let from = s.min_days_since_recovery.max(lo);
        let tail = |hospitalised: bool, day: f64| {
            let median = self.median_id50(hospitalised, day);
            if sigma == 0.0 {
                return if median >= min_id50 { 1.0 } else { 0.0 };
            }
            1.0 - standard_normal_cdf((min_id50 / median).ln() / sigma)
        };
        let over_days = |hospitalised: bool| {
            if hi <= from {
                return tail(hospitalised, from);
            }
            let width = (hi - from) / QUADRATURE_POINTS as f64;
            (0..QUADRATURE_POINTS)
                .map(|i| tail(hospitalised, from + (i as f64 + 0.5) * width))
                .sum::<f64>()
                / QUADRATURE_POINTS as f64
        };
        s.fraction_hospitalised * over_days(true)
            + (1.0 - s.fraction_hospitalised) * over_days(false)
    }

    /// Draws volunteer `id` from `rng` (the caller passes `streams::stream(seed, Purpose::Donor,
    /// id)`). Draw order is fixed: age, sex, pregnancy, transfusion, other deferral, days since
    /// recovery, severity, ABO, titer.
    pub fn sample_donor<R: rand::Rng + ?Sized>(&self, id: u64, rng: &mut R) -> Donor {
        let s = &self.spec;
        let adult = rng.random::<f64>() >= s.fraction_under_18;
        let female = rng.random::<f64>() < s.fraction_female;
        let ever_pregnant = female && rng.random::<f64>() < s.fraction_female_ever_pregnant;
        let prior_transfusion = rng.random::<f64>() < s.fraction_prior_transfusion;
        let other_deferral = rng.random::<f64>() < s.fraction_other_deferral;
        let [lo, hi] = s.days_since_recovery_range;
        let days_since_recovery = lo + (hi - lo) * rng.random::<f64>();
        let hospitalised = rng.random::<f64>() < s.fraction_hospitalised;
        let abo = self.abo.sample(rng);
        let z: f64 = rng.sample(StandardNormal);
        let titer_id50 =
            self.median_id50(hospitalised, days_since_recovery) * (s.gsd.ln() * z).exp();
        Donor {
            id,
            adult,
            female,
            ever_pregnant,
            prior_transfusion,
            other_deferral,
            days_since_recovery,
            hospitalised,
            abo,
            titer_id50,
        }
    }

    /// Why `donor` may not give, or `None` if eligible.
    pub fn ineligibility(&self, donor: &Donor) -> Option<Ineligibility> {
        let s = &self.spec;
        if !donor.adult {
            Some(Ineligibility::Under18)
        } else if donor.female && s.male_only {
            Some(Ineligibility::MaleOnly)
        } else if donor.ever_pregnant {
            Some(Ineligibility::PriorPregnancy)
        } else if donor.prior_transfusion {
            Some(Ineligibility::PriorTransfusion)
        } else if donor.other_deferral {
            Some(Ineligibility::OtherDeferral)
        } else if donor.days_since_recovery < s.min_days_since_recovery {
            Some(Ineligibility::RecoveredTooRecently)
        } else {
            None
        }
    }
}

/// Points of the midpoint rule in [`DonorPopulation::qualifying_probability`]; the integrand is
/// smooth, so 2000 points give far better than 1e-6 accuracy.
pub const QUADRATURE_POINTS: usize = 2000;

/// Standard normal CDF Φ(x) = erfc(−x/√2)/2 (libm's erfc is accurate to about 1 ulp; a stats
/// crate would bring a linear-algebra stack for one function).
pub fn standard_normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// One convalescent volunteer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Donor {
    /// Donor id (the key of the donor's random stream).
    pub id: u64,
    /// Aged 18 or over.
    pub adult: bool,
    /// Female.
    pub female: bool,
    /// Has ever been pregnant.
    pub ever_pregnant: bool,
    /// Has been transfused before.
    pub prior_transfusion: bool,
    /// Deferred by an ordinary donor check.
    pub other_deferral: bool,
    /// Days since recovery at donation.
    pub days_since_recovery: f64,
    /// Was hospitalised with COVID-19.
    pub hospitalised: bool,
    /// ABO group.
    pub abo: AboGroup,
    /// Neutralising ID50 of the donor's plasma at donation.
    pub titer_id50: f64,
}

/// Why a volunteer may not donate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ineligibility {
    /// Under 18.
    Under18,
    /// Protocol takes only male donors.
    MaleOnly,
    /// Ever pregnant (the protocol asks for nulligravid women).
    PriorPregnancy,
    /// Transfused before.
    PriorTransfusion,
    /// Ordinary donor deferral.
    OtherDeferral,
    /// Recovered fewer days ago than the protocol's minimum.
    RecoveredTooRecently,
}

/// Neutralisation assay in which titers are expressed (they differ by up to 10×, MODEL.md §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assay {
    /// Live-virus plaque-reduction neutralisation, 50 % (PRNT50).
    Prnt50,
    /// Live-virus microneutralisation (VN), reported as the highest neutralising dilution.
    LiveVirusMicroneutralisation,
    /// Pseudovirus neutralisation ID50 (e.g. Broad Institute; FDA Feb 2021 EUA cut-off 250).
    PseudovirusId50,
}

/// Plasma qualification rule: the donor's titer in `assay` must be at least `min_id50`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    /// Assay of the threshold (the titer model is assumed to be in this assay).
    pub assay: Assay,
    /// Minimal ID50. FDA early guidance ≥ 160 (≥ 80 acceptable), MODEL.md §4.5. Bounds [1, 1e5].
    pub min_id50: f64,
}

impl Default for Qualification {
    /// FDA 2020 IND guidance: neutralising titer ≥ 1:160, live-virus neutralisation (the Pavia
    /// and Calabria protocols titred neutralising antibodies by live-virus neutralisation).
    fn default() -> Self {
        Self {
            assay: Assay::LiveVirusMicroneutralisation,
            min_id50: 160.0,
        }
    }
}

impl Qualification {
    /// Checks the threshold.
    pub fn validate(&self) -> Result<(), SpecError> {
        check("min_id50", self.min_id50, 1.0, 1e5, "ID50").map(|_| ())
    }

    /// Whether a donor's plasma qualifies.
    pub fn qualifies(&self, donor: &Donor) -> bool {
        donor.titer_id50 >= self.min_id50
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tabulated_values() {
        // Φ(0) = 0.5, Φ(1.959964) = 0.975, Φ(−1) = 0.158655 (standard normal tables).
        assert!((standard_normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((standard_normal_cdf(1.959_963_985) - 0.975).abs() < 1e-9);
        assert!((standard_normal_cdf(-1.0) - 0.158_655_253_9).abs() < 1e-9);
    }

    #[test]
    fn median_is_on_plateau_then_halves_each_half_life() {
        let pop =
            DonorPopulation::new(DonorPopulationSpec::default(), AboFrequencies::ITALY).unwrap();
        assert_eq!(pop.median_id50(false, 10.0), 200.0);
        assert_eq!(pop.median_id50(true, 45.0), 600.0);
        assert!((pop.median_id50(false, 45.0 + 90.0) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn eligibility_probability_by_hand() {
        // 0.97 × (1 − 0.45 × 0.65) × 0.97 × 0.90 × (120 − 14)/(120 − 7)
        let pop =
            DonorPopulation::new(DonorPopulationSpec::default(), AboFrequencies::ITALY).unwrap();
        let hand = 0.97 * (1.0 - 0.2925) * 0.97 * 0.90 * (106.0 / 113.0);
        assert!((pop.eligible_probability() - hand).abs() < 1e-12);
    }
}
