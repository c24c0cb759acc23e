//! The kiosk window's loop: the kiosk core, the screens, the live preview, and (in demo mode) the panel
//! that places and removes virtual cards and switches the demo camera. The eframe window and the UI tests
//! both drive this loop; all card, camera and records work happens on the core's worker threads, so a
//! frame only draws.

use crate::core::KioskCore;
use crate::demo::{self, DemoCamera, DemoFrames, FrontView, Holder};
use kiosk_card_sim::{Profile, SharedCard};
use kiosk_face::FaceModels;
use kiosk_reception::Screen;
use kiosk_ui::{KioskUi, View, style::Metrics};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// The demo panel's state.
#[derive(Debug)]
pub struct DemoPanel {
    models: Option<&'static FaceModels>,
    frames: Arc<DemoFrames>,
    camera: DemoCamera,
    holder: Holder,
    /// The front camera's view, when the demo kiosk has one (`--front-camera`).
    front: Option<Arc<std::sync::Mutex<FrontView>>>,
    /// The card last placed, to put back after showing its front to a one-camera kiosk.
    placed: Option<SharedCard>,
}

impl DemoPanel {
    pub fn new(models: Option<&'static FaceModels>) -> DemoPanel {
        DemoPanel {
            models,
            frames: Arc::new(DemoFrames::default()),
            camera: DemoCamera::CardHolder,
            holder: Holder::default(),
            front: None,
            placed: None,
        }
    }

    /// A demo kiosk with a front camera above the reader (the face-and-front arrangement).
    pub fn with_front_camera(mut self) -> DemoPanel {
        self.front = Some(Arc::default());
        self
    }

    /// The card last placed (made by the card thread when it first speaks to it).
    pub fn placed(&self) -> Option<&SharedCard> {
        self.placed.as_ref()
    }

    /// The front camera for the card now placed (`None`: a one-camera demo).
    pub fn front_camera(&self) -> Option<crate::workers::SourceFactory> {
        let view = self.front.clone()?;
        Some(DemoFrames::front_camera(view, self.holder.clone()))
    }

    /// The demo camera for the panel's current choice and card (at start: the holder of the first demo card).
    pub fn camera(&self) -> crate::workers::SourceFactory {
        self.frames.camera(self.models, self.camera, self.holder.clone())
    }
}

/// Frame timing of the window, for the performance figures (`--measure`).
#[derive(Debug, Default, Clone)]
pub struct FrameTimes {
    /// Time spent in each `frame` call, in microseconds.
    pub work_us: Vec<u32>,
    /// When the idle screen was first drawn.
    pub first_idle: Option<Instant>,
}

/// What the voice would say of the flow as it stands: the language and the screen's texts (its numbers
/// left out: a countdown does not restart the prompt, a new warning on the screen does), whether the
/// staff-call notice and the time-out warning show.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spoken {
    key: (kiosk_reception::Lang, Vec<kiosk_ui::Text>),
    help: bool,
    timeout: bool,
}

impl Spoken {
    fn of(flow: &kiosk_reception::Flow) -> Spoken {
        let phrases = kiosk_voice::screen_phrases(flow.screen(), flow.card_return_left());
        Spoken {
            key: (flow.lang(), phrases.iter().map(|p| p.text).collect()),
            help: flow.help_requested(),
            timeout: flow.timeout_warning().is_some(),
        }
    }
}

/// The voice guidance and what it last said, so each screen is said once, when it opens.
#[derive(Debug)]
struct Speech {
    voice: kiosk_voice::Voice,
    /// The language and the texts of the screen last said (its numbers left out: a countdown does not
    /// restart the prompt, a new warning on the screen does).
    said: Option<(kiosk_reception::Lang, Vec<kiosk_ui::Text>)>,
    help: bool,
    timeout: bool,
    pin_len: usize,
    /// The label the keypad's focus was on after the last frame.
    focus: Option<String>,
}

/// The interactive kiosk.
pub struct KioskApp {
    pub core: KioskCore,
    pub ui: KioskUi,
    pub demo: Option<DemoPanel>,
    preview: Option<egui::TextureHandle>,
    preview_serial: u64,
    outline: Option<[egui::Pos2; 4]>,
    /// How far the asked head turn has come (the face thread's last frame), while it is asked for.
    turn: Option<f32>,
    staff_photo: Option<egui::TextureHandle>,
    /// Filled on the first frame; the workers' wake-up calls repaint through it.
    ctx: Arc<OnceLock<egui::Context>>,
    pub times: FrameTimes,
    speech: Option<Speech>,
}

impl std::fmt::Debug for KioskApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KioskApp({:?})", self.core)
    }
}

/// A wake-up for the workers that repaints the window once it exists.
pub fn waker() -> (Arc<OnceLock<egui::Context>>, Arc<dyn Fn() + Send + Sync>) {
    let cell: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
    let c = cell.clone();
    (
        cell,
        Arc::new(move || {
            if let Some(ctx) = c.get() {
                ctx.request_repaint();
            }
        }),
    )
}

/// An outline from the face thread as points for the screen.
pub fn outline_points(outline: crate::workers::Outline) -> [egui::Pos2; 4] {
    outline.map(|[x, y]| egui::pos2(x, y))
}

/// An RGB picture as a texture for the screens.
pub fn texture(
    ctx: &egui::Context,
    name: &str,
    width: usize,
    height: usize,
    rgb: &[u8],
) -> egui::TextureHandle {
    let color = egui::ColorImage::from_rgb([width, height], rgb);
    ctx.load_texture(name, color, egui::TextureOptions::LINEAR)
}

impl KioskApp {
    /// `ctx`: the cell given with the core's waker (see [`waker`]).
    pub fn new(
        core: KioskCore,
        ctx: Arc<OnceLock<egui::Context>>,
        demo: Option<DemoPanel>,
        metrics: Metrics,
    ) -> Result<Self, kiosk_ui::StringsError> {
        Ok(KioskApp {
            core,
            ui: KioskUi::new(metrics)?,
            demo,
            preview: None,
            preview_serial: 0,
            outline: None,
            turn: None,
            staff_photo: None,
            ctx,
            times: FrameTimes::default(),
            speech: None,
        })
    }

    /// Speak each screen's prompt with `voice` (the configuration's `[voice]`; without it the kiosk is
    /// silent).
    pub fn with_voice(mut self, voice: kiosk_voice::Voice) -> KioskApp {
        self.speech = Some(Speech {
            voice,
            said: None,
            help: false,
            timeout: false,
            pin_len: 0,
            focus: None,
        });
        self
    }

    /// What to say after this frame: a new screen's prompt (cutting off the last one), the staff-call
    /// notice, the time-out warning, or the PIN pad's count of digits; then the choice the keypad's focus
    /// has moved to (after a new screen's prompt: a patient on the keypad hears where they are, then
    /// which choice Enter takes). Only a message to the voice's thread: nothing here waits for sound.
    ///
    /// `drawn`: what the screen this frame drew says ([`Spoken::of`]). When the patient's input has just
    /// changed it (another screen, 「確認しています」 on the same PIN pad, another language, the staff-call
    /// notice), the keypad's focus is still on what was drawn: the change is said on the next frame,
    /// with the focus it moves to, so that its prompt is not cut off by that focus move a frame later.
    fn speak(&mut self, drawn: &Spoken, ctx: &egui::Context) {
        let Some(s) = self.speech.as_mut() else {
            return;
        };
        let flow = self.core.flow();
        let (screen, lang) = (flow.screen(), flow.lang());
        let now = Spoken::of(flow);
        if now != *drawn {
            ctx.request_repaint();
            return;
        }
        let phrases = kiosk_voice::screen_phrases(screen, flow.card_return_left());
        let Spoken { key, help, timeout } = now;
        // The pad holds digits only on the PIN screens; its count is all the voice is given.
        let pin_screen = matches!(screen, Screen::PinEntry { .. } | Screen::PhonePin { .. });
        let pin_len = if pin_screen { self.ui.pin_len() } else { 0 };
        let focused = self.ui.focused();
        let new_screen = s.said.as_ref() != Some(&key);
        let mut say = Vec::new();
        if new_screen {
            s.said = Some(key);
            say = phrases;
        } else if help && !s.help {
            say = kiosk_voice::help_phrases();
        } else if let Some(left) = flow.timeout_warning().filter(|_| timeout && !s.timeout) {
            say = kiosk_voice::timeout_phrases(left);
        } else if pin_len != s.pin_len {
            say.push(kiosk_voice::Phrase::digits_entered(pin_len));
        }
        let focus = focused.as_ref().map(|f| f.label.clone());
        // A digit typed moves the focus to the pad's 決定: the count is said, not the move. A pad's
        // digit key says nothing (`focus_phrase`): the count is the pad's only feedback.
        if new_screen || (focus != s.focus && pin_len == s.pin_len) {
            say.extend(
                focused
                    .as_ref()
                    .and_then(|f| kiosk_voice::focus_phrase(screen, f, self.ui.strings())),
            );
        }
        if !say.is_empty() {
            s.voice.say(lang, say);
        }
        s.help = help;
        s.timeout = timeout;
        s.pin_len = pin_len;
        s.focus = focus;
    }

    /// Place a virtual card from an embedded profile (the demo panel's button).
    pub fn place_card(&mut self, profile: &str) -> Result<(), demo::DemoError> {
        if !self.core.flow().accepts_card() {
            return Ok(());
        }
        let (card, holder) = demo::card_made_on_first_use(profile)?;
        // The card's keys are made from now on a thread of their own, beside what the card thread is
        // doing (at start: the demo's trust); the card thread finds the card made, or waits for it. If
        // the thread cannot start, the card thread makes the card when it first speaks to it.
        let making = card.clone();
        let _ = std::thread::Builder::new()
            .name("kiosk-demo-card".into())
            .spawn(move || drop(making.lock()));
        if let Some(d) = self.demo.as_mut() {
            d.holder = holder;
            d.placed = Some(card.clone());
            self.core.set_camera(d.camera());
            if let Some(front) = d.front_camera() {
                self.core.set_front_camera(front);
            }
        }
        self.core.insert_card(Box::new(card));
        Ok(())
    }

    /// Put the card last placed back (after showing its front to a one-camera kiosk).
    pub fn put_card_back(&mut self) {
        let card = self.demo.as_ref().and_then(|d| d.placed.clone());
        if let Some(card) = card.filter(|_| self.core.flow().accepts_card()) {
            self.core.insert_card(Box::new(card));
        }
    }

    /// What the demo front camera shows.
    pub fn set_front_view(&mut self, view: FrontView) {
        if let Some(cell) = self.demo.as_ref().and_then(|d| d.front.as_ref()) {
            *cell.lock().unwrap_or_else(|e| e.into_inner()) = view;
        }
    }

    pub fn remove_card(&mut self) {
        self.core.remove_card();
    }

    pub fn set_camera(&mut self, camera: DemoCamera) {
        if let Some(d) = self.demo.as_mut() {
            d.camera = camera;
            self.core.set_camera(d.camera());
        }
    }

    /// One frame: the workers' answers, the demo panel, the current screen.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        let _ = self.ctx.set(ctx.clone());
        self.core.tick();
        self.core.poll();
        self.models_arrived();
        self.ui.set_face_loading(self.core.models_loading());
        if self.demo.is_some() {
            egui::Panel::right("demo").show(ui, |ui| self.demo_panel(ui));
        }
        self.update_pictures(&ctx);
        let flow = self.core.flow();
        let camera_screen = matches!(
            flow.screen(),
            Screen::FaceMatching { .. } | Screen::StaffCheck { .. } | Screen::CardFace { .. }
        );
        let view = View {
            screen: flow.screen(),
            lang: flow.lang(),
            timeout_left: flow.timeout_warning(),
            more_time_available: flow.more_time_available(),
            card_return_left: flow.card_return_left(),
            help_requested: flow.help_requested(),
            preview: if camera_screen {
                self.preview.as_ref()
            } else {
                None
            },
            outline: self.outline,
            turn_progress: self.turn,
            staff_photo: self.staff_photo.as_ref(),
        };
        // Only a kiosk that speaks works out what its screen says.
        let drawn = self.speech.is_some().then(|| Spoken::of(flow));
        let inputs = egui::CentralPanel::default()
            .show(ui, |ui| self.ui.show(ui, &view))
            .inner;
        if self.times.first_idle.is_none() && *self.core.screen() == Screen::Idle {
            self.times.first_idle = Some(Instant::now());
        }
        for input in inputs {
            self.core.input(input);
        }
        if let Some(drawn) = drawn {
            self.speak(&drawn, &ctx);
        }
        // Keep ticking for the time-out warning; workers repaint at once when they answer.
        ctx.request_repaint_after(std::time::Duration::from_millis(500));
        self.times
            .work_us
            .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        if self.times.work_us.len() > 100_000 {
            self.times.work_us.drain(..50_000);
        }
    }

    /// The face models loaded in the background have arrived: the demo camera, which makes its frames
    /// with them, is made again.
    fn models_arrived(&mut self) {
        let Some(models) = self.core.models() else {
            return;
        };
        if let Some(d) = self.demo.as_mut().filter(|d| d.models.is_none()) {
            d.models = Some(models);
            self.core.set_camera(d.camera());
        }
    }

    /// The live picture and the staff's card photo, uploaded when they change and dropped when the
    /// screen no longer shows them.
    fn update_pictures(&mut self, ctx: &egui::Context) {
        if let Some(update) = self.core.shared().take_preview(self.preview_serial) {
            self.preview_serial = update.serial;
            self.outline = update.outline.map(outline_points);
            self.turn = update.turn;
            match update.frame {
                Some(f) => match self.preview.as_mut() {
                    Some(t) if t.size() == [f.width, f.height] => t.set(
                        egui::ColorImage::from_rgb([f.width, f.height], &f.rgb),
                        egui::TextureOptions::LINEAR,
                    ),
                    _ => self.preview = Some(texture(ctx, "preview", f.width, f.height, &f.rgb)),
                },
                None => self.preview = None,
            }
        }
        let staff_check = matches!(self.core.screen(), Screen::StaffCheck { .. });
        if !staff_check {
            self.staff_photo = None;
        } else if self.staff_photo.is_none() {
            self.staff_photo = self
                .core
                .shared()
                .with_card_photo(|p| p.map(|p| texture(ctx, "card-photo", p.width, p.height, &p.data)));
        }
    }

    /// The demo front camera's views, when the demo kiosk has one.
    fn front_views(&mut self, ui: &mut egui::Ui) {
        let Some(current) = self
            .demo
            .as_ref()
            .and_then(|d| d.front.as_ref())
            .map(|c| *c.lock().unwrap_or_else(|e| e.into_inner()))
        else {
            return;
        };
        ui.separator();
        ui.label("上のカメラ / Front camera");
        for (view, label) in [
            (FrontView::OnReader, "置いたカード / card on the reader"),
            (FrontView::Glare, "照明の反射 / room light glare"),
            (FrontView::PartlyOff, "はみ出し / partly off"),
            (FrontView::FaceDown, "裏向き / face-down"),
            (FrontView::Hand, "手が上に / hand over it"),
            (FrontView::NoCard, "カードなし / no card"),
        ] {
            if ui.radio(current == view, label).clicked() {
                self.set_front_view(view);
            }
        }
    }

    fn demo_panel(&mut self, ui: &mut egui::Ui) {
        ui.heading("デモ操作 / Demo");
        ui.label("カードを置く / Place a card");
        for name in Profile::embedded_names() {
            // Virtual phones go on the same (contactless) virtual reader (issue 16).
            let phone = Profile::embedded(name).is_ok_and(|p| p.token.is_phone());
            let label = if phone {
                format!("スマートフォンを置く / Place a phone: {name}")
            } else {
                format!("カードを置く: {name}")
            };
            if ui.button(label).clicked() {
                let _ = self.place_card(name);
            }
        }
        if ui.button("カードを取る / Take the card").clicked() {
            self.remove_card();
        }
        if ui.button("同じカードを戻す / Put the card back").clicked() {
            self.put_card_back();
        }
        self.front_views(ui);
        ui.separator();
        ui.label("カメラ / Camera");
        let current = self.demo.as_ref().map(|d| d.camera);
        for (camera, label) in [
            (DemoCamera::CardHolder, "カメラ: 本人 / card holder"),
            (DemoCamera::SomeoneElse, "カメラ: 別人 / someone else"),
            (DemoCamera::Nobody, "カメラ: 不在 / nobody"),
            (DemoCamera::Unplugged, "カメラ: 未接続 / unplugged"),
            (DemoCamera::CardHeldUp, "攻撃: カードをかざす / card held up"),
            (DemoCamera::PrintedPhoto, "攻撃: 印刷写真 / printed photo"),
            (DemoCamera::PhoneReplay, "攻撃: スマホ再生 / phone replay"),
        ] {
            if ui.radio(current == Some(camera), label).clicked() {
                self.set_camera(camera);
            }
        }
        if let Some(p) = self.core.problems.back() {
            ui.separator();
            ui.label("お知らせ / Notice");
            ui.label(p.as_str());
        }
    }
}
