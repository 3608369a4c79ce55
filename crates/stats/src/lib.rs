//! Survival, binary, ordinal and continuous analyses and trial design. Knows nothing of the
//! model: its inputs are plain columns.
