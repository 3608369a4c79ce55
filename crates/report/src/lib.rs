//! A results folder → one self-contained HTML report.
