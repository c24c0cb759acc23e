//! The reception as pure logic: a deterministic state machine from card placed to "done".
//!
//! Events come in (card, camera, PIN pad, staff, records, clock ticks), the screen and a list of
//! effects for the workers come out. Same events, same screens and effects: the tests are event lists.
//! The flow never holds a PIN (the PIN pad's digits go from the UI to the card worker) and never asks
//! for a VERIFY the patient did not submit.

mod flow;
mod types;

pub use flow::{CounterReason, Effect, Event, Flow, FlowConfig, Screen};
pub use types::*;
