//! Reading 照合番号B's three fields from one frame.
//!
//! 1. Find the card ([`crate::find`]) and map the straightened card onto the frame (a homography).
//! 2. For each line (birth, expiry, code), resample just that strip of the card, and turn it into ink
//!    (0 paper … 1 ink) from its own dark and light levels, which cancels dim light and colour casts.
//! 3. Align the line: slide it a few pixels until the fixed characters (年, 月, 日, 生, まで有効) match
//!    their templates best. A line that does not find its fixed characters is not read at all.
//! 4. Classify every other cell against the digit (or era) templates by normalised cross-correlation,
//!    allowing a pixel or two of local shift; an empty cell scores by its lack of ink.
//! 5. Confidence is the smallest margin between a cell's best and second-best candidate over all cells;
//!    a frame is confident only when that margin, each best score and the alignment clear calibrated
//!    floors ([`FrontReader::default`], calibrated in docs/CARD-FRONT.md), and the dates exist.

use crate::find::{NotFound, Quad, find_card};
use crate::geometry::{Homography, bilinear};
use crate::layout::{self, CARD_H, CARD_W, Cell, Line};
use crate::{Era, FrontFields, PrintedBirth, RgbImage, Ymd, glyphs};

/// What the patient should do so the card front can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontGuidance {
    /// Hold the card's front (photo side) to the camera.
    ShowCard,
    /// Bring the card closer.
    Closer,
    /// The picture is too dark.
    MoreLight,
    /// Tilt the card a little: a reflection hides the print.
    AvoidGlare,
    /// Hold the card still (the picture is blurred).
    HoldStill,
}

/// Why a frame gave no confident read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoCard,
    NotCardShaped,
    TooFar,
    TooDark,
    Glare,
    Blurred,
    /// Read, but some cell's margin or score is under the floor: do not spend a try on it.
    Unsure,
    /// Confidently read digits that make no date (2月30日, 昭和70年): a misread, refused.
    NotADate,
}

impl Refusal {
    pub fn guidance(self) -> FrontGuidance {
        match self {
            Refusal::NoCard | Refusal::NotCardShaped => FrontGuidance::ShowCard,
            Refusal::TooFar => FrontGuidance::Closer,
            Refusal::TooDark => FrontGuidance::MoreLight,
            Refusal::Glare => FrontGuidance::AvoidGlare,
            Refusal::Blurred | Refusal::Unsure | Refusal::NotADate => FrontGuidance::HoldStill,
        }
    }
}

/// One frame's result.
#[derive(Debug)]
pub struct FrontRead {
    pub result: Result<FrontFields, Refusal>,
    /// The smallest cell margin (0 when nothing was read).
    pub confidence: f32,
    /// Where the card is in the frame, for drawing its outline on the preview.
    pub corners: Option<Quad>,
}

/// The reader with its calibrated floors and its glyph templates.
#[derive(Debug, Clone)]
pub struct FrontReader {
    /// Smallest best-minus-runner-up margin a cell may have.
    pub min_margin: f32,
    /// Smallest correlation the winning glyph may have.
    pub min_score: f32,
    /// Smallest mean correlation of a line's fixed characters.
    pub min_anchor: f32,
    /// Smallest card width, as a share of the frame's width.
    pub min_card_share: f64,
    birth: [LineTemplates; 2],
    expiry: LineTemplates,
    code: LineTemplates,
}

/// Margin around a resampled line, in card pixels: room for the alignment search.
const MARGIN: i32 = 12;
/// How far a line may slide to find its fixed characters, and a cell around its place.
const LINE_SLIDE: i32 = 9;
const CELL_SLIDE: i32 = 2;

impl Default for FrontReader {
    /// Floors calibrated on 800 generated photographs with no floor at all (docs/CARD-FRONT.md): the most
    /// confident wrong read had a margin of 0.003; the floor of 0.08 keeps 86 % of right reads. A wrong
    /// read that got through would still need the same digits in several frames ([`crate::Agreement`]).
    fn default() -> Self {
        FrontReader::with_floors(0.08, 0.55, 0.5)
    }
}

impl FrontReader {
    pub fn with_floors(min_margin: f32, min_score: f32, min_anchor: f32) -> FrontReader {
        FrontReader {
            min_margin,
            min_score,
            min_anchor,
            min_card_share: 0.4,
            birth: [
                LineTemplates::new(layout::BIRTH, layout::birth_cells(true)),
                LineTemplates::new(layout::BIRTH, layout::birth_cells(false)),
            ],
            expiry: LineTemplates::new(layout::EXPIRY, layout::expiry_cells()),
            code: LineTemplates::new(layout::CODE, layout::code_cells()),
        }
    }

    /// Read one RGB frame.
    pub fn read(&self, frame: &RgbImage) -> FrontRead {
        self.read_rgb(&frame.data, frame.width, frame.height)
    }

    /// Read one frame given as packed RGB (a camera's buffer, read in place).
    pub fn read_rgb(&self, rgb: &[u8], width: usize, height: usize) -> FrontRead {
        let grey = crate::grey_of(rgb);
        let quad = match find_card(&grey, width, height) {
            Ok(q) => q,
            Err(e) => {
                let refusal = match e {
                    NotFound::Nothing => Refusal::NoCard,
                    NotFound::NotCardShaped => Refusal::NotCardShaped,
                };
                return FrontRead {
                    result: Err(refusal),
                    confidence: 0.0,
                    corners: None,
                };
            }
        };
        let refuse = |r: Refusal, confidence: f32| FrontRead {
            result: Err(r),
            confidence,
            corners: Some(quad),
        };
        if quad.width() < self.min_card_share * width as f64 {
            return refuse(Refusal::TooFar, 0.0);
        }
        // Upright first; a card held upside down reads the other way round.
        let mut first = None;
        for q in [quad, quad.turned()] {
            let Some(card) = Straightened::new(&grey, width, height, &q) else {
                continue;
            };
            match self.read_card(&card) {
                Ok((fields, confidence)) => {
                    return FrontRead {
                        result: Ok(fields),
                        confidence,
                        corners: Some(quad),
                    };
                }
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        let (reason, confidence) = first.unwrap_or((Refusal::Unsure, 0.0));
        refuse(reason, confidence)
    }

    /// Read the three lines of a straightened card (as one orientation).
    fn read_card(&self, card: &Straightened<'_>) -> Result<(FrontFields, f32), (Refusal, f32)> {
        // Birth: era form or Gregorian form, whichever finds its fixed characters.
        let patch = card.line(&self.birth[0].line, self.birth[0].width());
        let births = self.birth.iter().map(|t| (t, t.align(&patch)));
        let (birth_t, (dx, dy, anchor)) = births
            .max_by(|a, b| a.1.2.total_cmp(&b.1.2))
            .ok_or((Refusal::Unsure, 0.0))?;
        if anchor < self.min_anchor {
            return Err((patch.diagnose(), 0.0));
        }
        let birth = birth_t.classify(&patch, dx, dy);
        let birth_diagnosis = patch.diagnose();
        let expiry = self.line(card, &self.expiry)?;
        let code = self.line(card, &self.code)?;
        let all: Vec<&CellRead> = birth.iter().chain(&expiry).chain(&code).collect();
        let confidence = all.iter().map(|c| c.margin).fold(f32::INFINITY, f32::min);
        let weakest = all.iter().map(|c| c.best).fold(f32::INFINITY, f32::min);
        if confidence < self.min_margin || weakest < self.min_score {
            return Err((birth_diagnosis, confidence.max(0.0)));
        }
        let fields = parse(&birth, &expiry, &code).ok_or((Refusal::NotADate, confidence))?;
        Ok((fields, confidence))
    }

    fn line(&self, card: &Straightened<'_>, t: &LineTemplates) -> Result<Vec<CellRead>, (Refusal, f32)> {
        let patch = card.line(&t.line, t.width());
        let (dx, dy, anchor) = t.align(&patch);
        if anchor < self.min_anchor {
            return Err((patch.diagnose(), 0.0));
        }
        Ok(t.classify(&patch, dx, dy))
    }
}

/// What a cell was read as.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Digit(u8),
    Blank,
    Era(Era),
}

#[derive(Debug, Clone, Copy)]
struct CellRead {
    value: Value,
    best: f32,
    margin: f32,
}

/// Turn cells into fields; `None` if the digits do not make the dates.
fn parse(birth: &[CellRead], expiry: &[CellRead], code: &[CellRead]) -> Option<FrontFields> {
    // A number from cells: blanks only before the first digit, at least one digit.
    fn number(cells: &[CellRead]) -> Option<u16> {
        let mut n: Option<u16> = None;
        for c in cells {
            match (c.value, n) {
                (Value::Blank, None) => {}
                (Value::Digit(d), _) => n = Some(n.unwrap_or(0) * 10 + u16::from(d)),
                _ => return None,
            }
        }
        n
    }
    let (era, rest) = match birth.first()?.value {
        Value::Era(e) => (Some(e), &birth[1..]),
        _ => (None, birth),
    };
    let year_len = if era.is_some() { 2 } else { 4 };
    let year = number(rest.get(..year_len)?)?;
    let month = number(rest.get(year_len..year_len + 2)?)?;
    let day = number(rest.get(year_len + 2..year_len + 4)?)?;
    let birth = PrintedBirth {
        era,
        year,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day).ok()?,
    };
    let born = birth.gregorian()?;
    if era.is_none() && !(1900..=2100).contains(&year) {
        return None;
    }
    let expiry = Ymd::new(
        number(expiry.get(..4)?)?,
        u8::try_from(number(expiry.get(4..6)?)?).ok()?,
        u8::try_from(number(expiry.get(6..8)?)?).ok()?,
    )?;
    if !(2015..=2100).contains(&expiry.y) || expiry <= born {
        return None;
    }
    let mut security_code = [0u8; 4];
    for (slot, c) in security_code.iter_mut().zip(code) {
        match c.value {
            Value::Digit(d) => *slot = d,
            _ => return None,
        }
    }
    (code.len() == 4).then_some(FrontFields {
        birth,
        expiry,
        security_code,
    })
}

/// A glyph template, mean removed, with its norm.
#[derive(Debug, Clone)]
struct Template {
    w: usize,
    h: usize,
    centred: Vec<f32>,
    norm: f32,
}

impl Template {
    fn new(ch: char, line: &Line, w: usize) -> Template {
        let c = glyphs::cell(ch, line.px, w, line.height);
        let mean = c.ink.iter().sum::<f32>() / c.ink.len().max(1) as f32;
        let centred: Vec<f32> = c.ink.iter().map(|v| v - mean).collect();
        let norm = centred.iter().map(|v| v * v).sum::<f32>().sqrt();
        Template {
            w: c.w,
            h: c.h,
            centred,
            norm,
        }
    }
}

/// A line's cells and the templates its cells can hold.
#[derive(Debug, Clone)]
struct LineTemplates {
    line: Line,
    cells: Vec<Cell>,
    spans: Vec<(usize, usize)>,
    /// Per cell: the fixed character's template.
    fixed: Vec<Option<Template>>,
    /// Digit templates at the digit width.
    digits: Vec<Template>,
    /// Per era, the two kanji.
    eras: Vec<(Era, [Template; 2])>,
}

impl LineTemplates {
    fn new(line: Line, cells: Vec<Cell>) -> LineTemplates {
        let spans = layout::cell_spans(&line, &cells);
        let fixed = cells
            .iter()
            .map(|c| match c {
                Cell::Fixed(ch) => Some(Template::new(*ch, &line, line.kanji_w)),
                _ => None,
            })
            .collect();
        let digits = ('0'..='9')
            .map(|d| Template::new(d, &line, line.digit_w))
            .collect();
        let eras = Era::ALL
            .into_iter()
            .map(|e| {
                let [a, b] = layout::era_chars(e);
                (
                    e,
                    [
                        Template::new(a, &line, line.kanji_w),
                        Template::new(b, &line, line.kanji_w),
                    ],
                )
            })
            .collect();
        LineTemplates {
            line,
            cells,
            spans,
            fixed,
            digits,
            eras,
        }
    }

    fn width(&self) -> usize {
        self.spans.last().map_or(0, |(x, w)| x + w)
    }

    /// The shift that best fits the fixed characters, and their mean correlation there.
    fn align(&self, patch: &Patch) -> (i32, i32, f32) {
        let fixed: Vec<(usize, &Template)> = self
            .fixed
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.as_ref().map(|t| (self.spans[i].0, t)))
            .collect();
        let mut best = (0, 0, f32::NEG_INFINITY);
        if fixed.is_empty() {
            return self.align_by_ink(patch);
        }
        for dy in -LINE_SLIDE..=LINE_SLIDE {
            for dx in -LINE_SLIDE..=LINE_SLIDE {
                let s: f32 = fixed
                    .iter()
                    .map(|(x, t)| patch.ncc(MARGIN + *x as i32 + dx, MARGIN + dy, t))
                    .sum::<f32>()
                    / fixed.len() as f32;
                if s > best.2 {
                    best = (dx, dy, s);
                }
            }
        }
        best
    }

    /// A line of digits only (the security code): the shift that best fits the best digit in each cell.
    fn align_by_ink(&self, patch: &Patch) -> (i32, i32, f32) {
        let mut best = (0, 0, f32::NEG_INFINITY);
        for dy in (-LINE_SLIDE..=LINE_SLIDE).step_by(1) {
            for dx in (-LINE_SLIDE..=LINE_SLIDE).step_by(1) {
                let s: f32 = self
                    .spans
                    .iter()
                    .map(|(x, _)| {
                        self.digits
                            .iter()
                            .map(|t| patch.ncc(MARGIN + *x as i32 + dx, MARGIN + dy, t))
                            .fold(f32::NEG_INFINITY, f32::max)
                    })
                    .sum::<f32>()
                    / self.spans.len().max(1) as f32;
                if s > best.2 {
                    best = (dx, dy, s);
                }
            }
        }
        best
    }

    /// Read every variable cell at the aligned place.
    fn classify(&self, patch: &Patch, dx: i32, dy: i32) -> Vec<CellRead> {
        let mut out = Vec::new();
        for (i, cell) in self.cells.iter().enumerate() {
            let x = MARGIN + self.spans[i].0 as i32 + dx;
            let y = MARGIN + dy;
            let best_at = |t: &Template, x: i32| -> f32 {
                let mut b = f32::NEG_INFINITY;
                for oy in -CELL_SLIDE..=CELL_SLIDE {
                    for ox in -CELL_SLIDE..=CELL_SLIDE {
                        b = b.max(patch.ncc(x + ox, y + oy, t));
                    }
                }
                b
            };
            let mut scored: Vec<(Value, f32)> = match cell {
                Cell::Fixed(_) | Cell::Era(1..) => continue,
                Cell::Digit { blank } => {
                    let mut v: Vec<(Value, f32)> = self
                        .digits
                        .iter()
                        .enumerate()
                        .map(|(d, t)| (Value::Digit(d as u8), best_at(t, x)))
                        .collect();
                    if *blank {
                        v.push((
                            Value::Blank,
                            patch.blankness(x, y, self.spans[i].1, self.line.height),
                        ));
                    }
                    v
                }
                Cell::Era(0) => {
                    let next_x = MARGIN + self.spans.get(i + 1).map_or(0, |s| s.0) as i32 + dx;
                    self.eras
                        .iter()
                        .map(|(e, [a, b])| (Value::Era(*e), (best_at(a, x) + best_at(b, next_x)) / 2.0))
                        .collect()
                }
            };
            scored.sort_by(|a, b| b.1.total_cmp(&a.1));
            let (value, best) = scored[0];
            let second = scored.get(1).map_or(-1.0, |s| s.1);
            // A reflection or a thumb over the cell hides part of the glyph, and what remains can look
            // like another digit with full confidence: such a cell is not read at all.
            let width = match cell {
                Cell::Era(_) => 2 * self.line.kanji_w,
                _ => self.spans[i].1,
            };
            let hidden = patch.hidden(x, y, width, self.line.height);
            out.push(CellRead {
                value,
                best,
                margin: if hidden { 0.0 } else { best - second },
            });
        }
        out
    }
}

/// The frame seen through the card's homography.
struct Straightened<'a> {
    grey: &'a [u8],
    w: usize,
    h: usize,
    to_frame: Homography,
}

impl<'a> Straightened<'a> {
    fn new(grey: &'a [u8], w: usize, h: usize, quad: &Quad) -> Option<Straightened<'a>> {
        let (cw, ch) = (CARD_W as f64, CARD_H as f64);
        let to_frame = Homography::from_points([(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)], quad.0)?;
        Some(Straightened { grey, w, h, to_frame })
    }

    /// Resample a line's strip (with [`MARGIN`] all round) as ink.
    fn line(&self, line: &Line, width: usize) -> Patch {
        let m = MARGIN as usize;
        let (pw, ph) = (width + 2 * m, line.height + 2 * m);
        let (x0, y0) = (line.x as f64 - m as f64, line.y as f64 - m as f64);
        let mut raw = Vec::with_capacity(pw * ph);
        for j in 0..ph {
            for i in 0..pw {
                let (fx, fy) = self.to_frame.apply(x0 + i as f64 + 0.5, y0 + j as f64 + 0.5);
                raw.push(bilinear(self.w, self.h, fx as f32 - 0.5, fy as f32 - 0.5, |k| {
                    f32::from(self.grey[k])
                }));
            }
        }
        Patch::from_grey(pw, ph, raw)
    }
}

/// A resampled strip as ink, with the statistics for guidance.
struct Patch {
    w: usize,
    h: usize,
    raw: Vec<f32>,
    ink: Vec<f32>,
    paper: f32,
    contrast: f32,
    saturated: f32,
    sharpness: f32,
}

impl Patch {
    fn from_grey(w: usize, h: usize, raw: Vec<f32>) -> Patch {
        let mut sorted = raw.clone();
        sorted.sort_by(f32::total_cmp);
        let at = |q: f32| {
            sorted
                .get(((sorted.len() as f32 - 1.0) * q) as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let (dark, paper) = (at(0.03), at(0.90));
        let contrast = paper - dark;
        let scale = if contrast > 1.0 { 1.0 / contrast } else { 0.0 };
        let ink: Vec<f32> = raw
            .iter()
            .map(|v| ((paper - v) * scale).clamp(0.0, 1.0))
            .collect();
        let saturated = raw.iter().filter(|&&v| v >= 250.0).count() as f32 / raw.len().max(1) as f32;
        let mut grads: Vec<f32> = (0..h)
            .flat_map(|y| (0..w.saturating_sub(1)).map(move |x| (y, x)))
            .map(|(y, x)| (ink[y * w + x + 1] - ink[y * w + x]).abs())
            .collect();
        grads.sort_by(f32::total_cmp);
        let sharpness = grads.get(grads.len() * 98 / 100).copied().unwrap_or(0.0);
        Patch {
            w,
            h,
            raw,
            ink,
            paper,
            contrast,
            saturated,
            sharpness,
        }
    }

    /// The likely reason a strip did not read confidently (for the patient's guidance).
    fn diagnose(&self) -> Refusal {
        if self.paper < 45.0 || self.contrast < 18.0 {
            Refusal::TooDark
        } else if self.saturated > 0.02 {
            Refusal::Glare
        } else if self.sharpness < 0.15 {
            Refusal::Blurred
        } else {
            Refusal::Unsure
        }
    }

    /// Normalised cross-correlation of a template placed at (x, y); 0 for a flat window or one that
    /// leaves the strip.
    fn ncc(&self, x: i32, y: i32, t: &Template) -> f32 {
        if x < 0 || y < 0 || x as usize + t.w > self.w || y as usize + t.h > self.h || t.norm <= 0.0 {
            return 0.0;
        }
        let (x, y) = (x as usize, y as usize);
        let (mut s, mut s2, mut st) = (0.0f32, 0.0f32, 0.0f32);
        for j in 0..t.h {
            let row = &self.ink[(y + j) * self.w + x..(y + j) * self.w + x + t.w];
            let trow = &t.centred[j * t.w..(j + 1) * t.w];
            for (p, tc) in row.iter().zip(trow) {
                s += p;
                s2 += p * p;
                st += p * tc;
            }
        }
        let n = (t.w * t.h) as f32;
        let var = s2 - s * s / n;
        if var < 1e-3 * n {
            return 0.0;
        }
        st / (var.sqrt() * t.norm)
    }

    /// Whether something lies over the cell: saturated pixels (a reflection) or paper that is much
    /// brighter or darker than the line's (a reflection's halo, a thumb, a shadow).
    fn hidden(&self, x: i32, y: i32, w: usize, h: usize) -> bool {
        let mut values: Vec<f32> = Vec::with_capacity(w * h);
        for j in y.max(0)..(y + h as i32).min(self.h as i32) {
            for i in x.max(0)..(x + w as i32).min(self.w as i32) {
                values.push(self.raw[j as usize * self.w + i as usize]);
            }
        }
        if values.is_empty() {
            return true;
        }
        let saturated = values.iter().filter(|&&v| v >= 248.0).count();
        values.sort_by(f32::total_cmp);
        let local_paper = values[values.len() * 4 / 5];
        saturated * 200 > values.len() || (local_paper - self.paper).abs() > 0.2 * self.contrast
    }

    /// How empty a cell is: 1 for clean paper, falling with the ink in its middle.
    fn blankness(&self, x: i32, y: i32, w: usize, h: usize) -> f32 {
        let (x0, x1) = (x + (w / 5) as i32, x + (w * 4 / 5) as i32);
        let (y0, y1) = (y + (h / 6) as i32, y + (h * 5 / 6) as i32);
        let (mut sum, mut n) = (0.0f32, 0usize);
        for j in y0.max(0)..y1.min(self.h as i32) {
            for i in x0.max(0)..x1.min(self.w as i32) {
                sum += self.ink[j as usize * self.w + i as usize];
                n += 1;
            }
        }
        if n == 0 {
            return 0.0;
        }
        1.0 - 5.0 * sum / n as f32
    }
}
