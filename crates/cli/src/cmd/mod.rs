//! One module per subcommand.

pub mod analyze;
pub mod calibrate;
pub mod check_replicas;
pub mod import_ctgov;
pub mod merge;
pub mod patient;
pub mod report;
pub mod run;
pub mod supply;
pub mod validate;
