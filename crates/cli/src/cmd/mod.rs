//! One module per subcommand.

pub mod patient;
