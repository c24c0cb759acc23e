//! Calling staff: the port through which the kiosk tells reception staff that someone needs them.
//!
//! The flow asks for it (`Effect::CallStaff`) when a patient presses 「係員を呼ぶ」 or chooses the staff
//! visual check; the core hands the call to a [`StaffNotifier`]. The staff console is the destination
//! the clinic uses; [`LogNotifier`] writes the call to the kiosk's log (clinic IT and the tests read it),
//! and [`RecordingNotifier`] keeps the calls for tests.

use kiosk_reception::StaffCall;
use std::sync::{Arc, Mutex};

/// One call for staff: why, from which screen, when. No patient data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffCallNotice {
    pub call: StaffCall,
    /// The screen the patient was on (its audit name).
    pub screen: &'static str,
    /// Seconds since the Unix epoch.
    pub at: i64,
}

impl StaffCallNotice {
    /// The call in words, for staff and the log.
    pub fn describe(&self) -> String {
        let why = match self.call {
            StaffCall::Help => "a patient asks for help",
            StaffCall::VisualCheck => "a patient chose the staff visual check",
        };
        format!("staff called: {why} (screen {})", self.screen)
    }
}

/// Where calls for staff go. Called on the UI thread: an implementation must not block (hand slow work
/// to a thread of its own).
pub trait StaffNotifier: Send {
    fn call(&mut self, notice: StaffCallNotice);
}

/// Writes each call to the kiosk's log (stderr).
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

impl StaffNotifier for LogNotifier {
    fn call(&mut self, notice: StaffCallNotice) {
        eprintln!("kiosk: {}", notice.describe());
    }
}

/// Keeps every call (tests, and the demo's panel).
#[derive(Debug, Default, Clone)]
pub struct RecordingNotifier {
    calls: Arc<Mutex<Vec<StaffCallNotice>>>,
}

impl RecordingNotifier {
    /// The calls so far.
    pub fn calls(&self) -> Vec<StaffCallNotice> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl StaffNotifier for RecordingNotifier {
    fn call(&mut self, notice: StaffCallNotice) {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).push(notice);
    }
}
