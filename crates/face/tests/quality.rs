//! Quality guidance on kiosk-like 640×480 frames made from a real photo: the frame the screen would
//! show the patient, and what it tells them. Needs the models (`cargo xtask models`).
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_face::{FaceEngine, FaceModels, Guidance, RgbImage};
use std::path::PathBuf;
use std::sync::OnceLock;

const W: usize = 640;
const H: usize = 480;

fn models() -> &'static FaceModels {
    static M: OnceLock<FaceModels> = OnceLock::new();
    M.get_or_init(|| FaceModels::load_default().unwrap_or_else(|e| panic!("{e}")))
}

fn photo(name: &str) -> RgbImage {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/faces")
        .join(name);
    RgbImage::decode(&std::fs::read(p).unwrap()).unwrap()
}

/// A 640×480 frame showing `src` scaled by `scale`, with the source point `(sx, sy)` at frame `(fx, fy)`;
/// `fill` outside the photo.
fn frame(src: &RgbImage, scale: f64, (sx, sy): (f64, f64), (fx, fy): (f64, f64), fill: u8) -> RgbImage {
    let mut data = vec![fill; W * H * 3];
    for y in 0..H {
        for x in 0..W {
            let ux = ((x as f64 - fx) / scale + sx).round();
            let uy = ((y as f64 - fy) / scale + sy).round();
            if ux >= 0.0 && uy >= 0.0 && (ux as usize) < src.width && (uy as usize) < src.height {
                let i = (uy as usize * src.width + ux as usize) * 3;
                data[(y * W + x) * 3..(y * W + x) * 3 + 3].copy_from_slice(&src.data[i..i + 3]);
            }
        }
    }
    RgbImage::new(W, H, data).unwrap()
}

fn map(img: &RgbImage, f: impl Fn(usize, usize, u8) -> u8) -> RgbImage {
    let data = img
        .data
        .iter()
        .enumerate()
        .map(|(i, &v)| f((i / 3) % img.width, (i / 3) / img.width, v))
        .collect();
    RgbImage::new(img.width, img.height, data).unwrap()
}

fn box_blur(img: &RgbImage, r: usize) -> RgbImage {
    let (w, h) = (img.width, img.height);
    let mut out = img.data.clone();
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let (mut s, mut n) = (0u32, 0u32);
                for yy in y.saturating_sub(r)..(y + r + 1).min(h) {
                    for xx in x.saturating_sub(r)..(x + r + 1).min(w) {
                        s += img.data[(yy * w + xx) * 3 + c] as u32;
                        n += 1;
                    }
                }
                out[(y * w + x) * 3 + c] = (s / n) as u8;
            }
        }
    }
    RgbImage::new(w, h, out).unwrap()
}

/// obama2.png: face box (171, 290)–(438, 558), centre about (304, 424).
const FACE: (f64, f64) = (304.0, 424.0);
const MID: (f64, f64) = (320.0, 240.0);

fn guidance(img: &RgbImage) -> Guidance {
    FaceEngine::new(models()).analyse(img).guidance
}

#[test]
fn a_well_placed_face_is_ok_and_gets_a_descriptor() {
    let a = FaceEngine::new(models()).analyse(&frame(&photo("obama2.png"), 0.9, FACE, MID, 128));
    assert_eq!(a.guidance, Guidance::Ok);
    assert!(a.descriptor.is_some());
    assert!(a.face.is_some());
}

#[test]
fn each_problem_gets_its_own_guidance() {
    let p = photo("obama2.png");
    let cases: Vec<(&str, RgbImage, Guidance)> = vec![
        (
            "empty frame",
            RgbImage::new(W, H, vec![128; W * H * 3]).unwrap(),
            Guidance::NoFace,
        ),
        ("far away", frame(&p, 0.33, FACE, MID, 128), Guidance::TooSmall),
        ("too close", frame(&p, 2.0, FACE, MID, 128), Guidance::TooClose),
        (
            "off to the side",
            frame(&p, 0.7, FACE, (130.0, 240.0), 128),
            Guidance::OffCentre,
        ),
        (
            "dark room",
            map(&frame(&p, 0.9, FACE, MID, 20), |_, _, v| (v as f64 * 0.22) as u8),
            Guidance::TooDark,
        ),
        (
            "window behind",
            {
                let f = frame(&p, 0.9, FACE, MID, 250);
                // Everything outside the face is bright daylight; the face is in shadow.
                map(&f, |x, y, v| {
                    let (dx, dy) = ((x as f64 - 320.0) / 130.0, (y as f64 - 240.0) / 150.0);
                    if dx * dx + dy * dy > 1.0 {
                        250
                    } else {
                        (v as f64 * 0.55) as u8
                    }
                })
            },
            Guidance::Backlit,
        ),
        (
            "moving",
            box_blur(&frame(&p, 0.9, FACE, MID, 128), 6),
            Guidance::Blurred,
        ),
        (
            "slightly soft",
            box_blur(&frame(&p, 0.9, FACE, MID, 128), 1),
            Guidance::Ok,
        ),
        // A face under 200 px wide is measured on the same scale as a larger one (it used to be measured
        // on every pixel, so a sharp face a little further away was called blurred).
        (
            "a little further away, slightly soft",
            box_blur(&frame(&p, 0.6, FACE, MID, 128), 1),
            Guidance::Ok,
        ),
        (
            "a little further away, moving",
            box_blur(&frame(&p, 0.6, FACE, MID, 128), 4),
            Guidance::Blurred,
        ),
    ];
    let mut failures = Vec::new();
    for (name, img, want) in cases {
        let got = guidance(&img);
        if got != want {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn two_people_in_view_are_told_apart() {
    // Two of the four men of the group photo, side by side at similar sizes.
    let g = photo("bald_guys.png");
    let two = frame(&g, 0.62, (1290.0, 300.0), MID, 128);
    assert_eq!(guidance(&two), Guidance::SeveralFaces);
}
