//! The protocol file: raw TOML types → a validated [`Protocol`]; registry fields (ClinicalTrials.gov
//! API v2 names and enums); computable eligibility; import of a v2 JSON record.
//!
//! ```
//! let text = include_str!("../../../protocols/nct04385043-hyperimmune-plasma.toml");
//! let protocol = protocol::parse_protocol("seed.toml", text).expect("bundled protocol is valid");
//! assert_eq!(protocol.arms.len(), 2);
//! ```

#![warn(missing_docs)]

pub mod criteria;
pub mod ctgov;
pub mod diagnostics;
mod protocol;
pub mod registry;
pub mod schema;
mod suggest;
pub mod validate;
pub mod validation;
pub mod variables;

pub use criteria::{CriterionError, Expr};
pub use diagnostics::{Diagnostic, ProtocolError};
pub use protocol::{
    AllocationFactor, AllocationPlan, AnalysisPlan, Arm, Criterion, DEFAULT_P_PREFERRED, Product,
    Protocol, Regimen,
};
pub use schema::ProtocolFile;
pub use suggest::did_you_mean;
pub use variables::{Baseline, VARIABLES, Value, VarType, Variable, VariableInfo};

/// Parse and validate a protocol file. `name` is used in diagnostics (usually the path).
pub fn parse_protocol(name: &str, text: &str) -> Result<Protocol, ProtocolError> {
    validate::parse_and_validate(name, text)
}
