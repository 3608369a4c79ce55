//! Plasma supply planning.
