//! The accuracy table of docs/CARD-FRONT.md: `cargo run --release -p kiosk-cardfront --example accuracy
//! -- [FRONTS] [--save DIR]`. For each variation, FRONTS random card fronts are photographed and read
//! one frame each; also the time per frame.

use kiosk_cardfront::synth::{Variation, photograph, placeholder_photo, random_front};
use kiosk_cardfront::{Agreement, FrontReader, RgbImage, Verdict, render};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fronts: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    let save = args
        .iter()
        .position(|a| a == "--save")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let calibrate = args.iter().any(|a| a == "--calibrate");
    // Calibration reads with no margin or score floor (alignment and date checks stay) and reports the
    // confidence of every wrong read, to set the floors.
    let reader = if calibrate {
        FrontReader::with_floors(0.0, -1.0, 0.5)
    } else {
        FrontReader::default()
    };
    let mut wrong_confidences = Vec::new();
    let mut right_confidences = Vec::new();
    let photo = placeholder_photo();
    println!(
        "| variation | frames | exact | refused | wrong and confident | confidence of wrong (max) | ms/frame (median) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut refusals = std::collections::BTreeMap::new();
    for v in Variation::ALL {
        let (mut exact, mut refused, mut wrong, mut worst) = (0, 0, 0, 0.0f32);
        let mut times = Vec::new();
        for seed in 0..fronts {
            let front = random_front(seed);
            let card = render(&front, Some(&photo));
            let frame = photograph(&card, v, seed * 8 + v as u64, 800, 600);
            if let Some(dir) = &save
                && seed < 3
            {
                write_png(
                    &format!("{dir}/{}-{seed}.png", v.name().split(' ').next().unwrap_or("v")),
                    &frame,
                );
            }
            let t = Instant::now();
            let read = reader.read(&frame);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            match read.result {
                Ok(f) if f == front.fields => {
                    exact += 1;
                    right_confidences.push(read.confidence);
                }
                Ok(_) => {
                    wrong += 1;
                    wrong_confidences.push((read.confidence, v.name()));
                    worst = worst.max(read.confidence);
                }
                Err(r) => {
                    refused += 1;
                    *refusals.entry((v.name(), format!("{r:?}"))).or_insert(0) += 1;
                }
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {} | {fronts} | {exact} ({:.0} %) | {refused} | {wrong} | {worst:.3} | {:.1} |",
            v.name(),
            100.0 * exact as f64 / fronts as f64,
            times[times.len() / 2]
        );
    }
    eprintln!("refusals: {refusals:?}");
    tray_table(&reader, &photo, fronts, save.as_deref());
    time_to_code(&reader, &photo, fronts.min(50));
    if calibrate {
        calibration(&mut wrong_confidences, &right_confidences);
    }
}

/// The confidence of the wrong reads, and what each margin floor would keep.
fn calibration(wrong_confidences: &mut [(f32, &str)], right_confidences: &[f32]) {
    wrong_confidences.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "wrong reads, most confident first: {:?}",
        &wrong_confidences[..wrong_confidences.len().min(12)]
    );
    for floor in [0.04f32, 0.06, 0.08, 0.10, 0.12, 0.14, 0.16] {
        let right = right_confidences.iter().filter(|&&c| c >= floor).count();
        let wrong = wrong_confidences.iter().filter(|w| w.0 >= floor).count();
        println!(
            "margin floor {floor:.2}: right reads kept {right} of {}, wrong reads kept {wrong}",
            right_confidences.len()
        );
    }
}

fn write_png(path: &str, p: &RgbImage) {
    let Ok(file) = std::fs::File::create(path) else {
        return;
    };
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), p.width as u32, p.height as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    if let Ok(mut w) = enc.write_header() {
        let _ = w.write_image_data(&p.data);
    }
}

/// From the first frame of a card in view to an agreed 照合番号B: frames a hand-held card (turned, in
/// perspective, now and then blurred or glaring) needs, and the reader's own time for them.
fn time_to_code(reader: &FrontReader, photo: &RgbImage, cards: u64) {
    let mut frames_needed = Vec::new();
    let mut compute_ms = Vec::new();
    let mut failed = 0;
    for seed in 0..cards {
        let front = random_front(50_000 + seed);
        let card = render(&front, Some(photo));
        let mut agreement = Agreement::new(3);
        let mut spent = 0.0;
        let mut done = false;
        for i in 0..40u64 {
            let v = [
                Variation::Rotation,
                Variation::Perspective,
                Variation::Mixed,
                Variation::Rotation,
            ][i as usize % 4];
            let frame = photograph(&card, v, seed * 100 + i, 800, 600);
            let t = Instant::now();
            let read = reader.read(&frame);
            let verdict = agreement.push(read.result.as_ref().ok());
            spent += t.elapsed().as_secs_f64() * 1000.0;
            if let Verdict::Agreed(f) = verdict {
                assert!(f == front.fields, "an agreed code was wrong");
                frames_needed.push(i + 1);
                compute_ms.push(spent);
                done = true;
                break;
            }
        }
        if !done {
            failed += 1;
        }
    }
    frames_needed.sort_unstable();
    compute_ms.sort_by(f64::total_cmp);
    let at = |v: &[f64], q: f64| {
        v.get(((v.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let frames: Vec<f64> = frames_needed.iter().map(|&n| n as f64).collect();
    println!();
    println!(
        "time to 照合番号B over {cards} hand-held cards (3 agreeing frames): frames p50 {:.0}, p90 {:.0}; reader time p50 {:.0} ms, p90 {:.0} ms; at 15 frames/s the wall time is p50 {:.0} ms, p90 {:.0} ms; {failed} not read within 40 frames",
        at(&frames, 0.5),
        at(&frames, 0.9),
        at(&compute_ms, 0.5),
        at(&compute_ms, 0.9),
        at(&frames, 0.5) * 66.7_f64.max(at(&compute_ms, 0.5) / at(&frames, 0.5).max(1.0)),
        at(&frames, 0.9) * 66.7_f64.max(at(&compute_ms, 0.9) / at(&frames, 0.9).max(1.0)),
    );
}

/// The front camera's views (card lying on the reader, seen from above): the same count per view, one
/// frame each. Face-down cards have nothing to read: every read of one would be wrong.
fn tray_table(reader: &FrontReader, photo: &RgbImage, fronts: u64, save: Option<&str>) {
    use kiosk_cardfront::tray::{TrayView, on_reader};
    println!();
    println!("| top-down view | frames | exact | refused | wrong and confident | ms/frame (median) |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut refusals = std::collections::BTreeMap::new();
    for view in TrayView::ALL {
        let (mut exact, mut refused, mut wrong) = (0, 0, 0);
        let mut times = Vec::new();
        for seed in 0..fronts {
            let front = random_front(90_000 + seed);
            let card = render(&front, Some(photo));
            let frame = on_reader(&card, view, seed * 16 + view as u64, 800, 600);
            if let Some(dir) = save
                && seed < 3
            {
                let name = view.name().replace([' ', ','], "-");
                write_png(&format!("{dir}/tray-{name}-{seed}.png"), &frame);
            }
            let t = Instant::now();
            let read = reader.read(&frame);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            match read.result {
                Ok(f) if f == front.fields && view != TrayView::FaceDown => exact += 1,
                Ok(_) => wrong += 1,
                Err(r) => {
                    refused += 1;
                    *refusals.entry((view.name(), format!("{r:?}"))).or_insert(0) += 1;
                }
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {} | {fronts} | {exact} ({:.0} %) | {refused} | {wrong} | {:.1} |",
            view.name(),
            100.0 * exact as f64 / fronts as f64,
            times[times.len() / 2]
        );
    }
    eprintln!("top-down refusals: {refusals:?}");
}
