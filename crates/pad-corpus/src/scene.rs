//! A flat picture (a print, the card, a screen) placed as a plane in 3-D in front of a pinhole camera,
//! and photographed: each camera pixel integrates several rays (the sensor's pixel area, which is what
//! makes a screen's pixel grid alias into moiré), then lens blur, sensor noise and JPEG as a webcam's
//! MJPEG would.

use kiosk_cardfront::synth::Rng;
use kiosk_face::RgbImage;

/// Camera: 640×480, focal length 554 px (a 60° horizontal field of view, a common webcam).
pub const WIDTH: usize = 640;
pub const HEIGHT: usize = 480;
pub const FOCAL: f64 = 554.0;

/// Where the picture is: its face centre at `(x, y, z)` cm from the camera, turned by yaw (about the
/// vertical axis), pitch and roll (radians).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    pub x: f64,
    pub y: f64,
    pub z: f64,
    pub yaw: f64,
    pub pitch: f64,
    pub roll: f64,
}

type V3 = [f64; 3];

fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

impl Pose {
    /// The plane's axes (picture x, picture y) and normal in camera coordinates.
    fn axes(&self) -> (V3, V3, V3) {
        let (sy, cy) = self.yaw.sin_cos();
        let (sp, cp) = self.pitch.sin_cos();
        let (sr, cr) = self.roll.sin_cos();
        // R = Ry(yaw) · Rx(pitch) · Rz(roll), applied to the unit axes.
        let rot = |v: V3| {
            let v = [cr * v[0] - sr * v[1], sr * v[0] + cr * v[1], v[2]];
            let v = [v[0], cp * v[1] - sp * v[2], sp * v[1] + cp * v[2]];
            [cy * v[0] + sy * v[2], v[1], -sy * v[0] + cy * v[2]]
        };
        (rot([1.0, 0.0, 0.0]), rot([0.0, 1.0, 0.0]), rot([0.0, 0.0, 1.0]))
    }
}

/// What the camera sees on the plane at picture coordinates `(s, t)` cm from the face centre, averaged
/// over a footprint `foot` cm wide (one ray's share of a camera pixel), or `None` off the picture (the
/// background shows).
pub trait Surface {
    fn at(&self, s: f64, t: f64, foot: f64) -> Option<[f32; 3]>;
}

/// Photograph `surface` at `pose` over `background`, `k × k` rays a pixel.
pub fn shoot(surface: &dyn Surface, pose: &Pose, background: &RgbImage, k: usize) -> Vec<f32> {
    let (ex, ey, n) = pose.axes();
    let c = [pose.x, pose.y, pose.z];
    let nc = dot(n, c);
    let (cx, cy) = (WIDTH as f64 / 2.0, HEIGHT as f64 / 2.0);
    let mut out = vec![0f32; WIDTH * HEIGHT * 3];
    let inv = 1.0 / (k * k) as f32;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let mut acc = [0f32; 3];
            for j in 0..k {
                for i in 0..k {
                    let px = x as f64 + (i as f64 + 0.5) / k as f64 - 0.5;
                    let py = y as f64 + (j as f64 + 0.5) / k as f64 - 0.5;
                    let d = [(px - cx) / FOCAL, (py - cy) / FOCAL, 1.0];
                    let nd = dot(n, d);
                    let hit = if nd.abs() > 1e-9 {
                        let l = nc / nd;
                        let p = [l * d[0] - c[0], l * d[1] - c[1], l * d[2] - c[2]];
                        surface.at(dot(p, ex), dot(p, ey), l / (FOCAL * k as f64 * nd.abs().max(0.3)))
                    } else {
                        None
                    };
                    let v = hit.unwrap_or_else(|| {
                        let b = (y * WIDTH + x) * 3;
                        [
                            f32::from(background.data[b]),
                            f32::from(background.data[b + 1]),
                            f32::from(background.data[b + 2]),
                        ]
                    });
                    for ch in 0..3 {
                        acc[ch] += v[ch];
                    }
                }
            }
            out[(y * WIDTH + x) * 3..(y * WIDTH + x) * 3 + 3].copy_from_slice(&acc.map(|a| a * inv));
        }
    }
    out
}

/// Separable Gaussian blur of a float RGB frame.
pub fn blur(img: &mut [f32], w: usize, h: usize, sigma: f64) {
    if sigma < 0.2 {
        return;
    }
    let r = (3.0 * sigma).ceil() as i64;
    let kernel: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp() as f32)
        .collect();
    let sum: f32 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|v| v / sum).collect();
    let pass = |src: &[f32], dst: &mut [f32], horizontal: bool| {
        for y in 0..h {
            for x in 0..w {
                for ch in 0..3 {
                    let mut a = 0f32;
                    for (ki, kv) in kernel.iter().enumerate() {
                        let o = ki as i64 - r;
                        let (sx, sy) = if horizontal {
                            ((x as i64 + o).clamp(0, w as i64 - 1) as usize, y)
                        } else {
                            (x, (y as i64 + o).clamp(0, h as i64 - 1) as usize)
                        };
                        a += kv * src[(sy * w + sx) * 3 + ch];
                    }
                    dst[(y * w + x) * 3 + ch] = a;
                }
            }
        }
    };
    let mut tmp = vec![0f32; img.len()];
    pass(img, &mut tmp, true);
    pass(&tmp, img, false);
}

/// Sensor: gain, noise, clamp to 8 bits.
pub fn develop(img: &[f32], gain: f32, noise: f64, rng: &mut Rng) -> RgbImage {
    let data = img
        .iter()
        .map(|&v| {
            (v * gain + (rng.normal() * noise) as f32)
                .round()
                .clamp(0.0, 255.0) as u8
        })
        .collect();
    RgbImage {
        width: WIDTH,
        height: HEIGHT,
        data,
    }
}

/// A room behind the picture: a lit wall with a door frame and a shelf, different per seed.
pub fn room(rng: &mut Rng) -> RgbImage {
    let base = [
        rng.range(120.0, 200.0),
        rng.range(110.0, 190.0),
        rng.range(100.0, 180.0),
    ];
    let door_x = rng.range(0.0, WIDTH as f64);
    let shelf_y = rng.range(60.0, 200.0);
    let mut img = RgbImage::filled(WIDTH, HEIGHT, [0, 0, 0]);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let shade = 0.75 + 0.25 * (1.0 - y as f64 / HEIGHT as f64) - 0.1 * (x as f64 / WIDTH as f64);
            let mut c = base.map(|b| b * shade);
            if (x as f64 - door_x).abs() < 70.0 && (x as f64 - door_x).abs() > 58.0 {
                c = c.map(|v| v * 0.55);
            }
            if (y as f64 - shelf_y).abs() < 6.0 {
                c = [90.0, 70.0, 50.0];
            }
            let i = (y * WIDTH + x) * 3;
            for (ch, v) in c.iter().enumerate() {
                img.data[i + ch] = v.clamp(0.0, 255.0) as u8;
            }
        }
    }
    img
}

/// JPEG bytes of a frame (quality 92, as a webcam's MJPEG).
pub fn jpeg(img: &RgbImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92).encode(
        &img.data,
        img.width as u32,
        img.height as u32,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}
