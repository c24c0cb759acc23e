//! Physical sizes and colours. Sizes are given in millimetres on the kiosk's screen and converted with its
//! density, so a 15 mm touch target is 15 mm on any panel. Colours meet a contrast of 7:1 (WCAG AAA).

use egui::Color32;

/// The screen's density in egui points per millimetre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub points_per_mm: f32,
}

impl Metrics {
    /// From the screen's dots per inch and egui's pixels per point.
    pub fn from_dpi(dpi: f32, pixels_per_point: f32) -> Metrics {
        Metrics {
            points_per_mm: dpi / 25.4 / pixels_per_point.max(0.1),
        }
    }
    pub fn mm(&self, mm: f32) -> f32 {
        mm * self.points_per_mm
    }
    /// A font size whose capital letters are about `mm` tall on screen (cap height ≈ 0.7 em).
    pub fn text_mm(&self, mm: f32) -> f32 {
        (mm / 0.7) * self.points_per_mm
    }
}

impl Default for Metrics {
    /// A 96-dpi desktop screen at scale 1.
    fn default() -> Self {
        Metrics::from_dpi(96.0, 1.0)
    }
}

#[derive(Debug)]
pub struct Palette;

impl Palette {
    pub const BACKGROUND: Color32 = Color32::from_rgb(0xFF, 0xFF, 0xFF);
    pub const TEXT: Color32 = Color32::from_rgb(0x11, 0x11, 0x11);
    pub const BUTTON: Color32 = Color32::from_rgb(0x0B, 0x3D, 0x91);
    pub const ON_BUTTON: Color32 = Color32::from_rgb(0xFF, 0xFF, 0xFF);
    pub const WARNING: Color32 = Color32::from_rgb(0x8B, 0x00, 0x00);
    pub const EMPHASIS: Color32 = Color32::from_rgb(0x00, 0x4D, 0x26);
    pub const FACE_FRAME: Color32 = Color32::from_rgb(0x00, 0xA0, 0x50);
    /// A step of the step bar already done (white text on it).
    pub const DONE_STEP: Color32 = Color32::from_rgb(0x00, 0x4D, 0x26);
    /// A step still to come (dark text on it).
    pub const FUTURE_STEP: Color32 = Color32::from_rgb(0xE4, 0xE7, 0xEB);
    /// Behind the line saying what taking the card does (warning text on it).
    pub const FOOTER: Color32 = Color32::from_rgb(0xFF, 0xF3, 0xE0);
    /// A button that cannot be pressed yet (dark text on it).
    pub const DISABLED: Color32 = Color32::from_rgb(0xCC, 0xCC, 0xCC);
    /// A button while it is held down (white text on it).
    pub const PRESSED: Color32 = Color32::from_rgb(0x06, 0x26, 0x5C);
}

fn linear(c: u8) -> f64 {
    let s = c as f64 / 255.0;
    if s <= 0.03928 {
        s / 12.92
    } else {
        ((s + 0.055) / 1.055).powf(2.4)
    }
}

/// WCAG relative luminance.
pub fn luminance(c: Color32) -> f64 {
    0.2126 * linear(c.r()) + 0.7152 * linear(c.g()) + 0.0722 * linear(c.b())
}

/// WCAG contrast ratio between two colours.
pub fn contrast(a: Color32, b: Color32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_colour_pair_has_7_to_1() {
        for (fg, bg, what) in [
            (Palette::TEXT, Palette::BACKGROUND, "text"),
            (Palette::ON_BUTTON, Palette::BUTTON, "button label"),
            (Palette::WARNING, Palette::BACKGROUND, "warning"),
            (Palette::EMPHASIS, Palette::BACKGROUND, "guidance"),
            (Palette::BUTTON, Palette::BACKGROUND, "outlined button label"),
            (Palette::ON_BUTTON, Palette::DONE_STEP, "step done"),
            (Palette::TEXT, Palette::FUTURE_STEP, "step to come"),
            (Palette::WARNING, Palette::FOOTER, "footer"),
            (Palette::TEXT, Palette::DISABLED, "disabled button"),
            (Palette::ON_BUTTON, Palette::PRESSED, "pressed button"),
        ] {
            let c = contrast(fg, bg);
            assert!(c >= 7.0, "{what}: {c:.2}:1");
        }
    }

    #[test]
    fn sizes_are_physical() {
        let m = Metrics::from_dpi(160.0, 2.0);
        assert!((m.mm(15.0) - 15.0 * 160.0 / 25.4 / 2.0).abs() < 1e-3);
        assert!(Metrics::default().mm(15.0) > 56.0);
    }
}
