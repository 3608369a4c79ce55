//! Parameter overrides (`--set name=value`) for replicas and calibration.
//!
//! An override sets the population's typical value of a `model::PARAM_INFO` parameter. Each
//! patient keeps their relative deviation from the typical value: the patient's value is
//! multiplied by `value / typical` (clamped to the parameter's bounds). For a parameter without
//! between-patient variability every patient has the typical value, so every patient gets
//! exactly `value`; a typical value of 0 is replaced outright.

use model::Params;
use model::params::{ParamError, param_info};
use population::VirtualPatient;
use thiserror::Error;

/// Why an override was refused.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum OverrideError {
    /// Not `name=value`.
    #[error("`{0}` is not NAME=VALUE")]
    Syntax(String),
    /// The value is not a number.
    #[error("{name}: `{value}` is not a number")]
    Number {
        /// Parameter name.
        name: String,
        /// The text given.
        value: String,
    },
    /// Unknown name or out of bounds.
    #[error(transparent)]
    Param(#[from] ParamError),
}

/// A list of parameter overrides, in the order given (a later one wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// (parameter name, value), each checked against `PARAM_INFO`.
    pub values: Vec<(&'static str, f64)>,
}

impl Overrides {
    /// No overrides.
    pub fn none() -> Self {
        Overrides::default()
    }

    /// Checks `name` and `value` against `PARAM_INFO` and adds them.
    pub fn push(&mut self, name: &str, value: f64) -> Result<(), OverrideError> {
        // `Params::set` checks the name (with a did-you-mean) and the bounds.
        Params::default().set(name, value)?;
        let info = param_info(name).expect("Params::set accepted the name");
        self.values.push((info.name, value));
        Ok(())
    }

    /// Parses `name=value` texts.
    pub fn parse<S: AsRef<str>>(texts: &[S]) -> Result<Self, OverrideError> {
        let mut out = Overrides::none();
        for text in texts {
            let text = text.as_ref();
            let (name, value) = text
                .split_once('=')
                .ok_or_else(|| OverrideError::Syntax(text.to_owned()))?;
            let (name, value) = (name.trim(), value.trim());
            let number: f64 = value.parse().map_err(|_| OverrideError::Number {
                name: name.to_owned(),
                value: value.to_owned(),
            })?;
            out.push(name, number)?;
        }
        Ok(out)
    }

    /// Applies the overrides to one patient of a population whose typical parameters are
    /// `typical`.
    pub fn apply(&self, typical: &Params, patient: &mut VirtualPatient) {
        for &(name, value) in &self.values {
            let info = param_info(name).expect("checked on push");
            let typical_value = typical.get(name).unwrap_or(info.default);
            let own = patient.params.get(name).unwrap_or(typical_value);
            let new = if typical_value == 0.0 {
                value
            } else {
                own * value / typical_value
            };
            patient
                .params
                .set(name, new.clamp(info.lower, info.upper))
                .expect("a clamped value of a known parameter is accepted");
        }
    }

    /// `name=value` texts, as given.
    pub fn texts(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bounds_are_checked() {
        let ok = Overrides::parse(&["h0=0.004", " theta_pf = 1.2 "]).unwrap();
        assert_eq!(ok.values, vec![("h0", 0.004), ("theta_pf", 1.2)]);
        assert!(matches!(
            Overrides::parse(&["h0"]),
            Err(OverrideError::Syntax(_))
        ));
        assert!(matches!(
            Overrides::parse(&["h0=abc"]),
            Err(OverrideError::Number { .. })
        ));
        let unknown = Overrides::parse(&["theta_p=1"]).unwrap_err();
        assert!(unknown.to_string().contains("did you mean `theta_pf`"));
        // h0 is bounded by [0, 0.1].
        assert!(matches!(
            Overrides::parse(&["h0=0.5"]),
            Err(OverrideError::Param(ParamError::OutOfBounds { .. }))
        ));
    }

    #[test]
    fn a_patient_keeps_their_deviation_from_the_typical_value() {
        let spec = population::PopulationSpec::named("hospitalized_severe").unwrap();
        let typical = population::iiv::typical_params(&spec);
        let mut patient = spec.patient(7, 3);
        let before = patient.params;
        // s_myeloid has between-patient variability: doubling the typical value doubles the
        // patient's; h0 has none: the patient gets the value itself.
        let s = typical.s_myeloid * 1.5;
        let o = Overrides::parse(&[format!("s_myeloid={s}"), "h0=0.003".into()]).unwrap();
        o.apply(&typical, &mut patient);
        assert!((patient.params.s_myeloid - before.s_myeloid * 1.5).abs() < 1e-12);
        assert_eq!(patient.params.h0, 0.003);
        assert_eq!(patient.params.r0, before.r0);
    }
}
