//! Exactness against dlib: the golden references in `tests/golden/` were made with dlib itself.
//! Needs the model files (`cargo xtask models`).
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_face::{FaceBox, FaceNet, RgbImage, ShapePredictor, chip, models};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden() -> &'static Value {
    static G: OnceLock<Value> = OnceLock::new();
    G.get_or_init(|| {
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/golden/dlib_golden.json")).unwrap())
            .unwrap()
    })
}

fn items() -> &'static Vec<Value> {
    golden()["items"].as_array().unwrap()
}

fn model(file: &str) -> Vec<u8> {
    models::read_checked(&models::default_dir(), file).unwrap_or_else(|e| panic!("{e}"))
}

fn net() -> &'static FaceNet {
    static N: OnceLock<FaceNet> = OnceLock::new();
    N.get_or_init(|| FaceNet::from_bytes(&model(models::RESNET_FILE)).unwrap())
}

fn predictor() -> &'static ShapePredictor {
    static P: OnceLock<ShapePredictor> = OnceLock::new();
    P.get_or_init(|| ShapePredictor::from_bytes(&model(models::SHAPE_PREDICTOR_FILE)).unwrap())
}

fn image(rel: &str) -> RgbImage {
    // Golden paths are relative to the shared faces folder; the photos live in assets/faces/ as PNG
    // copies of the pixels dlib decoded (see assets/faces/README.md).
    let name = rel.rsplit('/').next().unwrap();
    let path = if rel.starts_with("golden/") {
        root().join("tests/golden").join(name)
    } else {
        root()
            .join("../../assets/faces")
            .join(name.replace(".jpg", ".png"))
    };
    RgbImage::decode(&std::fs::read(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn l2(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

#[test]
fn descriptors_from_dlib_chips_match_dlib() {
    let mut worst = 0f32;
    for item in items() {
        let chip = image(item["chip_png"].as_str().unwrap());
        let got = net().descriptor(&chip.data).unwrap();
        let d = l2(&got, &floats(&item["descriptor_from_chip"]));
        worst = worst.max(d);
        assert!(d < 1e-4, "{}: L2 {d}", item["chip_png"]);
    }
    eprintln!("worst descriptor L2 difference from dlib: {worst:e}");
}

#[test]
fn landmarks_from_dlib_boxes_match_dlib() {
    for item in items() {
        let img = image(item["image"].as_str().unwrap());
        let b: Vec<i64> = item["box_ltrb_inclusive"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        let got = predictor().predict(
            &img,
            FaceBox {
                left: b[0],
                top: b[1],
                right: b[2],
                bottom: b[3],
            },
        );
        let want: Vec<(i64, i64)> = item["landmarks5"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_i64().unwrap(), p[1].as_i64().unwrap()))
            .collect();
        assert_eq!(got.to_vec(), want, "{} face {}", item["image"], item["face"]);
    }
}

#[test]
fn chips_from_dlib_landmarks_match_dlib() {
    let mut worst = 0u8;
    for item in items() {
        let img = image(item["image"].as_str().unwrap());
        let mut lm = [(0i64, 0i64); 5];
        for (o, p) in lm.iter_mut().zip(item["landmarks5"].as_array().unwrap()) {
            *o = (p[0].as_i64().unwrap(), p[1].as_i64().unwrap());
        }
        let got = chip::extract(&img, &lm).unwrap();
        let want = image(item["chip_png"].as_str().unwrap());
        let diff = got
            .data
            .iter()
            .zip(&want.data)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap();
        worst = worst.max(diff);
        assert!(diff <= 1, "{}: max pixel difference {diff}", item["chip_png"]);
    }
    eprintln!("worst chip pixel difference from dlib: {worst}");
}
