//! Time-to-event analyses: Kaplan–Meier, log-rank, Cox, RMST, competing risks.

pub mod competing;
pub mod cox;
pub mod km;
pub mod logrank;

pub use competing::{CumulativeIncidence, FineGrayFit, FineGrayTerm, aalen_johansen, fine_gray};
pub use cox::{CoxFit, CoxOptions, CoxTerm, GlobalTest, Ties};
pub use km::{
    CiTransform, KaplanMeier, Quantile, Rmst, RmstDifference, kaplan_meier, kaplan_meier_with,
    rmst_difference,
};
pub use logrank::{LogRank, logrank};
