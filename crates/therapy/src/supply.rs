//! Plasma supply planning: for a plasma regimen and an enrollment, how many donors to screen,
//! how many qualify, how many donations and units are needed, and what titer each patient
//! receives, both in expectation (closed form) and by seeded simulation with intervals.
//!
//! Simulation, per replicate `r`: patients draw their ABO group and how many response-dependent
//! doses they get from `stream(seed, Purpose::PlasmaIssue, r << 32 | patient)`; volunteers are
//! screened in order from `stream(seed, Purpose::Donor, r << 32 | donor)` until the units
//! collected cover every patient under the plasma ABO rules; units are then issued (most
//! restricted recipients first: AB, then A and B, then O) and each patient's delivered
//! neutralising activity is summed.

use crate::abo::{AboFrequencies, AboGroup};
use crate::bounds::{SpecError, check, check_fraction};
use crate::plasma::{Inventory, PlasmaRegimen, PlasmaUnit};
use rand::RngExt;
use streams::{Purpose, stream};
use thiserror::Error;

/// Most volunteers screened in one replicate before the plan is declared infeasible.
const MAX_DONORS_PER_REPLICATE: u64 = 20_000_000;

/// Central interval reported for simulated quantities: 2.5 % and 97.5 % quantiles.
const INTERVAL: (f64, f64) = (0.025, 0.975);

/// How the plan is simulated.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyOptions {
    /// Simulated replicates of the whole campaign. Default 200. Bounds [1, 10000].
    pub replicates: u32,
    /// Recipients' ABO frequencies. Default Italy.
    pub recipient_abo: AboFrequencies,
    /// Recipient body weight for mL/kg doses, kg. Default 70. Bounds [30, 250].
    pub body_weight_kg: f64,
    /// Probability that each response-dependent dose is given. Default 1 (plan for the worst
    /// case). Bounds [0, 1].
    pub conditional_dose_probability: f64,
}

impl Default for SupplyOptions {
    fn default() -> Self {
        Self {
            replicates: 200,
            recipient_abo: AboFrequencies::ITALY,
            body_weight_kg: 70.0,
            conditional_dose_probability: 1.0,
        }
    }
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SupplyError {
    /// Bad options.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Screening never yields enough compatible, qualifying units.
    #[error(
        "replicate {replicate}: {MAX_DONORS_PER_REPLICATE} volunteers screened without covering every patient"
    )]
    Infeasible {
        /// Replicate that failed.
        replicate: u32,
    },
}

/// Closed-form expectations (ignoring ABO matching, which only adds to the need).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpectedSupply {
    /// P(volunteer eligible).
    pub eligible_probability: f64,
    /// P(eligible donor's titer qualifies); 1 for a product of fixed titer.
    pub qualifying_probability: f64,
    /// Units per donation.
    pub units_per_donation: u32,
    /// Expected units per patient.
    pub units_per_patient: f64,
    /// Units needed = patients × units per patient.
    pub units_needed: f64,
    /// Donations needed = units / units per donation.
    pub donations_needed: f64,
    /// Donors to screen = donations / (P(eligible) × P(qualify)).
    pub donors_to_screen: f64,
}

/// Mean and quantiles of a simulated quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// 2.5 % quantile.
    pub lower: f64,
    /// Median.
    pub median: f64,
    /// 97.5 % quantile.
    pub upper: f64,
}

impl Summary {
    /// Summary of `values` (empty gives NaNs).
    pub fn of(values: &[f64]) -> Summary {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Summary {
            mean: values.iter().sum::<f64>() / values.len() as f64,
            lower: quantile(&sorted, INTERVAL.0),
            median: quantile(&sorted, 0.5),
            upper: quantile(&sorted, INTERVAL.1),
        }
    }
}

/// Type-7 (linear interpolation) quantile of sorted values, the default of R's `quantile`.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// What one simulated campaign needed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateSupply {
    /// Volunteers screened.
    pub donors_screened: u64,
    /// Eligible volunteers.
    pub donors_eligible: u64,
    /// Eligible donors whose plasma qualified (= donations).
    pub donations: u64,
    /// Units collected.
    pub units_collected: u64,
    /// Units issued to patients.
    pub units_issued: u64,
    /// Neutralising activity delivered to each patient, ID50·mL, in patient order.
    pub delivered_id50_ml: Vec<f64>,
}

/// The supply plan.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyPlan {
    /// Patients receiving plasma.
    pub patients: u32,
    /// Closed-form expectations.
    pub expected: ExpectedSupply,
    /// Per-replicate results, in replicate order.
    pub replicates: Vec<ReplicateSupply>,
}

impl SupplyPlan {
    /// Summary of a per-replicate quantity.
    pub fn summarize(&self, quantity: impl Fn(&ReplicateSupply) -> f64) -> Summary {
        let values: Vec<f64> = self.replicates.iter().map(quantity).collect();
        Summary::of(&values)
    }

    /// Delivered ID50·mL per patient, pooled over all replicates.
    pub fn delivered_per_patient(&self) -> Summary {
        let values: Vec<f64> = self
            .replicates
            .iter()
            .flat_map(|r| r.delivered_id50_ml.iter().copied())
            .collect();
        Summary::of(&values)
    }
}

/// Closed-form expectations for `patients` on `regimen`.
pub fn expected_supply(
    regimen: &PlasmaRegimen,
    patients: u32,
    options: &SupplyOptions,
) -> ExpectedSupply {
    let schedule = regimen.schedule();
    let extra_doses = f64::from(schedule.doses - 1);
    let administrations = if schedule.conditional_after_first {
        1.0 + extra_doses * options.conditional_dose_probability
    } else {
        1.0 + extra_doses
    };
    let units_per_patient =
        administrations * f64::from(regimen.units_per_administration(options.body_weight_kg));
    let units_needed = f64::from(patients) * units_per_patient;
    let units_per_donation = regimen.units_per_donation();
    let donations_needed = units_needed / f64::from(units_per_donation);
    let eligible_probability = regimen.donors().eligible_probability();
    let qualifying_probability = match regimen.spec().titer_id50 {
        Some(_) => 1.0,
        None => regimen
            .donors()
            .qualifying_probability(regimen.spec().qualification.min_id50),
    };
    ExpectedSupply {
        eligible_probability,
        qualifying_probability,
        units_per_donation,
        units_per_patient,
        units_needed,
        donations_needed,
        donors_to_screen: donations_needed / (eligible_probability * qualifying_probability),
    }
}

/// Plans the supply of `regimen` for `patients` recipients.
pub fn plan_supply(
    regimen: &PlasmaRegimen,
    patients: u32,
    seed: u64,
    options: &SupplyOptions,
) -> Result<SupplyPlan, SupplyError> {
    check(
        "replicates",
        f64::from(options.replicates),
        1.0,
        10_000.0,
        "replicates",
    )?;
    check("body_weight_kg", options.body_weight_kg, 30.0, 250.0, "kg")?;
    check_fraction(
        "conditional_dose_probability",
        options.conditional_dose_probability,
    )?;
    let expected = expected_supply(regimen, patients, options);
    let replicates = (0..options.replicates)
        .map(|r| simulate_replicate(regimen, patients, seed, r, options))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SupplyPlan {
        patients,
        expected,
        replicates,
    })
}

/// Key of entity `index` in replicate `replicate`: replicate in the high 32 bits.
fn replicate_key(replicate: u32, index: u64) -> u64 {
    (u64::from(replicate) << 32) | index
}

/// Units needed by recipient group, in [`AboGroup::ALL`] order.
type ByGroup = [u64; 4];

/// Whether `have` units can cover `need` under the plasma rules. AB recipients take only AB;
/// A (B) recipients take A (B) then AB; O recipients take anything. Serving the most
/// restricted first and giving A and B their own group before AB is optimal for this
/// nested compatibility structure.
fn covers(have: &ByGroup, need: &ByGroup) -> bool {
    let [o, a, b, ab] = have.map(|x| x as i64);
    let [need_o, need_a, need_b, need_ab] = need.map(|x| x as i64);
    let ab_left = ab - need_ab;
    let a_short = (need_a - a).max(0);
    let b_short = (need_b - b).max(0);
    let ab_left_after = ab_left - a_short - b_short;
    let spare = (a - need_a).max(0) + (b - need_b).max(0) + ab_left_after + o;
    ab_left >= 0 && ab_left_after >= 0 && spare >= need_o
}

fn simulate_replicate(
    regimen: &PlasmaRegimen,
    patients: u32,
    seed: u64,
    replicate: u32,
    options: &SupplyOptions,
) -> Result<ReplicateSupply, SupplyError> {
    let spec = regimen.spec();
    let schedule = regimen.schedule();
    let units_per_administration = regimen.units_per_administration(options.body_weight_kg);

    // Recipients.
    let mut recipients: Vec<(AboGroup, usize)> = Vec::with_capacity(patients as usize);
    let mut need: ByGroup = [0; 4];
    for patient in 0..patients {
        let mut rng = stream(
            seed,
            Purpose::PlasmaIssue,
            replicate_key(replicate, u64::from(patient)),
        );
        let abo = options.recipient_abo.sample(&mut rng);
        let mut administrations = 1u32;
        for _ in 1..schedule.doses {
            let given = !schedule.conditional_after_first
                || rng.random::<f64>() < options.conditional_dose_probability;
            administrations += u32::from(given);
        }
        let units = administrations * units_per_administration;
        need[abo as usize] += u64::from(units);
        recipients.push((abo, units as usize));
    }

    // Screening and collection.
    let mut inventory: Vec<PlasmaUnit> = Vec::new();
    let mut have: ByGroup = [0; 4];
    let (mut screened, mut eligible, mut donations) = (0u64, 0u64, 0u64);
    while !covers(&have, &need) {
        if screened >= MAX_DONORS_PER_REPLICATE {
            return Err(SupplyError::Infeasible { replicate });
        }
        let mut rng = stream(seed, Purpose::Donor, replicate_key(replicate, screened));
        let donor = regimen.donors().sample_donor(screened, &mut rng);
        screened += 1;
        if regimen.donors().ineligibility(&donor).is_some() {
            continue;
        }
        eligible += 1;
        let titer_id50 = match spec.titer_id50 {
            Some(fixed) => fixed,
            None if spec.qualification.qualifies(&donor) => donor.titer_id50,
            None => continue,
        };
        donations += 1;
        for _ in 0..regimen.units_per_donation() {
            inventory.push(PlasmaUnit {
                donor_id: donor.id,
                abo: donor.abo,
                titer_id50,
                volume_ml: spec.unit_volume_ml,
                reduction_loss: spec.pathogen_reduction.sample_loss(&mut rng),
            });
            have[donor.abo as usize] += 1;
        }
    }
    let units_collected = inventory.len() as u64;
    if spec.pathogen_reduction.is_pooled() && spec.titer_id50.is_none() {
        pool_titers_by_group(&mut inventory);
    }

    // Issue: most restricted recipients first, patient order within a group.
    let mut inventory = Inventory::from_units(inventory);
    let mut order: Vec<usize> = (0..recipients.len()).collect();
    order.sort_by_key(|&i| (issue_rank(recipients[i].0), i));
    let mut delivered = vec![0.0; recipients.len()];
    let mut units_issued = 0u64;
    for i in order {
        let (abo, units) = recipients[i];
        let issued = inventory
            .issue(abo, units)
            .map_err(|_| SupplyError::Infeasible { replicate })?;
        units_issued += issued.len() as u64;
        delivered[i] = issued.iter().map(PlasmaUnit::delivered_id50_ml).sum();
    }
    Ok(ReplicateSupply {
        donors_screened: screened,
        donors_eligible: eligible,
        donations,
        units_collected,
        units_issued,
        delivered_id50_ml: delivered,
    })
}

/// Issue order: AB recipients (AB plasma only) first, then A and B, then O (any plasma).
fn issue_rank(group: AboGroup) -> u8 {
    match group {
        AboGroup::AB => 0,
        AboGroup::A | AboGroup::B => 1,
        AboGroup::O => 2,
    }
}

/// Solvent/detergent plasma is made from group-specific pools: every unit of a group gets the
/// group's mean titer.
fn pool_titers_by_group(inventory: &mut [PlasmaUnit]) {
    for group in AboGroup::ALL {
        let titers: Vec<f64> = inventory
            .iter()
            .filter(|u| u.abo == group)
            .map(|u| u.titer_id50)
            .collect();
        if titers.is_empty() {
            continue;
        }
        let mean = titers.iter().sum::<f64>() / titers.len() as f64;
        for unit in inventory.iter_mut().filter(|u| u.abo == group) {
            unit.titer_id50 = mean;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(o: u64, a: u64, b: u64, ab: u64) -> ByGroup {
        [o, a, b, ab]
    }

    #[test]
    fn covers_follows_the_plasma_rules() {
        // AB recipients need AB plasma.
        assert!(!covers(&need(10, 10, 10, 0), &need(0, 0, 0, 1)));
        // A recipients can use AB leftovers, not B.
        assert!(covers(&need(0, 0, 0, 2), &need(0, 1, 0, 1)));
        assert!(!covers(&need(0, 0, 5, 1), &need(0, 1, 0, 1)));
        // O recipients take anything left.
        assert!(covers(&need(0, 1, 1, 1), &need(3, 0, 0, 0)));
        // A and B shortfalls compete for the same AB units.
        assert!(!covers(&need(0, 0, 0, 1), &need(0, 1, 1, 0)));
    }

    #[test]
    fn quantile_matches_r_type_7() {
        // R: quantile(c(1, 2, 3, 4, 10), c(0.025, 0.5, 0.975)) = 1.1, 3, 9.4
        let sorted = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile(&sorted, 0.025) - 1.1).abs() < 1e-12);
        assert_eq!(quantile(&sorted, 0.5), 3.0);
        assert!((quantile(&sorted, 0.975) - 9.4).abs() < 1e-12);
    }
}
