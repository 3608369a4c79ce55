//! One patient: parameters and dosing events in, a Trajectory out. The only crate that knows
//! the ODE integrator.
