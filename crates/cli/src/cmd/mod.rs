//! One module per subcommand.

pub mod import_ctgov;
pub mod run;
pub mod validate;
