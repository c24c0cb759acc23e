//! The kiosk's interactive loop: the flow, the screens and the executor, plus the demo panel that places
//! and removes virtual cards and switches the demo camera. The eframe window and the UI tests both drive
//! this same loop.
//!
//! Effects run on the UI thread for now (a virtual card answers in microseconds; face matching over the
//! demo clip takes a few hundred milliseconds); moving the executor onto worker threads is the next step.

use crate::driver::{Camera, Executor, kiosk_frame};
use kiosk_card_sim::{Profile, VirtualCard};
use kiosk_face::{FaceEngine, FaceModels, RgbImage};
use kiosk_mynumber::CheckCodeB;
use kiosk_reception::{Effect, Event, Flow, FlowConfig, Screen};
use kiosk_ui::{Intent, KioskUi, View, style::Metrics};
use std::collections::VecDeque;

/// The public-domain photos behind the demo cameras.
const PHOTOS: &[(&str, &[u8])] = &[
    ("obama.png", include_bytes!("../../../assets/faces/obama.png")),
    ("obama2.png", include_bytes!("../../../assets/faces/obama2.png")),
    ("obama3.png", include_bytes!("../../../assets/faces/obama3.png")),
    ("biden.png", include_bytes!("../../../assets/faces/biden.png")),
];

/// Who stands in front of the demo camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoCamera {
    CardHolder,
    SomeoneElse,
    Nobody,
    Unplugged,
}

/// Live photos of the person on each card photo, and of someone else.
fn live_photos(card_photo: &str, holder: bool) -> Vec<&'static str> {
    let obama = card_photo.starts_with("obama");
    match (obama, holder) {
        (true, true) => vec!["obama2.png", "obama3.png"],
        (false, true) => vec!["biden.png"],
        (true, false) => vec!["biden.png"],
        (false, false) => vec!["obama.png"],
    }
}

/// The interactive kiosk.
pub struct KioskApp<'m> {
    pub flow: Flow,
    pub ui: KioskUi,
    pub exec: Executor<'m>,
    models: Option<&'m FaceModels>,
    queue: VecDeque<Event>,
    camera: DemoCamera,
    card_photo_name: Option<String>,
    preview: Option<egui::TextureHandle>,
    staff_photo: Option<egui::TextureHandle>,
    /// Show the demo panel (placing cards, camera).
    pub demo: bool,
}

impl std::fmt::Debug for KioskApp<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KioskApp({})", self.flow.screen().kind())
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn texture(ctx: &egui::Context, name: &str, img: &RgbImage) -> egui::TextureHandle {
    let color = egui::ColorImage::from_rgb([img.width, img.height], &img.data);
    ctx.load_texture(name, color, egui::TextureOptions::LINEAR)
}

impl<'m> KioskApp<'m> {
    pub fn new(
        exec: Executor<'m>,
        models: Option<&'m FaceModels>,
        config: FlowConfig,
        metrics: Metrics,
    ) -> Result<Self, String> {
        let config = FlowConfig {
            face_enabled: models.is_some() && config.face_enabled,
            ..config
        };
        Ok(KioskApp {
            flow: Flow::new(config, now_unix()),
            ui: KioskUi::new(metrics)?,
            exec,
            models,
            queue: VecDeque::new(),
            camera: DemoCamera::CardHolder,
            card_photo_name: None,
            preview: None,
            staff_photo: None,
            demo: true,
        })
    }

    /// Place a virtual card from an embedded profile (the demo panel's button).
    pub fn place_card(&mut self, profile: &str) -> Result<(), String> {
        if *self.flow.screen() != Screen::Idle {
            return Ok(());
        }
        let profile = Profile::embedded(profile).map_err(|e| e.to_string())?;
        let code = CheckCodeB::new(&profile.check_code_b()).ok();
        self.card_photo_name = Some(
            match profile.name.as_str() {
                "demo" => "obama.jp2",
                "suzuki" => "biden.jp2",
                _ => "obama2.jp2",
            }
            .to_string(),
        );
        self.exec.insert_card(Box::new(VirtualCard::new(profile)), code);
        self.set_camera(self.camera);
        self.queue.push_back(Event::CardInserted);
        Ok(())
    }

    pub fn remove_card(&mut self) {
        self.queue.push_back(Event::CardRemoved);
    }

    pub fn set_camera(&mut self, camera: DemoCamera) {
        self.camera = camera;
        let frames = |names: Vec<&str>, models: &FaceModels| -> Vec<RgbImage> {
            let mut engine = FaceEngine::new(models);
            names
                .iter()
                .filter_map(|n| PHOTOS.iter().find(|(p, _)| p == n))
                .filter_map(|(_, bytes)| RgbImage::decode(bytes).ok())
                .filter_map(|img| kiosk_frame(&mut engine, &img, (0.0, 0.0)))
                .collect()
        };
        let card_photo = self.card_photo_name.clone().unwrap_or_else(|| "obama.jp2".into());
        self.exec.camera = match (camera, self.models) {
            (DemoCamera::Unplugged, _) | (_, None) => Camera::Missing,
            (DemoCamera::Nobody, _) => Camera::Empty,
            (DemoCamera::CardHolder, Some(m)) => Camera::Frames(frames(live_photos(&card_photo, true), m)),
            (DemoCamera::SomeoneElse, Some(m)) => Camera::Frames(frames(live_photos(&card_photo, false), m)),
        };
        self.preview = None;
    }

    /// Feed events to the flow and run its effects until nothing is left to do.
    fn process(&mut self) {
        let mut guard = 0;
        while let Some(event) = self.queue.pop_front() {
            guard += 1;
            if guard > 200 {
                break;
            }
            let removed = event == Event::CardRemoved;
            for effect in self.flow.handle(event) {
                if effect == Effect::ClearPinPad {
                    self.ui.clear_pin();
                }
                if let Some(e) = self.exec.execute(effect) {
                    self.queue.push_back(e);
                }
            }
            if removed {
                self.exec.remove_card();
                self.staff_photo = None;
            }
        }
    }

    /// One frame: the demo panel, the current screen, and the flow's work.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        self.exec.now = now_unix();
        self.queue.push_back(Event::Tick(self.exec.now));
        self.process();
        let ctx = ui.ctx().clone();
        if self.demo {
            egui::Panel::right("demo").show(ui, |ui| self.demo_panel(ui));
        }
        // Textures for the preview and the staff check.
        let camera_screen = matches!(
            self.flow.screen(),
            Screen::FaceMatching { .. } | Screen::StaffCheck { .. }
        );
        if camera_screen
            && self.preview.is_none()
            && let Camera::Frames(f) = &self.exec.camera
            && let Some(first) = f.first()
        {
            self.preview = Some(texture(&ctx, "preview", first));
        }
        if matches!(self.flow.screen(), Screen::StaffCheck { .. })
            && self.staff_photo.is_none()
            && let Some(p) = self.exec.card_photo()
        {
            self.staff_photo = Some(texture(&ctx, "card-photo", p));
        }
        let view = View {
            screen: self.flow.screen(),
            lang: self.flow.lang(),
            timeout_left: self.flow.timeout_warning(),
            more_time_available: self.flow.more_time_available(),
            help_requested: self.flow.help_requested(),
            preview: if camera_screen {
                self.preview.as_ref()
            } else {
                None
            },
            // The face engine's box is not passed to the UI yet (see the architecture notes): draw none
            // rather than a made-up one.
            face_box: None,
            staff_photo: self.staff_photo.as_ref(),
        };
        let intents = egui::CentralPanel::default()
            .show(ui, |ui| self.ui.show(ui, &view))
            .inner;
        for intent in intents {
            match intent {
                Intent::Flow(e) => self.queue.push_back(e),
                Intent::SubmitPin(digits) => self.exec.typed_pin(digits),
                Intent::SubmitStaffCode(code) => self.exec.typed_staff_code(code),
            }
        }
        self.process();
        // Keep ticking for the time-out warning.
        ctx.request_repaint_after(std::time::Duration::from_millis(500));
    }

    fn demo_panel(&mut self, ui: &mut egui::Ui) {
        ui.heading("デモ操作 / Demo");
        ui.label("カードを置く / Place a card");
        for name in Profile::embedded_names() {
            if ui.button(format!("カードを置く: {name}")).clicked() {
                let _ = self.place_card(name);
            }
        }
        if ui.button("カードを取る / Take the card").clicked() {
            self.remove_card();
        }
        ui.separator();
        ui.label("カメラ / Camera");
        for (camera, label) in [
            (DemoCamera::CardHolder, "カメラ: 本人 / card holder"),
            (DemoCamera::SomeoneElse, "カメラ: 別人 / someone else"),
            (DemoCamera::Nobody, "カメラ: 不在 / nobody"),
            (DemoCamera::Unplugged, "カメラ: 未接続 / unplugged"),
        ] {
            if ui.radio(self.camera == camera, label).clicked() {
                self.set_camera(camera);
            }
        }
    }
}
