//! Time-to-event analyses: Kaplan–Meier, log-rank, Cox, RMST, competing risks.

pub mod km;
pub mod logrank;

pub use km::{CiTransform, KaplanMeier, Quantile, Rmst, kaplan_meier, kaplan_meier_with};
pub use logrank::{LogRank, logrank};
pub mod cox;
pub use cox::{CoxFit, CoxOptions, CoxTerm, GlobalTest, Ties};
pub mod competing;
pub use competing::{CumulativeIncidence, FineGrayFit, FineGrayTerm, aalen_johansen, fine_gray};
