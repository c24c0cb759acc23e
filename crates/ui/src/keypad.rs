//! The physical keypad (issue 17, item 4): a USB numeric keypad works every screen, for patients who
//! cannot use the touch screen (blind and low-vision patients, shaking hands).
//!
//! A USB numeric keypad is an ordinary USB keyboard (HID class, no driver) that sends the keys `0`–`9`,
//! `Enter`, `Backspace`, `+`, `-`, `*`, `/`, `.`, `Tab` and `NumLock`; egui receives them as key events
//! ([`egui::Key`]), and `*`, which egui has no key for, as the text event `"*"`. The key map, as in
//! docs/USER-GUIDE.md ("A keypad"):
//!
//! | key | does |
//! |---|---|
//! | `+`, `Tab`, `↓`, `→` | focus on the next choice |
//! | `-`, `Shift+Tab`, `↑`, `←` | focus on the previous choice |
//! | `Enter` | choose the focused choice |
//! | `0`–`9` | a digit into the PIN pad (and the staff and card-number pads) |
//! | `Backspace` | 訂正: the last digit off the pad |
//! | `*` | 係員を呼ぶ (calls staff, as the top bar's button) |
//!
//! The ring shows only while the keypad is in use: a ring always drawn round a screen's first choice would
//! point touch-screen patients at it (at 「全て同意する」 rather than 「全て同意しない」). The first key pressed
//! shows the ring on the screen's first choice and does nothing else (no choice is made on a focus the
//! patient has not seen or heard); a digit also goes into the pad, and `*` also calls staff. A touch on the
//! screen hides the ring again, and so does the start screen (the next patient).
//!
//! The focus order is fixed: the choices of the screen in the order they are drawn (top to bottom, left
//! to right: an open help notice's close and the time-out's "more time" first, as they are drawn first),
//! then 「戻る」 and 「受付をやめる」 at the bottom (drawn after the screen for this reason, `layout.rs`), then
//! the top bar (係員を呼ぶ, the language). Every screen starts on its first choice; after a digit or
//! 訂正 the focus is on the pad's 決定, so "digits, then Enter" confirms. The focused choice has a thick
//! black-and-yellow ring. [`KioskUi::focused`](crate::KioskUi::focused) says which choice it is, for voice
//! guidance to speak when it moves (`kiosk_voice::focus_phrase`; a pad's digit key is never said).
//!
//! Every choice is drawn through `KioskUi::button`, which registers it here; so a new button is in the
//! focus order without further work, and the tests walk every screen's order (crates/app/tests/keypad.rs).

use crate::text::Text;
use egui::{Color32, Event, Id, Key, Response, Stroke, StrokeKind};
use std::cell::{Cell, RefCell};

/// The choice the keypad is on, for voice guidance: what to say when the focus moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Focused {
    /// The text of the choice's label, when the label is one of the kiosk's texts (`None` for a pad's
    /// digit keys, whose label is the digit): the key of the pre-rendered prompt.
    pub text: Option<Text>,
    /// The label as drawn, in the screen's language, numbers filled in (「暗証番号（残り3回）」). For a
    /// pad's digit key it is the digit printed on the key, never anything typed.
    pub label: String,
}

/// One choice drawn this frame.
#[derive(Debug, Clone)]
struct Choice {
    id: Id,
    top_bar: bool,
    label: String,
}

/// What the keypad changed at the start of a frame, for `KioskUi::show`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Keys {
    /// `*` was pressed: call staff.
    pub staff_call: bool,
}

/// The keypad's focus and this frame's choices.
#[derive(Debug, Default)]
pub(crate) struct Keypad {
    /// The focused choice's button id; `None` until a screen's first choice is drawn.
    focus: Cell<Option<Id>>,
    /// Choices as drawn this frame (the order of drawing).
    drawn: RefCell<Vec<Choice>>,
    /// Last frame's choices in focus order: what the navigation keys move through.
    order: Vec<Choice>,
    /// Enter was pressed this frame: the focused choice counts as clicked when it is drawn.
    enter: Cell<bool>,
    /// After a digit: move the focus to the button with this label (the pad's 決定) when it is drawn.
    focus_label: RefCell<Option<String>>,
    /// The top bar is being drawn (its choices come last in the focus order).
    in_top_bar: Cell<bool>,
    /// The keypad is in use: the ring shows and Enter chooses.
    visible: Cell<bool>,
    screen: &'static str,
}

impl Keypad {
    /// The frame starts: a new screen starts on its first choice; the navigation keys move the focus
    /// through last frame's order; Enter is kept for the focused choice. The keys handled here are taken
    /// out of egui's input, so egui's own keyboard focus does not also act on them.
    pub(crate) fn begin(&mut self, ui: &egui::Ui, screen: &'static str) -> Keys {
        if self.screen != screen {
            self.screen = screen;
            self.focus.set(None);
            if screen == "Idle" {
                self.visible.set(false);
            }
        }
        self.enter.set(false);
        self.drawn.borrow_mut().clear();
        let mut keys = Keys::default();
        let mut moves: Vec<isize> = Vec::new();
        let touched = ui.input(|i| i.pointer.any_pressed());
        ui.ctx().input_mut(|i| {
            i.events.retain(|e| match e {
                Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } => match key {
                    Key::Tab if modifiers.shift => {
                        moves.push(-1);
                        false
                    }
                    Key::Tab | Key::Plus | Key::ArrowDown | Key::ArrowRight => {
                        moves.push(1);
                        false
                    }
                    Key::Minus | Key::ArrowUp | Key::ArrowLeft => {
                        moves.push(-1);
                        false
                    }
                    Key::Enter => {
                        self.enter.set(true);
                        false
                    }
                    // egui clicks its own focused widget on Space: not a keypad key, and not two foci.
                    Key::Space => false,
                    _ => true,
                },
                Event::Key { key, .. } => {
                    !matches!(key, Key::Tab | Key::Enter | Key::Space | Key::Plus | Key::Minus)
                }
                Event::Text(t) if t == "*" => {
                    keys.staff_call = true;
                    false
                }
                // The characters of the keys handled here, so a text field would not see them twice.
                Event::Text(t) if t == "+" || t == "-" => false,
                _ => true,
            });
        });
        // egui's own keyboard focus (Tab moves it inside egui) would draw a second ring: the keypad's is
        // the only one.
        ui.ctx().memory_mut(|m| {
            if let Some(id) = m.focused() {
                m.surrender_focus(id);
            }
        });
        if touched {
            self.visible.set(false);
        }
        let pressed = !moves.is_empty() || self.enter.get() || keys.staff_call;
        if pressed && !self.visible.get() {
            // The first key shows where the focus is, and chooses or moves nothing.
            self.visible.set(true);
            self.enter.set(false);
            ui.ctx().request_repaint();
            return keys;
        }
        for step in moves {
            self.step(step);
        }
        keys
    }

    /// Move the focus `by` choices along last frame's order, round at the ends.
    fn step(&self, by: isize) {
        let n = self.order.len() as isize;
        if n == 0 {
            return;
        }
        let at = self
            .focus
            .get()
            .and_then(|f| self.order.iter().position(|c| c.id == f))
            .map_or(if by > 0 { -1 } else { 0 }, |p| p as isize);
        let next = (at + by).rem_euclid(n) as usize;
        self.focus.set(Some(self.order[next].id));
    }

    /// The top bar's choices are drawn between `top_bar(true)` and `top_bar(false)`.
    pub(crate) fn top_bar(&self, on: bool) {
        self.in_top_bar.set(on);
    }

    /// After a digit or 訂正 on a pad: the focus goes to the pad's confirm key, labelled `label`.
    pub(crate) fn focus_on_label(&self, label: &str) {
        self.visible.set(true);
        *self.focus_label.borrow_mut() = Some(label.to_owned());
    }

    /// A choice was drawn: put it in the order, ring it when focused, and click it on Enter.
    pub(crate) fn register(&self, ui: &egui::Ui, mut r: Response, label: &str, ring_mm: f32) -> Response {
        let top_bar = self.in_top_bar.get();
        let wanted = self.focus_label.borrow().as_deref() == Some(label);
        if wanted {
            self.focus_label.borrow_mut().take();
            self.focus.set(Some(r.id));
        } else if self.focus.get().is_none() && !top_bar {
            // A new screen: its first choice.
            self.focus.set(Some(r.id));
        }
        self.drawn.borrow_mut().push(Choice {
            id: r.id,
            top_bar,
            label: label.to_owned(),
        });
        if self.focus.get() == Some(r.id) && self.visible.get() {
            ring(ui, r.rect, ring_mm);
            if self.enter.take() {
                r.flags.insert(egui::response::Flags::FAKE_PRIMARY_CLICKED);
            }
        }
        r
    }

    /// The frame ends: this frame's choices become the order; a focus that is no longer on the screen
    /// (the choice went away) moves to the first choice, drawn on the next frame.
    pub(crate) fn finish(&mut self, ctx: &egui::Context) {
        let drawn = std::mem::take(&mut *self.drawn.borrow_mut());
        let (mut order, bar): (Vec<Choice>, Vec<Choice>) = drawn.into_iter().partition(|c| !c.top_bar);
        order.extend(bar);
        self.order = order;
        self.focus_label.borrow_mut().take();
        let on_screen = self
            .focus
            .get()
            .is_some_and(|f| self.order.iter().any(|c| c.id == f));
        if !on_screen {
            let first = self.order.first().map(|c| c.id);
            if first.is_some() {
                ctx.request_repaint();
            }
            self.focus.set(first);
        }
    }

    /// The focused choice's label, while the keypad is in use.
    pub(crate) fn focused_label(&self) -> Option<&str> {
        if !self.visible.get() {
            return None;
        }
        let f = self.focus.get()?;
        self.order.iter().find(|c| c.id == f).map(|c| c.label.as_str())
    }

    /// The labels of last frame's choices, in focus order.
    pub(crate) fn order(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(|c| c.label.as_str())
    }
}

/// The backspace in [`pad_keys`]' answer.
pub(crate) const DELETE: char = '\u{8}';

/// The digits and `Backspace` typed this frame, in order (`Backspace` as [`DELETE`]), taken out of egui's
/// input: a pad's secret digits go to the pad and nowhere else. Wiped on drop.
pub(crate) fn pad_keys(ui: &egui::Ui) -> zeroize::Zeroizing<String> {
    let mut typed = zeroize::Zeroizing::new(String::new());
    ui.ctx().input_mut(|i| {
        i.events.retain(|e| match e {
            Event::Key {
                key,
                pressed,
                modifiers,
                ..
            } if !modifiers.ctrl && !modifiers.alt => match digit(*key) {
                Some(d) => {
                    if *pressed {
                        typed.push(d);
                    }
                    false
                }
                None if *key == Key::Backspace => {
                    if *pressed {
                        typed.push(DELETE);
                    }
                    false
                }
                None => true,
            },
            // The same digits as text events: dropped, so no other widget sees them.
            Event::Text(t) => !t.chars().all(|c| c.is_ascii_digit()),
            _ => true,
        });
    });
    typed
}

fn digit(key: Key) -> Option<char> {
    Some(match key {
        Key::Num0 => '0',
        Key::Num1 => '1',
        Key::Num2 => '2',
        Key::Num3 => '3',
        Key::Num4 => '4',
        Key::Num5 => '5',
        Key::Num6 => '6',
        Key::Num7 => '7',
        Key::Num8 => '8',
        Key::Num9 => '9',
        _ => return None,
    })
}

/// The focus ring: black outside, yellow inside, so it shows on the blue buttons and on the white page
/// alike (a ring of one colour disappears against one of them).
fn ring(ui: &egui::Ui, rect: egui::Rect, mm: f32) {
    let painter = ui.painter();
    painter.rect_stroke(
        rect.expand(mm * 1.2),
        mm * 2.0,
        Stroke::new(mm * 1.2, Color32::BLACK),
        StrokeKind::Outside,
    );
    painter.rect_stroke(
        rect.expand(mm * 0.1),
        mm * 1.5,
        Stroke::new(mm * 1.1, Color32::from_rgb(0xFF, 0xD2, 0x00)),
        StrokeKind::Outside,
    );
}

/// Whether `label` is `template` with its `{name}` placeholders filled in.
pub(crate) fn fills(template: &str, label: &str) -> bool {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        pieces.push(&rest[..open]);
        rest = &rest[open + close + 1..];
    }
    if pieces.is_empty() {
        return template == label;
    }
    pieces.push(rest);
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !label.starts_with(first) || !label[first.len()..].ends_with(last) {
        return false;
    }
    let mut middle = &label[first.len()..label.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match middle.find(piece) {
            Some(at) => middle = &middle[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::fills;

    #[test]
    fn labels_match_their_templates() {
        assert!(fills("暗証番号（残り{n}回）", "暗証番号（残り3回）"));
        assert!(fills("暗証番号（残り {n} 回）", "暗証番号（残り 3 回）"));
        assert!(!fills("暗証番号（残り{n}回）", "暗証番号"));
        assert!(fills("顔認証", "顔認証"));
        assert!(!fills("顔認証", "顔認証する"));
        assert!(fills("{a}と{b}", "係員と本人"));
        assert!(!fills("{a}と{b}", "係員本人"));
    }
}
