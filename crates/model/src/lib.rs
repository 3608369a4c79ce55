//! The within-host model of severe COVID-19: state, parameters, equations and observables.
//!
//! Pure: no I/O and no random numbers. Randomness (the death draw, measurement noise) is
//! injected by the caller.

pub mod dosing;
