//! A headless reception: the kiosk core (flow, workers, records) driven by scripted patients who choose,
//! type and consent as a person would. `kiosk --demo --walk`, the fault and endurance runs in `hw-test/`
//! and tests use it; the window drives the same core from its screens.

use crate::core::KioskCore;
use crate::demo::{DemoCamera, DemoFrames, FrontView, Holder};
use crate::workers::SendChannel;
use kiosk_card_sim::SharedCard;
use kiosk_face::FaceModels;
use kiosk_mynumber::AuthPin;
use kiosk_reception::{
    ConsentItem, Consents, FrontHold, Input, Method, Prescription, Press, Screen, StaffCode,
};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

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

/// What the outcome's screen list says where the patient lifted the card, showed its front to the one
/// camera and put it back.
pub const LIFTED: &str = "(card lifted, front shown, put back)";

/// How long one step may take before the run counts as stuck (face matching gives up after seconds).
const STEP_LIMIT: Duration = Duration::from_secs(60);

/// How long a patient waits for staff to decide a visual check from the staff console.
const STAFF_LIMIT: Duration = Duration::from_secs(120);

/// Scripted patients at a kiosk core.
pub struct Reception {
    pub core: KioskCore,
    pub models: Option<&'static FaceModels>,
    pub frames: Arc<DemoFrames>,
    /// The card of the current run, when the patient can lift it to show its front to the one camera
    /// and put it back ([`Reception::run_lifting`]).
    lifted: Option<SharedCard>,
    /// The demo front camera's view, when the kiosk has a front camera ([`Reception::with_front_camera`]).
    front: Option<Arc<std::sync::Mutex<FrontView>>>,
}

impl std::fmt::Debug for Reception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reception({:?})", self.core)
    }
}

impl Reception {
    /// `frames`: the demo frames the core's first camera was made from (made once, shared).
    pub fn new(core: KioskCore, models: Option<&'static FaceModels>, frames: Arc<DemoFrames>) -> Reception {
        Reception {
            core,
            models,
            frames,
            lifted: None,
            front: None,
        }
    }

    /// A kiosk whose core was started with a demo front camera: each run shows that camera the card
    /// placed, lying on the reader as `view` says.
    pub fn with_front_camera(mut self, view: Arc<std::sync::Mutex<FrontView>>) -> Reception {
        self.front = Some(view);
        self
    }

    /// Run one patient with `card`, who lifts it when a one-camera kiosk asks to see its front, holds it
    /// to the camera until the front is read, and puts the same card back.
    pub fn run_lifting(&mut self, card: SharedCard, holder: Holder, patient: &Patient) -> Outcome {
        self.lifted = Some(card.clone());
        let outcome = self.run(Box::new(card), holder, patient);
        self.lifted = None;
        outcome
    }

    /// On the one-camera card-face step: take the card off, wait until the camera has read its front
    /// (or the front reader gave up), put it back. Returns whether the patient did so.
    fn lift_and_put_back(&mut self) -> bool {
        let lift = matches!(
            self.core.screen(),
            Screen::CardFace {
                hold: FrontHold::Lift,
                ..
            }
        );
        let Some(card) = self.lifted.clone().filter(|_| lift) else {
            return false;
        };
        let reads = &self.core.shared().confident_front_reads;
        let before = reads.load(Ordering::SeqCst);
        self.core.remove_card();
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while self.core.shared().confident_front_reads.load(Ordering::SeqCst) == before
            && std::time::Instant::now() < deadline
        {
            self.core.wait(Duration::from_millis(20));
        }
        self.core.insert_card(Box::new(card));
        true
    }

    /// Run one patient with `card` from placing it to taking it away.
    pub fn run(&mut self, card: SendChannel, holder: Holder, patient: &Patient) -> Outcome {
        if let Some(view) = &self.front {
            let front = DemoFrames::front_camera(view.clone(), holder.clone());
            self.core.set_front_camera(front);
        }
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
            if self.lift_and_put_back() {
                self.record(&mut screens);
                screens.push(LIFTED);
                continue;
            }
            self.core.settle(STEP_LIMIT);
            self.record(&mut screens);
            if matches!(self.core.screen(), Screen::StaffWaiting { .. }) {
                // Staff decide from the console; the patient stands still until they have.
                if !self.wait_for(STAFF_LIMIT, |s| !matches!(s, Screen::StaffWaiting { .. })) {
                    break;
                }
                continue;
            }
            match self.patient_input(patient, &mut typed) {
                Some(input) => self.core.input(input),
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
    fn patient_input(&mut self, p: &Patient, typed: &mut usize) -> Option<Input> {
        let press = match self.core.screen() {
            Screen::CertificateExpiring { .. }
            | Screen::CertificateExpiredGrace { .. }
            | Screen::NoPhotoPinOnly
            | Screen::NoSharingInfo
            | Screen::Registered => Press::AlertAcknowledged,
            Screen::MethodChoice { face, pin, staff } => match p.method {
                Method::Face if *face => Press::MethodChosen(Method::Face),
                // The PIN when chosen, and when the face path is not offered.
                _ if pin.is_some() => Press::MethodChosen(Method::Pin),
                _ if *staff && p.staff_code.is_some() => Press::StaffHelpChosen,
                _ => return None,
            },
            Screen::FaceFailed { pin, staff } => {
                if pin.is_some() && *typed < p.pins.len() {
                    Press::MethodChosen(Method::Pin)
                } else if *staff && p.staff_code.is_some() {
                    Press::StaffHelpChosen
                } else {
                    return None;
                }
            }
            Screen::PinEntry { verifying: false, .. } | Screen::PhonePin { verifying: false, .. } => {
                return next_pin(p, typed).map(Input::Pin);
            }
            Screen::PinBlocked { staff: true, .. } if p.staff_code.is_some() => Press::StaffHelpChosen,
            Screen::PinBlocked { face: true, .. } if p.method == Method::Face => {
                Press::MethodChosen(Method::Face)
            }
            Screen::StaffLogin { .. } => {
                let code = StaffCode::new(p.staff_code.as_deref().unwrap_or_default());
                return code.ok().map(Input::StaffCode);
            }
            Screen::StaffCheck { .. } => Press::StaffDecision {
                holder_confirmed: p.staff_confirms,
            },
            Screen::RegistrationOffer => Press::RegistrationAccepted(true),
            Screen::ConsentStart => match p.consents {
                None => Press::ConsentAll(true),
                Some(_) => Press::ConsentIndividually,
            },
            Screen::ConsentItems { consents } => {
                let want = p.consents.unwrap_or(Consents::all(true));
                match kiosk_reception::CONSENT_ITEMS
                    .iter()
                    .find(|i| consents.get(**i).is_none())
                {
                    Some(item) => Press::ConsentItemChosen(*item, want.get(*item).unwrap_or(true)),
                    None => Press::ConsentNext,
                }
            }
            Screen::ConsentReview { .. } => Press::ConsentConfirmed,
            Screen::Prescription => Press::PrescriptionChosen(p.prescription),
            _ => return None,
        };
        Some(press.into())
    }
}

/// The patient's next PIN as the pad would take it: one that is not 4 digits is refused at the pad
/// (counted as typed, never sent), as a person's would be.
fn next_pin(p: &Patient, typed: &mut usize) -> Option<AuthPin> {
    while let Some(text) = p.pins.get(*typed) {
        *typed += 1;
        if let Ok(pin) = AuthPin::new(text) {
            return Some(pin);
        }
    }
    None
}

/// Consent choices used by the demo's "individual" patient.
pub fn individual(surgery: bool, treatment: bool, checkups: bool) -> Consents {
    let mut c = Consents::default();
    c.set(ConsentItem::Surgery, surgery);
    c.set(ConsentItem::TreatmentAndMedicine, treatment);
    c.set(ConsentItem::HealthCheckups, checkups);
    c
}
