//! The eframe window around the kiosk loop, with two extra modes for the documentation: drawing every
//! screen to PNG files (`--screenshots DIR`) and a measured run (`--measure`).

use kiosk::gallery::{self, Shot};
use kiosk::gui::{KioskApp, outline_points};
use kiosk::workers::{card_outline, face_outline};
use kiosk_face::{FaceEngine, FaceModels, RgbImage};
use kiosk_reception::{FrontHold, Method, Press, Screen};
use kiosk_ui::View;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// When the process started (set first thing in `main`), for the start-up figure.
pub static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// When the window was asked to open (the kiosk's parts built), to tell the window's share of the
/// start-up from the parts' (the demo's virtual-card keys).
pub static OPENING: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

#[derive(Debug)]
pub enum Mode {
    Serve,
    Screenshots {
        dir: PathBuf,
        next: usize,
        wait: u32,
    },
    Measure(Measure),
    /// A configured kiosk's start-up (`kiosk --config FILE --measure`): to the idle screen, to the face
    /// models, and the memory on the idle screen; then the window closes. No patient is served.
    MeasureStartup(Measure),
}

/// The measured run's progress and figures.
#[derive(Debug, Default)]
pub struct Measure {
    step: u32,
    at: Option<Instant>,
    startup_ms: f64,
    /// From opening the window to the idle screen drawn.
    window_ms: f64,
    /// Resident memory (kB) when the idle screen was first drawn.
    first_idle_rss_kb: u64,
    /// From `main` to the face models loaded in the background (the face choice offered).
    models_ms: f64,
    /// From `main` to the card thread's trust made (the demo's virtual CAs' keys generated): cards
    /// placed earlier wait for it.
    trust_ms: f64,
    /// Resident memory (kB) on the idle screen with the models loaded, before any patient.
    idle_rss_kb: u64,
    card_to_method_ms: f64,
    /// Face chosen to the face-matching screen: the card front read (照合番号B agreed over 3 frames),
    /// the VERIFY and the card photo read and checked.
    front_to_photo_ms: f64,
    face_to_decision_ms: f64,
    face_start: Option<Instant>,
    /// Frame intervals while face matching runs (ms).
    intervals: Vec<f64>,
    /// Work per frame while face matching runs (ms).
    work: Vec<f64>,
    /// The size of egui's glyph atlas (a texture on the CPU side and in the OpenGL driver).
    atlas: [usize; 2],
    last_frame: Option<Instant>,
}

pub struct Window {
    app: KioskApp,
    mode: Mode,
    shots: Vec<Shot>,
    saved: Arc<AtomicUsize>,
    gallery_preview: Option<egui::TextureHandle>,
    gallery_photo: Option<egui::TextureHandle>,
    /// The demo card's front as the camera sees it (the card-front screen's live picture): held up to
    /// the one camera, and lying on the reader under a front camera.
    gallery_front: Option<egui::TextureHandle>,
    gallery_front_outline: Option<[egui::Pos2; 4]>,
    gallery_tray: Option<egui::TextureHandle>,
    gallery_tray_outline: Option<[egui::Pos2; 4]>,
    /// The face engine's box on the gallery's live picture.
    gallery_box: Option<[egui::Pos2; 4]>,
    done: bool,
    models: Option<&'static FaceModels>,
}

impl Window {
    pub fn new(app: KioskApp, mode: Mode, models: Option<&'static FaceModels>) -> Window {
        Window {
            app,
            mode,
            shots: gallery::shots(),
            saved: Arc::new(AtomicUsize::new(0)),
            gallery_preview: None,
            gallery_photo: None,
            gallery_front: None,
            gallery_front_outline: None,
            gallery_tray: None,
            gallery_tray_outline: None,
            gallery_box: None,
            done: false,
            models,
        }
    }

    fn screenshots(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let Mode::Screenshots { dir, next, wait } = &mut self.mode else {
            return;
        };
        if *next >= self.shots.len() {
            if self.saved.load(Ordering::SeqCst) >= self.shots.len() && !self.done {
                self.done = true;
                println!("{} screens saved in {}", self.shots.len(), dir.display());
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            ctx.request_repaint();
            return;
        }
        if self.gallery_preview.is_none() {
            (self.gallery_preview, self.gallery_box, self.gallery_photo) = demo_textures(&ctx, self.models);
            if let Ok(p) = kiosk_card_sim::Profile::embedded("demo") {
                let held = p.photograph_front(kiosk_cardfront::synth::Variation::Rotation, 2, 800, 600);
                (self.gallery_front, self.gallery_front_outline) =
                    front_texture(&ctx, "gallery-front", &held);
                let lying = kiosk_cardfront::tray::on_reader(
                    &p.draw_front(),
                    kiosk_cardfront::tray::TrayView::OnReader,
                    1,
                    800,
                    600,
                );
                (self.gallery_tray, self.gallery_tray_outline) = front_texture(&ctx, "gallery-tray", &lying);
            }
        }
        let shot = &self.shots[*next];
        let front = matches!(shot.screen, Screen::CardFace { .. });
        let on_reader = matches!(
            shot.screen,
            Screen::CardFace {
                hold: FrontHold::OnReader,
                ..
            }
        );
        let view = View {
            screen: &shot.screen,
            lang: shot.lang,
            timeout_left: shot.timeout_left,
            more_time_available: true,
            card_return_left: shot.card_return_left(),
            help_requested: shot.help,
            preview: match (front, on_reader) {
                (_, true) => self.gallery_tray.as_ref(),
                (true, false) => self.gallery_front.as_ref(),
                (false, false) => self.gallery_preview.as_ref(),
            },
            outline: match (front, on_reader) {
                (_, true) => self.gallery_tray_outline,
                (true, false) => self.gallery_front_outline,
                (false, false) => self.gallery_box,
            },
            staff_photo: self.gallery_photo.as_ref(),
            // The turn screen as a patient partway through the turn sees it: the bar partly filled.
            turn_progress: matches!(shot.screen, Screen::FaceMatching { turn: Some(_), .. }).then_some(0.6),
        };
        self.app.ui.set_easy_japanese(shot.easy);
        // Opened on every frame: the screens close the picker when the screen changes.
        self.app.ui.set_language_picker(shot.picker);
        egui::CentralPanel::default().show(ui, |ui| {
            let _ = self.app.ui.show(ui, &view);
        });
        // Let the layout settle for a few frames, then take the picture of the next frame.
        *wait += 1;
        if *wait == 4 {
            let path = dir.join(format!("{}.png", shot.name));
            let saved = self.saved.clone();
            ctx.request_screenshot(move |image| {
                if let Err(e) = save_png(&path, &image) {
                    eprintln!("kiosk: {}: {e}", path.display());
                }
                saved.fetch_add(1, Ordering::SeqCst);
            });
        }
        if *wait >= 7 {
            *wait = 0;
            *next += 1;
        }
        ctx.request_repaint();
    }

    fn measure(&mut self) {
        let Mode::Measure(m) = &mut self.mode else {
            return;
        };
        let now = Instant::now();
        let screen = self.app.core.screen().clone();
        if m.trust_ms == 0.0
            && let Some(t) = self.app.core.shared().card_trust_made.get()
        {
            m.trust_ms = (*t - *STARTED.get_or_init(Instant::now)).as_secs_f64() * 1000.0;
        }
        match m.step {
            0 => {
                if let Some(t) = self.app.times.first_idle {
                    let start = *STARTED.get_or_init(Instant::now);
                    m.startup_ms = (t - start).as_secs_f64() * 1000.0;
                    m.window_ms = (t - *OPENING.get_or_init(|| start)).as_secs_f64() * 1000.0;
                    m.first_idle_rss_kb = kiosk::process::memory_kb().0;
                    m.step = 1;
                }
            }
            1 => {
                // Wait for the face models (loading in the background), let the demo camera's frames be
                // made (face thread), then place the card.
                if self.app.core.models().is_none() {
                    return;
                }
                if m.at.is_none() {
                    let start = *STARTED.get_or_init(Instant::now);
                    m.models_ms = (now - start).as_secs_f64() * 1000.0;
                    m.at = Some(now);
                }

                if m.idle_rss_kb == 0 && m.at.is_some_and(|t| (now - t).as_secs_f64() > 1.5) {
                    m.idle_rss_kb = kiosk::process::memory_kb().0;
                }
                if m.at.is_some_and(|t| (now - t).as_secs_f64() > 2.0) {
                    let _ = self.app.place_card("demo");
                    m.at = Some(Instant::now());
                    m.step = 2;
                }
            }
            2 => {
                if matches!(screen, Screen::MethodChoice { .. }) {
                    m.card_to_method_ms = m.at.map(|t| (now - t).as_secs_f64() * 1000.0).unwrap_or(0.0);
                    self.app.core.input(Press::MethodChosen(Method::Face).into());
                    m.at = Some(Instant::now());
                    m.step = 3;
                }
            }
            3 => {
                if matches!(screen, Screen::FaceMatching { .. }) {
                    if m.face_start.is_none() {
                        m.face_start = Some(now);
                        m.front_to_photo_ms = m.at.map(|t| (now - t).as_secs_f64() * 1000.0).unwrap_or(0.0);
                    }
                    if let Some(last) = m.last_frame {
                        m.intervals.push((now - last).as_secs_f64() * 1000.0);
                    }
                    if let Some(w) = self.app.times.work_us.last() {
                        m.work.push(*w as f64 / 1000.0);
                    }
                } else if m.face_start.is_some() {
                    m.face_to_decision_ms = m
                        .face_start
                        .map(|t| (now - t).as_secs_f64() * 1000.0)
                        .unwrap_or(0.0);
                    m.step = 4;
                    self.report(&screen);
                }
                if let Mode::Measure(m) = &mut self.mode {
                    m.last_frame = Some(now);
                }
            }
            _ => {}
        }
    }

    /// The configured kiosk's start-up: the idle screen, then the face models (when they load), then
    /// the memory 1.5 s later, with nothing else happening; then the figures and the window closes.
    fn measure_startup(&mut self) -> bool {
        let Mode::MeasureStartup(m) = &mut self.mode else {
            return false;
        };
        if m.step >= 2 {
            return true;
        }
        let now = Instant::now();
        let start = *STARTED.get_or_init(Instant::now);
        let ms = |t: Instant| (t - start).as_secs_f64() * 1000.0;
        if m.step == 0 {
            let Some(t) = self.app.times.first_idle else {
                return false;
            };
            m.startup_ms = ms(t);
            m.window_ms = (t - *OPENING.get_or_init(|| start)).as_secs_f64() * 1000.0;
            m.first_idle_rss_kb = kiosk::process::memory_kb().0;
            m.step = 1;
        }
        if self.app.core.models_loading() {
            return false;
        }
        let settled = *m.at.get_or_insert_with(|| {
            if self.app.core.models().is_some() {
                m.models_ms = ms(now);
            }
            now
        });
        if (now - settled).as_secs_f64() < 1.5 {
            return false;
        }
        m.idle_rss_kb = kiosk::process::memory_kb().0;
        m.step = 2;
        println!("measured start-up (configured kiosk, no patient):");
        println!("  start-up to the idle screen:     {:.0} ms", m.startup_ms);
        println!("    of which the window opening:   {:.0} ms", m.window_ms);
        println!(
            "  resident memory, first idle:     {} MB",
            m.first_idle_rss_kb / 1024
        );
        if self.app.core.models().is_some() {
            println!(
                "  start-up to the face models:     {:.0} ms (loaded in the background)",
                m.models_ms
            );
        } else {
            println!("  face models:                     none loaded (face matching off or models missing)");
        }
        println!("  resident memory, idle screen:    {} MB", m.idle_rss_kb / 1024);
        println!(
            "  glyph atlas:                     {} × {}",
            m.atlas[0], m.atlas[1]
        );
        for p in &self.app.core.problems {
            println!("  reported:                        {p}");
        }
        true
    }

    fn report(&mut self, screen: &Screen) {
        let Mode::Measure(m) = &mut self.mode else {
            return;
        };
        let pct = |v: &mut Vec<f64>, p: f64| -> f64 {
            if v.is_empty() {
                return 0.0;
            }
            v.sort_by(f64::total_cmp);
            v[((v.len() - 1) as f64 * p).round() as usize]
        };
        let (rss, peak) = kiosk::process::memory_kb();
        println!("measured run (demo card, face path, card holder at the camera):");
        println!("  start-up to the idle screen:     {:.0} ms", m.startup_ms);
        println!("    of which the window opening:   {:.0} ms", m.window_ms);
        println!(
            "  resident memory, first idle:     {} MB",
            m.first_idle_rss_kb / 1024
        );
        println!(
            "  start-up to the face models:     {:.0} ms (loaded in the background)",
            m.models_ms
        );
        println!(
            "  resident memory, idle screen:    {} MB (models loaded)",
            m.idle_rss_kb / 1024
        );
        println!(
            "  start-up to the card trust:      {:.0} ms (the virtual CAs' keys, on the card thread)",
            m.trust_ms
        );
        println!(
            "  card placed to method choice:    {:.0} ms (the card's own keys made on first use)",
            m.card_to_method_ms
        );
        println!("  card front read to photo ready:  {:.0} ms", m.front_to_photo_ms);
        println!(
            "  face matching to decision:       {:.0} ms (ended on {})",
            m.face_to_decision_ms,
            screen.kind()
        );
        println!(
            "  frames while matching:           {} frames; interval p50 {:.1} ms, p99 {:.1} ms; UI work p50 {:.2} ms, p99 {:.2} ms",
            m.intervals.len(),
            pct(&mut m.intervals, 0.5),
            pct(&mut m.intervals, 0.99),
            pct(&mut m.work, 0.5),
            pct(&mut m.work, 0.99)
        );
        println!(
            "  resident memory:                 {} MB now, {} MB peak",
            rss / 1024,
            peak / 1024
        );
        println!(
            "  glyph atlas:                     {} × {}",
            m.atlas[0], m.atlas[1]
        );
    }
}

/// The gallery's live picture (a demo camera frame), the face engine's box on it, and the card photo.
fn demo_textures(
    ctx: &egui::Context,
    models: Option<&'static FaceModels>,
) -> (
    Option<egui::TextureHandle>,
    Option<[egui::Pos2; 4]>,
    Option<egui::TextureHandle>,
) {
    let tex = |name: &str, img: &RgbImage| kiosk::gui::texture(ctx, name, img.width, img.height, &img.data);
    let live = models.and_then(|m| {
        let photo = RgbImage::decode(include_bytes!("../../../assets/faces/obama2.png")).ok()?;
        let mut engine = FaceEngine::new(m);
        let frame = kiosk::demo::kiosk_frame(&mut engine, &photo, (0.0, 0.0))?;
        let face = engine
            .analyse(&frame)
            .face
            .map(|b| outline_points(face_outline(&b, frame.width, frame.height)));
        Some((frame, face))
    });
    let card = RgbImage::decode(include_bytes!("../../../assets/photos/obama.jp2")).ok();
    let face = live.as_ref().and_then(|(_, b)| *b);
    (
        live.map(|(i, _)| tex("gallery-preview", &i)),
        face,
        card.map(|i| tex("gallery-photo", &i)),
    )
}

fn save_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut enc = png::Encoder::new(
        std::io::BufWriter::new(file),
        image.size[0] as u32,
        image.size[1] as u32,
    );
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(|e| e.to_string())?;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    w.write_image_data(&bytes).map_err(|e| e.to_string())
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if let Mode::Measure(m) | Mode::MeasureStartup(m) = &mut self.mode {
            m.atlas = ui.ctx().fonts(|f| f.font_image_size());
        }
        match self.mode {
            Mode::Serve => self.app.frame(ui),
            Mode::Screenshots { .. } => self.screenshots(ui),
            Mode::MeasureStartup(_) => {
                self.app.frame(ui);
                if self.measure_startup() && !self.done {
                    self.done = true;
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
                // Wake often enough to take the figures, about as seldom as an idle kiosk does.
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(250));
            }
            Mode::Measure(_) => {
                self.app.frame(ui);
                self.measure();
                if let Mode::Measure(m) = &self.mode
                    && m.step >= 4
                {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
                // While matching, draw continuously, so the frame intervals measure what a frame costs;
                // before, wake as an idle kiosk would (and often enough to take the figures), so the
                // start-up figures are not those of a window redrawing for nothing.
                if matches!(&self.mode, Mode::Measure(m) if m.step == 3) {
                    ui.ctx().request_repaint();
                } else {
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_millis(250));
                }
            }
        }
    }
}

/// A card-front picture for the gallery and the card's outline as the kiosk finds it in it.
fn front_texture(
    ctx: &egui::Context,
    name: &str,
    shot: &RgbImage,
) -> (Option<egui::TextureHandle>, Option<[egui::Pos2; 4]>) {
    let outline = kiosk_cardfront::FrontReader::default()
        .read(shot)
        .corners
        .map(|q| outline_points(card_outline(&q, shot.width, shot.height)));
    let texture = kiosk::gui::texture(ctx, name, shot.width, shot.height, &shot.data);
    (Some(texture), outline)
}
