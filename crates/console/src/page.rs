//! The console's pages, rendered on the server. Japanese first, English beside it. The one script
//! (`/console.js`) reloads the kiosk panel each second from `/live` and sounds an alert when a new
//! one arrives; everything also works by reloading the page.

use crate::accounts::AccountName;
use crate::audit::utc;
use crate::protocol::{CallKind, Health};
use crate::server::{Alert, KioskView};
use std::fmt::Write;

/// HTML-escape text.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn head(title: &str) -> String {
    format!(
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" \
         href=\"/console.css\"><script src=\"/console.js\" defer></script></head>",
        esc(title)
    )
}

/// The login page.
pub fn login(csrf: &str, message: Option<&str>) -> String {
    let message = message
        .map(|m| {
            format!(
                "<p class=\"error\" id=\"login-error\" role=\"alert\">{}</p>",
                esc(m)
            )
        })
        .unwrap_or_default();
    format!(
        "{}<body class=\"login\"><main><h1>係員コンソール <small>Staff console</small></h1>{message}\
         <form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label>アカウント / Account<input name=\"name\" id=\"name\" autocomplete=\"username\" required></label>\
         <label>パスワード / Password<input name=\"password\" id=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required></label>\
         <button type=\"submit\" id=\"login\">ログイン / Log in</button></form></main></body></html>",
        head("係員コンソール ログイン"),
        esc(csrf)
    )
}

/// A screen's name in words for staff.
pub fn screen_label(screen: &str) -> &'static str {
    match screen {
        "Idle" => "待機中 / Idle",
        "Reading" => "カード読み取り中 / Reading the card",
        "NotMyNumberCard" => "マイナンバーカードではない / Not a My Number card",
        "CardUnreadable" => "カードを読めない / Card unreadable",
        "ReaderProblem" => "カードリーダーの問題 / Reader problem",
        "PhoneToken" => "スマートフォンの案内 / Phone",
        "CertificateExpiring" | "CertificateExpiredGrace" => "証明書の期限の案内 / Certificate notice",
        "MethodChoice" => "本人確認方法の選択 / Choosing the check",
        "CardFace" => "カード表面の読み取り / Reading the card front",
        "FaceMatching" => "顔認証中 / Face matching",
        "FaceFailed" => "顔認証できず / Face not matched",
        "NoPhotoPinOnly" => "写真なし・暗証番号 / No photo: PIN",
        "PinEntry" => "暗証番号入力 / PIN entry",
        "PinBlocked" => "暗証番号ロック / PIN blocked",
        "StaffLogin" => "係員コード入力 / Staff code pad",
        "StaffWaiting" => "目視確認を待っています / Waiting for the visual check",
        "StaffCheck" => "目視確認（キオスク） / Visual check at the kiosk",
        "CheckingEligibility" => "資格確認中 / Checking eligibility",
        "RegistrationOffer" => "利用登録の案内 / Registration",
        "EligibilityProblem" => "資格確認の問題 / Eligibility problem",
        "NoSharingInfo" => "情報提供できない案内 / No sharing",
        "ConsentStart" | "ConsentItems" | "ConsentReview" => "同意の確認 / Consent",
        "Prescription" => "処方箋の選択 / Prescription",
        "Saving" => "記録中 / Saving",
        "Done" => "完了 / Done",
        "Counter" => "受付へ案内 / Sent to the counter",
        "Stopped" => "患者が受付を中止 / Stopped by the patient",
        _ => "—",
    }
}

fn health(h: Health) -> &'static str {
    match h {
        Health::Ok => "<span class=\"ok\">正常 / OK</span>",
        Health::Missing => "<span class=\"bad\">異常 / Missing</span>",
        Health::Off => "なし / Off",
        Health::Unknown => "—",
    }
}

fn alert_text(a: &Alert) -> String {
    let what = match a.kind {
        CallKind::Help => "「係員を呼ぶ」が押されました / Help requested".to_string(),
        CallKind::VisualCheck => "目視確認の依頼 / Visual check requested".to_string(),
        CallKind::Counter => format!(
            "受付にお声がけください で終了 / Sent to the counter{}",
            a.reason
                .as_deref()
                .map(|r| format!(" ({})", esc(r)))
                .unwrap_or_default()
        ),
    };
    format!("{} — {what}", esc(a.kiosk.as_str()))
}

/// Seconds before an idle logout from which the page says it is coming.
pub const IDLE_NOTICE_SECS: i64 = 120;

/// The live part of the dashboard: alerts and every kiosk (the script swaps it in each second), and,
/// in the last [`IDLE_NOTICE_SECS`] of an idle session, a notice with a link that keeps it.
pub fn live(csrf: &str, kiosks: &[KioskView], alerts: &[Alert], now: i64, idle_left: i64) -> String {
    let newest = alerts.iter().map(|a| a.id).max().unwrap_or(0);
    let mut out = format!("<div id=\"live\" data-newest-alert=\"{newest}\">");
    if idle_left <= IDLE_NOTICE_SECS {
        let _ = write!(
            out,
            "<p class=\"idle\" id=\"idle-notice\" role=\"alert\">操作がないため、あと{idle_left}秒でログアウトします。 / \
             No activity: logging out in {idle_left} s. <a href=\"/\">続ける / Stay logged in</a></p>"
        );
    }
    out.push_str("<section class=\"alerts\"><h2>呼び出し / Calls</h2>");
    if alerts.is_empty() {
        out.push_str("<p class=\"none\">なし / None</p>");
    }
    for a in alerts {
        let _ = write!(
            out,
            "<form class=\"alert {kind}\" method=\"post\" action=\"/alert/{id}/dismiss\"><span>{time} {text}</span>\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">確認済み / Dismiss</button></form>",
            kind = match a.kind {
                CallKind::Help => "help",
                CallKind::VisualCheck => "check",
                CallKind::Counter => "counter",
            },
            id = a.id,
            time = &utc(a.at)[11..19],
            text = alert_text(a),
            csrf = esc(csrf),
        );
    }
    out.push_str("</section><section class=\"kiosks\">");
    for k in kiosks {
        kiosk_card(&mut out, csrf, k, now);
    }
    out.push_str("</section></div>");
    out
}

fn kiosk_card(out: &mut String, csrf: &str, k: &KioskView, _now: i64) {
    let id = esc(k.id.as_str());
    let _ = write!(out, "<article class=\"kiosk\" id=\"kiosk-{id}\"><h3>{id}</h3>");
    let Some(s) = k.state.as_ref().filter(|_| k.online) else {
        let _ = write!(out, "<p class=\"bad state\">接続なし / Offline</p></article>");
        return;
    };
    let _ = write!(
        out,
        "<p class=\"state\" data-screen=\"{}\">{}</p><p class=\"health\">カードリーダー / Reader: {} ・ カメラ / Camera: {}</p>",
        esc(&s.screen),
        screen_label(&s.screen),
        health(s.reader),
        health(s.camera)
    );
    if s.help {
        out.push_str("<p class=\"call help\">「係員を呼ぶ」が押されています / Help requested</p>");
    }
    for p in &s.problems {
        let _ = write!(out, "<p class=\"problem\">{}</p>", esc(p));
    }
    if let Some(check) = &s.check {
        let _ = write!(
            out,
            "<div class=\"check\" data-call=\"{call}\"><h4>目視確認 / Visual check</h4>\
             <p>患者さんとカードを見比べてください。 / Compare the patient with the card.</p>",
            call = check.call
        );
        if k.photo {
            let _ = write!(
                out,
                "<figure><img alt=\"カードの顔写真 / Card photo\" src=\"/kiosk/{id}/photo?call={}\"><figcaption>\
                 カードの顔写真（保存されません） / Card photo (never stored)</figcaption></figure>",
                check.call
            );
        } else if check.photo_failed {
            out.push_str("<p class=\"problem\">カードの顔写真を読めませんでした。写真付きの本人確認書類で確認してください。 / The card photo could not be read: check another photo ID.</p>");
        } else {
            out.push_str("<p>カードの顔写真を読み取っています… / Reading the card photo…</p>");
        }
        if k.decided {
            out.push_str("<p>判定を送りました / Verdict sent</p>");
        } else {
            for (holder, label, class) in [
                ("yes", "本人です / This is the holder", "yes"),
                ("no", "本人ではありません / Not the holder", "no"),
            ] {
                let _ = write!(
                    out,
                    "<form method=\"post\" action=\"/kiosk/{id}/verdict\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                     <input type=\"hidden\" name=\"call\" value=\"{}\"><input type=\"hidden\" name=\"holder\" value=\"{holder}\">\
                     <button type=\"submit\" class=\"{class}\">{label}</button></form>",
                    esc(csrf),
                    check.call
                );
            }
        }
        out.push_str("</div>");
    }
    out.push_str("</article>");
}

/// The dashboard.
pub fn dashboard(user: &AccountName, csrf: &str, kiosks: &[KioskView], alerts: &[Alert], now: i64) -> String {
    format!(
        "{}<body><header><h1>係員コンソール <small>Staff console</small></h1>\
         <button type=\"button\" id=\"sound\">音を出す / Sound on</button>\
         <span class=\"user\">{}</span><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button type=\"submit\">ログアウト / Log out</button></form></header><main>{}</main></body></html>",
        head("係員コンソール"),
        esc(user.as_str()),
        esc(csrf),
        // Just opened by staff: the whole idle time is left.
        live(csrf, kiosks, alerts, now, i64::MAX)
    )
}

/// The page's script: refresh the live part each second; a new alert beeps (Web Audio, after staff
/// allowed sound with the button, as browsers require a click first) and flashes the title.
pub const SCRIPT: &str = r#""use strict";
(function () {
  let audio = null;
  let newest = null;
  function beep() {
    if (!audio) return;
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = 880;
    g.gain.value = 0.2;
    o.connect(g); g.connect(audio.destination);
    o.start(); o.stop(audio.currentTime + 0.4);
  }
  function check(live) {
    const n = Number(live.dataset.newestAlert || 0);
    if (newest !== null && n > newest) { beep(); document.title = "● 呼び出し / Call"; }
    if (n <= (newest || 0) && document.querySelectorAll(".alert").length === 0) document.title = "係員コンソール";
    newest = n;
  }
  async function refresh() {
    const live = document.getElementById("live");
    if (!live) return;
    try {
      const r = await fetch("/live", { credentials: "same-origin", cache: "no-store" });
      if (r.status === 401) { location.href = "/login"; return; }
      if (!r.ok) return;
      const text = await r.text();
      if (text !== live.outerHTML) {
        const box = document.createElement("div");
        box.innerHTML = text;
        const fresh = box.firstElementChild;
        if (fresh) { live.replaceWith(fresh); check(fresh); }
      }
    } catch (e) { /* the next refresh tries again */ }
  }
  document.addEventListener("DOMContentLoaded", function () {
    const live = document.getElementById("live");
    if (live) { check(live); setInterval(refresh, 1000); }
    const sound = document.getElementById("sound");
    if (sound) sound.addEventListener("click", function () {
      audio = audio || new AudioContext();
      sound.textContent = "音: オン / Sound on ✓";
      beep();
    });
  });
})();
"#;

/// The kiosk's own Japanese font (BIZ UDPGothic, SIL Open Font License, assets/fonts), served so the
/// page reads the same on a PC or tablet without Japanese fonts; the browser fetches it only for
/// characters its own fonts lack.
pub static FONT: &[u8] = include_bytes!("../../../assets/fonts/BIZUDPGothic-Regular.ttf");

/// The page's style: large targets for a tablet.
pub const STYLE: &str = "@font-face{font-family:'Kiosk UDPGothic';src:url(/font.ttf) format('truetype')}
body{font-family:'BIZ UDPGothic','Noto Sans CJK JP','Kiosk UDPGothic',sans-serif;margin:0;background:#f4f4f0;color:#222;font-size:18px;line-height:1.45}
header{display:flex;gap:1em;align-items:center;padding:.5em 1em;background:#1d4e89;color:#fff}
header h1{flex:1;font-size:1.3em;margin:0}header .user{font-weight:bold}
main{padding:1em}button,input{font-family:inherit}button{font-size:1em;padding:.6em 1.2em;min-height:48px;border-radius:6px;border:1px solid #888;cursor:pointer}
.login main{max-width:28em;margin:4em auto;background:#fff;padding:2em;border-radius:8px}
.login label{display:block;margin:1em 0}.login input{display:block;width:100%;font-size:1.1em;padding:.4em;box-sizing:border-box}
.error{color:#a00;font-weight:bold}.alerts{margin-bottom:1em}.none{color:#666}
.alert{display:flex;justify-content:space-between;align-items:center;padding:.5em 1em;margin:.3em 0;border-radius:6px;background:#fff3c4;border-left:8px solid #e0a800}
.alert.help,.alert.check{background:#ffe0e0;border-left-color:#c00}
.kiosks{display:grid;grid-template-columns:repeat(auto-fill,minmax(30em,1fr));gap:1em}
.kiosk{background:#fff;border-radius:8px;padding:1em;box-shadow:0 1px 3px #0003}.kiosk h3{margin:0 0 .3em}
.state{font-size:1.2em;font-weight:bold}.ok{color:#070}.bad{color:#a00;font-weight:bold}.problem{color:#a00}.idle{background:#fff3c4;padding:.5em;font-weight:bold}.call{color:#c00;font-weight:bold}
.check{border:3px solid #c00;border-radius:8px;padding:.5em 1em;margin-top:.5em}.check figure{margin:.5em 0}.check img{width:10em;border:1px solid #444}
.check form{display:inline-block;margin:.3em}.check .yes{background:#1b7d2e;color:#fff}.check .no{background:#a00;color:#fff}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        let page = login("tok", Some("<script>"));
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"));
    }
}
