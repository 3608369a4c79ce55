//! ClinicalTrials.gov API v2 enumerations, spelled exactly as the API spells them
//! (FORMATS.md §1.4). Protocol files use the same codes, so a registry record reads across.

use serde::{Deserialize, Serialize};

macro_rules! registry_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            /// Every code, in the API's order.
            pub const CODES: &'static [&'static str] = &[$($code),+];

            /// The API code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parse an API code (exact spelling).
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

registry_enum! {
    /// `statusModule.overallStatus`.
    Status {
        /// Active, not recruiting.
        ActiveNotRecruiting = "ACTIVE_NOT_RECRUITING",
        /// Completed.
        Completed = "COMPLETED",
        /// Enrolling by invitation.
        EnrollingByInvitation = "ENROLLING_BY_INVITATION",
        /// Not yet recruiting.
        NotYetRecruiting = "NOT_YET_RECRUITING",
        /// Recruiting.
        Recruiting = "RECRUITING",
        /// Suspended.
        Suspended = "SUSPENDED",
        /// Terminated.
        Terminated = "TERMINATED",
        /// Withdrawn.
        Withdrawn = "WITHDRAWN",
        /// Expanded access: available.
        Available = "AVAILABLE",
        /// Expanded access: no longer available.
        NoLongerAvailable = "NO_LONGER_AVAILABLE",
        /// Expanded access: temporarily not available.
        TemporarilyNotAvailable = "TEMPORARILY_NOT_AVAILABLE",
        /// Expanded access: approved for marketing.
        ApprovedForMarketing = "APPROVED_FOR_MARKETING",
        /// Withheld.
        Withheld = "WITHHELD",
        /// Unknown.
        Unknown = "UNKNOWN",
    }
}

registry_enum! {
    /// `designModule.studyType`.
    StudyType {
        /// Expanded access.
        ExpandedAccess = "EXPANDED_ACCESS",
        /// Interventional.
        Interventional = "INTERVENTIONAL",
        /// Observational.
        Observational = "OBSERVATIONAL",
    }
}

registry_enum! {
    /// `designModule.phases[]`.
    Phase {
        /// Not applicable (e.g. a non-drug study).
        Na = "NA",
        /// Early phase 1.
        EarlyPhase1 = "EARLY_PHASE1",
        /// Phase 1.
        Phase1 = "PHASE1",
        /// Phase 2.
        Phase2 = "PHASE2",
        /// Phase 3.
        Phase3 = "PHASE3",
        /// Phase 4.
        Phase4 = "PHASE4",
    }
}

registry_enum! {
    /// `designInfo.allocation`.
    Allocation {
        /// Randomized.
        Randomized = "RANDOMIZED",
        /// Non-randomized.
        NonRandomized = "NON_RANDOMIZED",
        /// Not applicable (single group).
        Na = "NA",
    }
}

registry_enum! {
    /// `designInfo.interventionModel`.
    InterventionModel {
        /// One group.
        SingleGroup = "SINGLE_GROUP",
        /// Parallel groups.
        Parallel = "PARALLEL",
        /// Crossover.
        Crossover = "CROSSOVER",
        /// Factorial.
        Factorial = "FACTORIAL",
        /// Sequential.
        Sequential = "SEQUENTIAL",
    }
}

registry_enum! {
    /// `designInfo.primaryPurpose`.
    PrimaryPurpose {
        /// Treatment.
        Treatment = "TREATMENT",
        /// Prevention.
        Prevention = "PREVENTION",
        /// Diagnostic.
        Diagnostic = "DIAGNOSTIC",
        /// Educational/counseling/training.
        Ect = "ECT",
        /// Supportive care.
        SupportiveCare = "SUPPORTIVE_CARE",
        /// Screening.
        Screening = "SCREENING",
        /// Health services research.
        HealthServicesResearch = "HEALTH_SERVICES_RESEARCH",
        /// Basic science.
        BasicScience = "BASIC_SCIENCE",
        /// Device feasibility.
        DeviceFeasibility = "DEVICE_FEASIBILITY",
        /// Other.
        Other = "OTHER",
    }
}

registry_enum! {
    /// `maskingInfo.masking`.
    Masking {
        /// Open label.
        None = "NONE",
        /// Single masked.
        Single = "SINGLE",
        /// Double masked.
        Double = "DOUBLE",
        /// Triple masked.
        Triple = "TRIPLE",
        /// Quadruple masked.
        Quadruple = "QUADRUPLE",
    }
}

registry_enum! {
    /// `maskingInfo.whoMasked[]`.
    WhoMasked {
        /// Participant.
        Participant = "PARTICIPANT",
        /// Care provider.
        CareProvider = "CARE_PROVIDER",
        /// Investigator.
        Investigator = "INVESTIGATOR",
        /// Outcomes assessor.
        OutcomesAssessor = "OUTCOMES_ASSESSOR",
    }
}

registry_enum! {
    /// `enrollmentInfo.type`.
    EnrollmentType {
        /// Actual.
        Actual = "ACTUAL",
        /// Estimated (target).
        Estimated = "ESTIMATED",
    }
}

registry_enum! {
    /// `armGroups[].type`.
    ArmGroupType {
        /// Experimental.
        Experimental = "EXPERIMENTAL",
        /// Active comparator.
        ActiveComparator = "ACTIVE_COMPARATOR",
        /// Placebo comparator.
        PlaceboComparator = "PLACEBO_COMPARATOR",
        /// Sham comparator.
        ShamComparator = "SHAM_COMPARATOR",
        /// No intervention.
        NoIntervention = "NO_INTERVENTION",
        /// Other.
        Other = "OTHER",
    }
}

registry_enum! {
    /// `eligibilityModule.sex`.
    Sex {
        /// Female only.
        Female = "FEMALE",
        /// Male only.
        Male = "MALE",
        /// All.
        All = "ALL",
    }
}

registry_enum! {
    /// `centralContacts[].role` and `overallOfficials[].role`.
    ContactRole {
        /// Study chair.
        StudyChair = "STUDY_CHAIR",
        /// Study director.
        StudyDirector = "STUDY_DIRECTOR",
        /// Principal investigator.
        PrincipalInvestigator = "PRINCIPAL_INVESTIGATOR",
        /// Sub-investigator.
        SubInvestigator = "SUB_INVESTIGATOR",
        /// Contact.
        Contact = "CONTACT",
    }
}
