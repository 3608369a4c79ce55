//! Virtual patients: covariate and parameter distributions, generation, eligibility
//! screening, frozen cohorts.
