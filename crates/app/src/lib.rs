//! The kiosk application: the wiring of the card, the camera, the face engine, the reception flow and
//! the records.
//!
//! * [`core::KioskCore`]: the flow plus three named worker threads ([`workers`]); effects go to the
//!   workers and their answers come back as events.
//! * [`gui::KioskApp`]: the window's loop over the core (eframe, and egui_kittest in the UI tests).
//! * [`driver::Reception`]: scripted patients over the core, headless (`kiosk --demo --walk`, hw-test).
//! * [`config`]: the kiosk's TOML configuration; [`card_face_keys`]: J-LIS's card-face CA keys; [`doctor`]: `kiosk doctor`.
//! * [`demo`]: the embedded defaults of `kiosk --demo`; [`process`]: memory and descriptor figures.

pub mod card_face_keys;
pub mod config;
pub mod console;
pub mod core;
pub mod demo;
pub mod doctor;
pub mod driver;
pub mod gallery;
pub mod gui;
pub mod notify;
pub mod process;
pub mod staff;
pub mod workers;
