//! A headless reception: the kiosk core (flow, workers, records) driven by scripted patients who choose,
//! type and consent as a person would. `kiosk --demo --walk`, the fault and endurance runs in `hw-test/`
//! and tests use it; the window drives the same core from its screens.

use crate::core::KioskCore;
use crate::demo::{DemoCamera, DemoFrames, Holder};
use crate::workers::SendChannel;
use kiosk_face::FaceModels;
use kiosk_reception::{ConsentItem, Consents, Event, Method, Prescription, Screen};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// A scripted patient.
#[derive(Debug, Clone)]
pub struct Patient {
    pub method: Method,
    /// PINs the patient types, in order (only these are ever sent to the card).
    pub pins: Vec<String>,
    /// Who the demo camera sees.
    pub camera: DemoCamera,
    /// `None`: agree to all; `Some`: choose individually.
    pub consents: Option<Consents>,
    pub prescription: Prescription,
    /// When face or PIN fail, ask staff for a visual check (with this staff code).
    pub staff_code: Option<String>,
    /// Whether staff confirm the holder.
    pub staff_confirms: bool,
}

impl Patient {
    /// A patient who chooses `method`, types `pins` and agrees to everything.
    pub fn new(method: Method, pins: &[&str], camera: DemoCamera) -> Patient {
        Patient {
            method,
            pins: pins.iter().map(|p| p.to_string()).collect(),
            camera,
            consents: None,
            prescription: Prescription::Electronic,
            staff_code: None,
            staff_confirms: true,
        }
    }
}

/// Where a scripted reception ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The screens shown, in order (names).
    pub screens: Vec<&'static str>,
    /// The final screen before the card was taken.
    pub last: Screen,
    /// VERIFYs the kiosk sent for the PIN (must equal the PINs the patient typed).
    pub pins_sent: usize,
    /// PINs the patient typed.
    pub pins_typed: usize,
}

/// How long one step may take before the run counts as stuck (face matching gives up after seconds).
const STEP_LIMIT: Duration = Duration::from_secs(60);

/// Scripted patients at a kiosk core.
pub struct Reception {
    pub core: KioskCore,
    pub models: Option<&'static FaceModels>,
    pub frames: Arc<DemoFrames>,
}

impl std::fmt::Debug for Reception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reception({:?})", self.core)
    }
}

impl Reception {
    /// `frames`: the demo frames the core's first camera was made from (made once, shared).
    pub fn new(core: KioskCore, models: Option<&'static FaceModels>, frames: Arc<DemoFrames>) -> Reception {
        Reception { core, models, frames }
    }

    /// Run one patient with `card` from placing it to taking it away.
    pub fn run(&mut self, card: SendChannel, holder: Holder, patient: &Patient) -> Outcome {
        let camera = self.frames.camera(self.models, patient.camera, holder);
        self.core.set_camera(camera);
        self.core.insert_card(card);
        self.walk(patient)
    }

    /// Walk `patient` through the session that has just started (a card was placed, here or through a
    /// reader), then take the card away.
    pub fn walk(&mut self, patient: &Patient) -> Outcome {
        let mut outcome = self.serve(patient);
        self.core.remove_card();
        self.core.settle(STEP_LIMIT);
        self.record(&mut outcome.screens);
        outcome
    }

    /// Walk `patient` until the kiosk waits for something the patient does not do (done: take the card;
    /// or a screen they cannot get past). The card stays where it is.
    pub fn serve(&mut self, patient: &Patient) -> Outcome {
        let pins_before = self.core.counters.pins_sent;
        let mut typed = 0usize;
        let mut screens = vec!["Idle"];
        for _ in 0..200 {
            self.core.settle(STEP_LIMIT);
            self.record(&mut screens);
            match self.patient_input(patient, &mut typed) {
                Some(e) => self.core.submit(e),
                None => break,
            }
        }
        Outcome {
            screens,
            last: self.core.screen().clone(),
            pins_sent: self.core.counters.pins_sent - pins_before,
            pins_typed: typed,
        }
    }

    /// Wait up to `timeout` until `pred` holds for the screen (cards through a reader arrive by themselves).
    pub fn wait_for(&mut self, timeout: Duration, pred: impl Fn(&Screen) -> bool) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while !pred(self.core.screen()) {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            self.core.wait(Duration::from_millis(20));
        }
        true
    }

    fn record(&mut self, screens: &mut Vec<&'static str>) {
        for kind in self.core.take_screens() {
            if screens.last() != Some(&kind) {
                screens.push(kind);
            }
        }
    }

    /// What the scripted patient does on the current screen (`None`: waits, or is done).
    fn patient_input(&mut self, p: &Patient, typed: &mut usize) -> Option<Event> {
        Some(match self.core.screen() {
            Screen::CertificateExpiring { .. }
            | Screen::CertificateExpiredGrace { .. }
            | Screen::NoPhotoPinOnly
            | Screen::NoSharingInfo => Event::AlertAcknowledged,
            Screen::MethodChoice { face, pin, staff } => match p.method {
                Method::Face if *face => Event::MethodChosen(Method::Face),
                Method::Pin if pin.is_some() => Event::MethodChosen(Method::Pin),
                _ if pin.is_some() => Event::MethodChosen(Method::Pin),
                _ if *staff && p.staff_code.is_some() => Event::StaffHelpChosen,
                _ => return None,
            },
            Screen::FaceFailed { pin, staff } => {
                if pin.is_some() && *typed < p.pins.len() {
                    Event::MethodChosen(Method::Pin)
                } else if *staff && p.staff_code.is_some() {
                    Event::StaffHelpChosen
                } else {
                    return None;
                }
            }
            Screen::PinEntry { verifying: false, .. } if *typed < p.pins.len() => {
                self.core.typed_pin(Zeroizing::new(p.pins[*typed].clone()));
                *typed += 1;
                Event::PinSubmitted
            }
            Screen::PinBlocked { staff: true } if p.staff_code.is_some() => Event::StaffHelpChosen,
            Screen::StaffLogin { .. } => {
                self.core
                    .typed_staff_code(Zeroizing::new(p.staff_code.clone().unwrap_or_default()));
                Event::StaffCodeSubmitted
            }
            Screen::StaffCheck { .. } => Event::StaffDecision {
                holder_confirmed: p.staff_confirms,
            },
            Screen::RegistrationOffer => Event::RegistrationAccepted(true),
            Screen::ConsentStart => match p.consents {
                None => Event::ConsentAll(true),
                Some(_) => Event::ConsentIndividually,
            },
            Screen::ConsentItems { consents } => {
                let want = p.consents.unwrap_or(Consents::all(true));
                match kiosk_reception::CONSENT_ITEMS
                    .iter()
                    .find(|i| consents.get(**i).is_none())
                {
                    Some(item) => Event::ConsentItemChosen(*item, want.get(*item).unwrap_or(true)),
                    None => Event::ConsentNext,
                }
            }
            Screen::ConsentReview { .. } => Event::ConsentConfirmed,
            Screen::Prescription => Event::PrescriptionChosen(p.prescription),
            _ => return None,
        })
    }
}

/// Consent choices used by the demo's "individual" patient.
pub fn individual(surgery: bool, treatment: bool, checkups: bool) -> Consents {
    let mut c = Consents::default();
    c.set(ConsentItem::Surgery, surgery);
    c.set(ConsentItem::TreatmentAndMedicine, treatment);
    c.set(ConsentItem::HealthCheckups, checkups);
    c
}
