//! One module per subcommand.

pub mod analyze;
pub mod supply;
pub mod import_ctgov;
pub mod run;
pub mod validate;
