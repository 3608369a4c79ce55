//! From a protocol to an allocation [`Design`]: the `[allocation]` table (method, block sizes,
//! stratification / minimisation factors with their cut points, weights, the minimisation
//! random element), or the default when the table is absent: one arm → single group;
//! otherwise permuted blocks of twice the ratio sum (e.g. 4 for 1:1), the usual default of
//! trial randomization lists.
//!
//! The protocol crate has already checked the table against the arms (block sizes are
//! multiples of the ratio sum, factors are known variables with levels), with located
//! diagnostics; the checks of [`crate::allocation`] run again here and cannot fail for a
//! validated protocol.
//!
//! A patient's factor levels come from their baseline at screening
//! ([`protocol::AllocationFactor::level`]): a number falls between cut points, a boolean is
//! level 0 (false) or 1 (true), a category is its position in the variable's level list.

use crate::allocation::{
    AllocationError, BlockSizes, Design, Enrollee, Factors, Minimisation, Ratio, Scheme,
};
use protocol::schema::AllocationMethod;
use protocol::{AllocationPlan, Baseline, Protocol};

/// The allocation design of a protocol and its description in words (for `summary.json`).
pub fn design(protocol: &Protocol) -> Result<(Design, String), AllocationError> {
    let ratio = Ratio::new(protocol.arms.iter().map(|a| a.ratio).collect())?;
    if protocol.arms.len() == 1 {
        return Ok((
            Design::new(ratio, Scheme::SingleGroup)?,
            "single group".into(),
        ));
    }
    let Some(plan) = &protocol.allocation else {
        let size = 2 * ratio.sum();
        let blocks = BlockSizes::new(vec![size], &ratio)?;
        return Ok((
            Design::new(ratio, Scheme::PermutedBlocks(blocks))?,
            format!("permuted blocks of {size}"),
        ));
    };
    let factor_names = || {
        plan.factors
            .iter()
            .map(|f| f.level_names().join(" | "))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let sizes = |plan: &AllocationPlan| {
        let list: Vec<String> = plan.block_sizes.iter().map(u32::to_string).collect();
        if list.len() == 1 {
            format!("blocks of {}", list[0])
        } else {
            format!("blocks of {} (random sizes)", list.join(" or "))
        }
    };
    let factors = || Factors::new(plan.factors.iter().map(|f| f.levels()).collect());
    let (scheme, words) = match plan.method {
        AllocationMethod::Simple => (Scheme::Simple, "simple randomization".to_string()),
        AllocationMethod::PermutedBlocks => (
            Scheme::PermutedBlocks(BlockSizes::new(plan.block_sizes.clone(), &ratio)?),
            format!("permuted {}", sizes(plan)),
        ),
        AllocationMethod::StratifiedBlocks => (
            Scheme::StratifiedBlocks {
                blocks: BlockSizes::new(plan.block_sizes.clone(), &ratio)?,
                factors: factors()?,
            },
            format!("stratified permuted {} by {}", sizes(plan), factor_names()),
        ),
        AllocationMethod::Minimisation => (
            Scheme::Minimisation(Minimisation::new(
                factors()?,
                plan.weights.clone(),
                plan.p_preferred,
            )?),
            format!(
                "minimisation (Pocock–Simon, p = {}) on {}",
                plan.p_preferred,
                factor_names()
            ),
        ),
    };
    Ok((Design::new(ratio, scheme)?, words))
}

/// Patient `id` as allocation sees them: the level of each of the protocol's allocation
/// factors at baseline (none without factors).
pub fn enrollee(
    protocol: &Protocol,
    id: u64,
    baseline: &impl Baseline,
) -> Result<Enrollee, AllocationError> {
    let factors = protocol
        .allocation
        .as_ref()
        .map_or(&[][..], |plan| &plan.factors[..]);
    let levels = factors
        .iter()
        .map(|f| {
            f.level(baseline)
                .ok_or_else(|| AllocationError::MissingFactor {
                    patient_id: id,
                    factor: f.variable.name().to_owned(),
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(Enrollee { id, levels })
}

#[cfg(test)]
mod tests;
