//! The reception as pure logic: a deterministic state machine from card placed to "done".
//!
//! Events come in (inputs, worker results, card presence, clock ticks), the screen and a list of effects
//! for the workers come out. Same events, same screens and effects: the tests are event lists. The flow
//! never holds a PIN (it hears only that one was confirmed; the core sends it with the `VerifyPin` this
//! causes) and never asks for a VERIFY the patient did not confirm.
//!
//! The screens and the inputs are `kiosk-screens`' (re-exported here); the worker results are this
//! crate's, out of reach of the window.

mod attempts;
mod event;
mod flow;
mod types;

pub use attempts::{CardKey, FaceAttempts, japan_day};
pub use event::{Effect, Event, StaffCall};
pub use flow::{CARD_RETURN_SECS, Cameras, Flow, FlowConfig, StaffCheckBy};
pub use kiosk_screens::*;
pub use types::*;
