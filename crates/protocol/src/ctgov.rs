//! Import of a ClinicalTrials.gov API v2 study record into a protocol file.
