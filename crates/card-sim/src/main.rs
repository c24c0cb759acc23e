//! `kiosk-card-sim`: list the virtual card profiles, put one into pcscd's vpcd reader, or draw its front.

use kiosk_card_sim::vpcd::{self, ServeEnd};
use kiosk_card_sim::{Hostile, Profile, SharedCard, VirtualCard};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

const USAGE: &str = "usage:
  kiosk-card-sim list
      the embedded card profiles, with each card's PIN, tries and 照合番号B (test data only)
  kiosk-card-sim serve --profile NAME [--vpcd HOST:PORT] [--profile-file PATH] [--delay-ms N] [--pull-at N]
                       [--hostile WAY] [--no-diagnosis-after-power-up]
      insert the card into pcscd's vpcd reader (default 127.0.0.1:35963) and answer it until stopped
      (Ctrl-C). --pull-at N takes the card out at its N-th command; --delay-ms slows every command;
      --hostile makes the card answer one hostile way (`list` names them; the profile `hostile` has one);
      --no-diagnosis-after-power-up answers 6F00 to the first command after each power-up, as real
      cards were measured to.
  kiosk-card-sim front --profile NAME --out FILE.png [--variation NAME] [--seed N]
      draw the card's printed front (test data), straight, or as a camera sees it: --variation is one of
      clean, rotation, perspective, blur, glare, low, thumb, mixed (800x600 frame)
  kiosk-card-sim ca --out DIR
      write the virtual cards' user-authentication CA certificates (one per generation, DER) into DIR,
      for a test bench's `[card_trust] anchors` (with `test_hierarchies = [\"JPKI-TEST\"]`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kiosk-card-sim: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("list") => {
            println!(
                "{:<14} {:<6} {:<5} {:<14}  description",
                "profile", "PIN", "tries", "照合番号B"
            );
            for name in Profile::embedded_names() {
                let p = Profile::embedded(name).map_err(|e| e.to_string())?;
                println!(
                    "{:<14} {:<6} {:<5} {:<14}  {}",
                    name,
                    p.auth_pin,
                    p.auth_tries,
                    p.check_code_b(),
                    p.description
                );
            }
            let ways: Vec<&str> = Hostile::ALL.iter().map(|h| h.name()).collect();
            println!("\nhostile ways (serve --hostile WAY): {}", ways.join(", "));
            Ok(())
        }
        Some("serve") => serve(&args[1..]),
        Some("front") => front(&args[1..]),
        Some("ca") => ca(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
    }
}

fn front(args: &[String]) -> Result<(), String> {
    use kiosk_cardfront::synth::Variation;
    let (mut profile, mut out, mut variation, mut seed) = (None, None, None, 0u64);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--profile" => profile = Some(Profile::embedded(&value()?).map_err(|e| e.to_string())?),
            "--out" => out = Some(value()?),
            "--seed" => seed = value()?.parse().map_err(|_| "--seed takes a number")?,
            "--variation" => {
                let name = value()?;
                variation = Some(
                    Variation::ALL
                        .into_iter()
                        .find(|v| v.name().starts_with(name.as_str()))
                        .ok_or_else(|| format!("unknown variation {name:?}\n{USAGE}"))?,
                );
            }
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    let profile = profile.ok_or("front needs --profile NAME (see `kiosk-card-sim list`)")?;
    let out = out.ok_or("front needs --out FILE.png")?;
    let picture = match variation {
        Some(v) => profile.photograph_front(v, seed, 800, 600),
        None => profile.draw_front(),
    };
    let file = std::fs::File::create(&out).map_err(|e| format!("{out}: {e}"))?;
    let mut enc = png::Encoder::new(
        std::io::BufWriter::new(file),
        picture.width as u32,
        picture.height as u32,
    );
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()
        .and_then(|mut w| w.write_image_data(&picture.data))
        .map_err(|e| format!("{out}: {e}"))?;
    eprintln!(
        "kiosk-card-sim: wrote {out} ({}x{})",
        picture.width, picture.height
    );
    Ok(())
}

fn serve(args: &[String]) -> Result<(), String> {
    let mut profile = None;
    let mut addr = vpcd::DEFAULT_ADDR.to_string();
    let mut delay = Duration::ZERO;
    let mut pull_at = None;
    let mut hostile = None;
    let mut no_diagnosis_after_power_up = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--profile" => profile = Some(Profile::embedded(&value()?).map_err(|e| e.to_string())?),
            "--profile-file" => {
                profile =
                    Some(Profile::from_file(std::path::Path::new(&value()?)).map_err(|e| e.to_string())?)
            }
            "--vpcd" => addr = value()?,
            "--delay-ms" => {
                delay = Duration::from_millis(value()?.parse().map_err(|_| "--delay-ms takes a number")?)
            }
            "--pull-at" => pull_at = Some(value()?.parse().map_err(|_| "--pull-at takes a number")?),
            "--hostile" => {
                let way = value()?;
                hostile = Some(Hostile::from_name(&way).ok_or_else(|| {
                    let ways: Vec<&str> = Hostile::ALL.iter().map(|h| h.name()).collect();
                    format!("--hostile {way:?}: not one of {}", ways.join(", "))
                })?)
            }
            "--no-diagnosis-after-power-up" => no_diagnosis_after_power_up = true,
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    let profile = profile.ok_or("serve needs --profile NAME (see `kiosk-card-sim list`)")?;
    let name = profile.name.clone();
    let mut card = VirtualCard::new(profile);
    card.faults.delay = delay;
    card.faults.pull_at_command = pull_at;
    if hostile.is_some() {
        card.faults.hostile = hostile;
    }
    card.faults.no_diagnosis_after_power_up |= no_diagnosis_after_power_up;
    if let Some(way) = card.faults.hostile {
        eprintln!("kiosk-card-sim: this card is hostile: {way}");
    }
    let card = SharedCard::new(card);
    let stop = AtomicBool::new(false);
    eprintln!("kiosk-card-sim: card {name:?} waiting for vpcd at {addr}");
    loop {
        match vpcd::serve(&card, &addr, &stop).map_err(|e| format!("vpcd connection to {addr}: {e}"))? {
            ServeEnd::Stopped => return Ok(()),
            ServeEnd::Pulled => {
                eprintln!("kiosk-card-sim: card pulled (fault at command {pull_at:?}); exiting");
                return Ok(());
            }
            ServeEnd::ReaderClosed => {
                eprintln!("kiosk-card-sim: vpcd closed the connection; waiting for it to come back");
                card.lock().power_off();
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

/// `ca --out DIR`: the virtual CA generations as DER files, and the configuration lines that trust them.
fn ca(args: &[String]) -> Result<(), String> {
    let dir = match args {
        [flag, dir] if flag == "--out" => std::path::PathBuf::from(dir),
        _ => return Err(format!("ca needs --out DIR\n{USAGE}")),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut anchors = Vec::new();
    for generation in kiosk_card_sim::pki::auth_ca_generations() {
        let path = dir.join(format!("virtual-authca{:02}.cer", generation.number));
        std::fs::write(&path, &generation.certificate).map_err(|e| format!("{}: {e}", path.display()))?;
        anchors.push(format!("{:?}", path.display().to_string()));
    }
    println!("# kiosk.toml on a test bench for virtual cards (never at a clinic):");
    println!("[card_trust]");
    println!("anchors = [{}]", anchors.join(", "));
    println!("test_hierarchies = [\"JPKI-TEST\"]");
    Ok(())
}
