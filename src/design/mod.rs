//! The living style guide: every building block of `crate::ui` on one page, in both
//! themes, so a change to the design system can be looked at (and tested for
//! accessibility) in one place.

pub mod pages;
