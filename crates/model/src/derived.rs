//! Quantities computed once per patient from parameters and covariates (so the right-hand side
//! does no repeated work).

use crate::params::{Covariates, Params, Sex};

/// Age from which the ≥ 65 effects apply (slower infected-cell loss, hazard ratio), years.
/// Source: Néant 2021 PNAS abstract (age ≥ 65 stratum).
pub const OLDER_AGE_YEARS: f64 = 65.0;

/// Sorbini 1968 normal PaO₂ by age: PaO₂ ≈ 109 − 0.43·age mmHg (MODEL.md §7.2, from memory).
pub const SORBINI_INTERCEPT_MMHG: f64 = 109.0;
/// Sorbini slope, mmHg per year of age.
pub const SORBINI_SLOPE_MMHG_PER_YEAR: f64 = 0.43;
/// FiO₂ of room air.
pub const FIO2_ROOM_AIR: f64 = 0.21;
/// Hours per day (clearance in L/h → rate in 1/d).
pub const HOURS_PER_DAY: f64 = 24.0;
/// ng/mL per (mg/L): a dexamethasone amount in mg in a volume in L gives `mg/L · 1000` ng/mL.
pub const NG_PER_ML_PER_MG_PER_L: f64 = 1000.0;

/// Parameters plus per-patient constants derived from them and the covariates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Derived {
    /// The parameters.
    pub params: Params,
    /// The covariates.
    pub covariates: Covariates,
    /// Cytopathic infected-cell loss rate after the age effect, 1/d.
    pub delta: f64,
    /// Effector killing rate after the age effect, 1/d per unit X.
    pub kappa_x: f64,
    /// Infectivity β = R0·δ·c/p (T0 = 1), per (copies/mL)/d.
    pub beta: f64,
    /// Healthy P/F for this age (Sorbini PaO₂ / 0.21), mmHg.
    pub pf0: f64,
    /// Product of covariate hazard ratios.
    pub hazard_ratio: f64,
    /// Plasma volume, mL.
    pub plasma_ml: f64,
    /// Trapped MSCs giving half-maximal immunoregulation, 10⁶ cells.
    pub msc_half: f64,
    /// Dexamethasone elimination rate, 1/d.
    pub dex_kel: f64,
}

impl Derived {
    /// Compute the per-patient constants.
    pub fn new(params: &Params, covariates: &Covariates) -> Derived {
        let older = covariates.age_years >= OLDER_AGE_YEARS;
        let age_factor = if older {
            params.infected_loss_age65_factor
        } else {
            1.0
        };
        let mut hazard_ratio = covariates.hr_comorbidity;
        if older {
            hazard_ratio *= params.hr_age65;
        }
        if covariates.sex == Sex::Male {
            hazard_ratio *= params.hr_male;
        }
        let pao2 = SORBINI_INTERCEPT_MMHG - SORBINI_SLOPE_MMHG_PER_YEAR * covariates.age_years;
        Derived {
            params: *params,
            covariates: *covariates,
            delta: params.delta * age_factor,
            kappa_x: params.kappa_x * age_factor,
            // R0 is defined for the under-65 reference; age only slows infected-cell loss.
            beta: params.r0 * params.delta * params.c_virus / params.p_virus,
            pf0: pao2 / FIO2_ROOM_AIR,
            hazard_ratio,
            plasma_ml: params.plasma_ml_per_kg * covariates.weight_kg,
            msc_half: params.msc_half_per_kg * covariates.weight_kg,
            dex_kel: HOURS_PER_DAY * params.dex_clearance / params.dex_volume,
        }
    }

    /// Dexamethasone concentration rise, ng/mL, from `mg` entering plasma.
    pub fn dex_conc_per_mg(&self) -> f64 {
        NG_PER_ML_PER_MG_PER_L / self.params.dex_volume
    }
}
