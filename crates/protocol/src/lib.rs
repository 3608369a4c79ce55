//! The protocol file: raw TOML types → a validated Protocol; registry fields (ClinicalTrials.gov
//! API v2 names and enums); import of a v2 JSON record.
