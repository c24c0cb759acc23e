//! Frame sources: the clip that stands in for the camera, and the real backend's behaviour on a machine
//! without a camera (what a kiosk sees when the camera is unplugged at start).

use kiosk_camera::{CameraConfig, CameraError, CameraSelector, ClipSource, Frame, FrameSource, NokhwaSource};
use std::path::PathBuf;

fn faces() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/faces")
}

#[test]
fn a_clip_loops_over_its_images_in_name_order() {
    let mut clip = ClipSource::from_dir(&faces()).unwrap();
    assert_eq!(clip.len(), 7);
    let first = clip.next_frame().unwrap();
    assert_eq!(
        (first.width, first.height),
        (1986, 1545),
        "bald_guys.png comes first"
    );
    for _ in 0..6 {
        clip.next_frame().unwrap();
    }
    assert_eq!(clip.next_frame().unwrap(), first, "and again after the last one");
}

#[test]
fn an_unplugged_camera_is_reported_and_recovers() {
    let mut clip = ClipSource::new(vec![Frame::blank(4, 3, 10)]);
    clip.unplug();
    assert_eq!(clip.next_frame(), Err(CameraError::Disconnected));
    clip.plug_in();
    assert!(clip.next_frame().is_ok());
}

#[test]
fn an_empty_clip_is_an_empty_scene() {
    let mut clip = ClipSource::new(Vec::new());
    let f = clip.next_frame().unwrap();
    assert!(f.rgb.iter().all(|&v| v == 128));
    assert_eq!(format!("{f:?}"), "Frame(640x480)");
}

#[test]
fn a_folder_with_a_broken_image_names_the_file() {
    let dir = std::env::temp_dir().join(format!("kiosk-camera-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("frame1.png"), b"not a png").unwrap();
    let err = ClipSource::from_dir(&dir).unwrap_err();
    assert!(err.to_string().contains("frame1.png"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_real_backend_without_a_camera_reports_an_error_and_keeps_trying() {
    // These machines have no camera: opening fails cleanly, and the source retries at most once a second.
    let mut cam = NokhwaSource::new(CameraConfig {
        device: CameraSelector::Index(7),
        ..CameraConfig::default()
    });
    let first = cam.next_frame().unwrap_err();
    assert!(
        matches!(first, CameraError::NotFound(_) | CameraError::Failed(_)),
        "{first}"
    );
    assert_eq!(
        cam.next_frame().unwrap_err(),
        CameraError::Disconnected,
        "no second attempt within a second"
    );
    assert_eq!(cam.name(), "camera 7");
}

#[test]
fn camera_messages_read_as_clinic_it_wrote_the_configuration() {
    assert_eq!(
        CameraError::NotFound(CameraSelector::Index(0).to_string()).to_string(),
        "no camera 0 is connected (`kiosk doctor` lists the cameras found)"
    );
    assert_eq!(
        CameraSelector::Name("HD Webcam".into()).to_string(),
        "camera \"HD Webcam\""
    );
    assert!(CameraError::NotConfigured.to_string().contains("\"none\""));
}
