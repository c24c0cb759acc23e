//! The kiosk application: wiring of the card, face engine, reception flow and records.
//!
//! [`driver::Reception`] runs the reception flow headless: it executes the flow's effects against the
//! real components and feeds the results back as events. `kiosk --demo` uses it to walk scripted patients
//! through every screen; the GUI (issue 5) will drive the same flow from its screens.

pub mod driver;
pub mod gui;
