//! The kiosk's screens as values, and what a person can do on them.
//!
//! This crate is the whole vocabulary the window (`kiosk-ui`) shares with the reception flow: the
//! [`Screen`] to draw and the [`Input`] a patient or staff member gives. Worker results (the card read,
//! the face verdict, the eligibility answer) are not here: they live in `kiosk-reception`, which the UI
//! does not depend on, so a screen cannot forge one. Secrets travel inside the input that uses them
//! ([`Input::Pin`] holds an [`AuthPin`](kiosk_mynumber::AuthPin)), validated where they are typed.
//!
//! No IO, no clock.

mod choices;
mod input;
mod screen;

pub use choices::*;
pub use input::{Input, Press, SecretInput, StaffCode, StaffCodeFormatError};
pub use screen::{Busy, CounterReason, EligibilityIssue, FrontHold, Screen, Way, Ways};
// The secrets an input carries, so that the screens need no other crate to build one.
pub use kiosk_mynumber::{AuthPin, CheckCodeB, Date};
