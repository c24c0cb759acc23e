//! The virtual card's behaviour as APDU conversations (docs/CARD-NOTES.md §9): each case is data, a list of
//! `command => expected answer` lines run against a fresh "demo" card. An expected answer is a status word,
//! optionally preceded by `N:` for the exact number of data bytes (`256:9000`), or `*:` for any data.
#![expect(clippy::unwrap_used, reason = "test helpers stop the test on a broken set-up")]

use kiosk_apdu::unhex;
use kiosk_card_sim::{Df, VirtualCard};

const JPKI: &str = "00A4040C0AD392F000260100000001";
const SURFACE: &str = "00A4040C0AD3921000310001010402";
const TEXT: &str = "00A4040C0AD3921000310001010408";

/// `(name, [(command, expected)])`.
const CASES: &[(&str, &[(&str, &str)])] = &[
    (
        "unknown AID, INS and CLA",
        &[
            ("00A4040C05A000000001", "6A82"),
            ("00A4040C09D392F0002601000000", "6A82"),
            ("00FF0000", "6D00"),
            ("A0A4040C00", "6E00"),
        ],
    ),
    (
        "channels and secure messaging refused",
        &[
            ("01A4040C0AD392F000260100000001", "6881"),
            ("0CA4040C0AD392F000260100000001", "6882"),
            ("0CB0000000", "69FC"),
        ],
    ),
    (
        "SELECT MF before and after an application",
        &[
            ("00A40000", "6A86"),
            (JPKI, "9000"),
            ("00A40000", "9000"),
            ("00A4000C023F00", "6A82"),
        ],
    ),
    (
        "EF selection is scoped to the DF",
        &[
            ("00A4020C02000A", "6A82"),
            (JPKI, "9000"),
            ("00A4020C02000A", "9000"),
            ("00A4020C020099", "6A82"),
        ],
    ),
    (
        "READ BINARY without a current EF",
        &[(JPKI, "9000"), ("00B0000000", "6986")],
    ),
    ("token label by SFI", &[(JPKI, "9000"), ("00B0860020", "32:9000")]),
    (
        "certificate availability EF",
        &[(JPKI, "9000"), ("00B0880000", "3:9000")],
    ),
    (
        "short, long-offset and past-the-end reads",
        &[
            (JPKI, "9000"),
            ("00A4020C02000A", "9000"),
            ("00B0000004", "4:9000"),
            ("00B0000000", "256:9000"),
            ("00B0010000", "256:9000"),
            ("00B07F0000", "6B00"),
        ],
    ),
    (
        "extended Le reads the whole EF",
        &[
            (JPKI, "9000"),
            ("00A4020C02000A", "9000"),
            ("00B00000000000", "*:9000"),
        ],
    ),
    (
        "a key or PIN EF is not readable",
        &[
            (JPKI, "9000"),
            ("00A4020C020017", "9000"),
            ("00B0000000", "6981"),
            ("00A4020C020018", "9000"),
            ("00B0000000", "6981"),
        ],
    ),
    (
        "the signing certificate needs its password at READ time",
        &[(JPKI, "9000"), ("00A4020C020001", "9000"), ("00B0000004", "6982")],
    ),
    (
        "PIN query, wrong, right, and the query after success",
        &[
            (JPKI, "9000"),
            ("00A4020C020018", "9000"),
            ("00200080", "63C3"),
            ("002000800430303030", "63C2"),
            ("00200080", "63C2"),
            ("002000800431323334", "9000"),
            ("00200080", "63C3"),
        ],
    ),
    (
        "lockout: 63C0 on the last try, 6984 after",
        &[
            (JPKI, "9000"),
            ("00A4020C020018", "9000"),
            ("002000800430303030", "63C2"),
            ("002000800430303030", "63C1"),
            ("002000800430303030", "63C0"),
            ("00200080", "63C0"),
            ("002000800431323334", "6984"),
        ],
    ),
    (
        "VERIFY by SFI in P2",
        &[
            (JPKI, "9000"),
            ("00200098", "63C3"),
            ("002000980431323334", "9000"),
        ],
    ),
    (
        "signing needs the PIN",
        &[
            (JPKI, "9000"),
            ("00A4020C020017", "9000"),
            ("802A00800401020304", "6982"),
        ],
    ),
    (
        "every signing scheme, key by SFI",
        &[
            (JPKI, "9000"),
            ("002000980431323334", "9000"),
            ("802A0097043031323300", "256:9000"),
            ("802A0197043031323300", "256:9000"),
            (
                "802A0297200000000000000000000000000000000000000000000000000000000000000000",
                "256:9000",
            ),
            ("802A0397043031323300", "256:9000"),
            (
                "802A0497200000000000000000000000000000000000000000000000000000000000000000",
                "256:9000",
            ),
            ("802A0597043031323300", "256:9000"),
            ("802A0297043031323300", "6700"),
            ("802A0697043031323300", "6A86"),
        ],
    ),
    (
        "the card face needs 照合番号B or A",
        &[
            (SURFACE, "9000"),
            ("00B0820000", "6982"),
            ("00B0830000", "*:9000"),
            ("00B0840000", "*:9000"),
        ],
    ),
    (
        "照合番号B query and a wrong one",
        &[
            (SURFACE, "9000"),
            ("00A4020C020012", "9000"),
            ("00200080", "63CA"),
            ("002000800E3030303030303030303030303030", "*:63C9"),
        ],
    ),
    (
        "the text AP's blocked key reference",
        &[
            (TEXT, "9000"),
            ("00A4020C020012", "9000"),
            ("00200080", "63C0"),
            ("002000800431323334", "6984"),
        ],
    ),
    (
        "the basic four need the text PIN",
        &[
            (TEXT, "9000"),
            ("00B0820000", "6982"),
            ("00200091", "63C3"),
            ("002000910431323334", "9000"),
            ("00B0820000", "256:9000"),
        ],
    ),
    (
        "another DF clears the verified PIN",
        &[
            (JPKI, "9000"),
            ("002000980431323334", "9000"),
            (TEXT, "9000"),
            (JPKI, "9000"),
            ("00A4020C020017", "9000"),
            ("802A00800401020304", "6982"),
        ],
    ),
    (
        "GET CHALLENGE short and extended",
        &[("0084000008", "8:9000"), ("00840000000008", "6985")],
    ),
    ("malformed APDUs", &[("00B0", "6700"), ("00A4040C0AD392", "6700")]),
];

fn check(name: &str, steps: &[(&str, &str)]) {
    check_on(&mut VirtualCard::embedded("demo").unwrap(), name, steps);
}

/// Run `steps` on `card` as it stands.
fn check_on(card: &mut VirtualCard, name: &str, steps: &[(&str, &str)]) {
    for (i, (command, expected)) in steps.iter().enumerate() {
        let answer = card.process(&unhex(command).unwrap()).unwrap();
        let (data, sw) = answer.split_at(answer.len() - 2);
        let sw = kiosk_apdu::hex(sw);
        let (len, want_sw) = match expected.split_once(':') {
            Some((len, sw)) => (Some(len), sw),
            None => (Some("0"), *expected),
        };
        let ok = sw == want_sw
            && match len {
                Some("*") | None => true,
                Some(n) => n.parse::<usize>().unwrap() == data.len(),
            };
        assert!(
            ok,
            "{name}, step {i}: {command} answered {} bytes + {sw}, expected {expected}",
            data.len()
        );
    }
}

#[test]
fn conversations() {
    for (name, steps) in CASES {
        check(name, steps);
    }
}

#[test]
fn a_slow_card_is_slow_and_a_pulled_card_answers_nothing() {
    let mut card = VirtualCard::embedded("demo").unwrap();
    card.faults.delay = std::time::Duration::from_millis(30);
    let start = std::time::Instant::now();
    card.process(&unhex(JPKI).unwrap()).unwrap();
    assert!(start.elapsed() >= std::time::Duration::from_millis(30));
    card.faults.pull_at_command = Some(2);
    assert!(card.process(&unhex("00B0860020").unwrap()).is_err());
    assert!(card.is_removed());
    assert!(
        card.process(&unhex(JPKI).unwrap()).is_err(),
        "a pulled card stays gone until reinserted"
    );
    card.reinsert();
    assert_eq!(card.process(&unhex(JPKI).unwrap()).unwrap(), [0x90, 0x00]);
}

#[test]
fn verify_counters_see_every_try() {
    let mut card = VirtualCard::embedded("demo").unwrap();
    for c in [
        JPKI,
        "00200098",
        "002000980430303030",
        SURFACE,
        "00200092",
        "002000920E3030303030303030303030303030",
    ] {
        card.process(&unhex(c).unwrap()).unwrap();
    }
    let s = card.stats();
    assert_eq!(
        (s.auth_pin_verifies, s.check_b_verifies, s.other_verifies),
        (1, 1, 0),
        "queries are not tries"
    );
}

/// SELECT the user-authentication PIN EF, VERIFY `1234` on it, and sign four bytes with the
/// user-authentication key (P2 `97`), which the card does only while the PIN is verified.
const SELECT_AUTH_PIN: &str = "00A4020C020018";
const VERIFY_1234: &str = "002000800431323334";
const SIGN_WITH_AUTH_KEY: &str = "802A0097043031323300";

/// On the real card a verified PIN survives a warm reset; only power-off clears it (docs/CARD-NOTES.md
/// §1.2, as measured): the virtual card models both, so a kiosk that let go with a warm reset would hand
/// the next holder of the card a verified PIN.
#[test]
fn a_verified_pin_survives_a_warm_reset_but_not_a_power_off() {
    let mut card = VirtualCard::embedded("demo").unwrap();
    check_on(
        &mut card,
        "verified",
        &[
            (JPKI, "9000"),
            (SELECT_AUTH_PIN, "9000"),
            (VERIFY_1234, "9000"),
            (SIGN_WITH_AUTH_KEY, "256:9000"),
        ],
    );
    card.warm_reset();
    assert!(card.is_verified(Df::Jpki, 0x0018));
    check_on(
        &mut card,
        "after a warm reset: nothing selected, the PIN still verified",
        &[
            ("00B0860020", "6986"),
            (JPKI, "9000"),
            (SIGN_WITH_AUTH_KEY, "256:9000"),
        ],
    );
    card.power_off();
    card.power_on();
    assert!(!card.is_verified(Df::Jpki, 0x0018));
    check_on(
        &mut card,
        "after power-off",
        &[(JPKI, "9000"), (SIGN_WITH_AUTH_KEY, "6982")],
    );
    assert_eq!(card.stats().auth_pin_verifies, 1);
}

/// The real card may answer `6F00` once, to the first command after power-up (docs/CARD-NOTES.md
/// §1.2): a switch of the virtual card. A warm reset is not a power-up.
#[test]
fn the_first_command_after_power_up_can_answer_6f00() {
    let mut card = VirtualCard::embedded("demo").unwrap();
    card.faults.no_diagnosis_after_power_up = true;
    check_on(
        &mut card,
        "a new card",
        &[(JPKI, "6F00"), (JPKI, "9000"), ("00B0860020", "32:9000")],
    );
    card.warm_reset();
    check_on(&mut card, "after a warm reset", &[(JPKI, "9000")]);
    card.power_off();
    card.power_on();
    check_on(
        &mut card,
        "after a power cycle",
        &[
            (SELECT_AUTH_PIN, "6F00"),
            (JPKI, "9000"),
            (SELECT_AUTH_PIN, "9000"),
        ],
    );
    card.reinsert();
    check_on(&mut card, "reinserted", &[(JPKI, "6F00"), (JPKI, "9000")]);
}

/// The `sfi-refused` way: an honest card that does not read by short EF identifier (docs/CARD-NOTES.md
/// §3.5); SELECT EF and an offset read serve the same bytes.
#[test]
fn a_card_refusing_sfi_reads_serves_the_file_after_select_ef() {
    let mut card = VirtualCard::embedded("demo").unwrap();
    card.faults.hostile = Some(kiosk_card_sim::Hostile::SfiRefused);
    check_on(
        &mut card,
        "sfi-refused",
        &[
            (JPKI, "9000"),
            ("00B0860020", "6A86"),
            ("00B08A0000", "6A86"),
            ("00A4020C020006", "9000"),
            ("00B0000020", "32:9000"),
            (SELECT_AUTH_PIN, "9000"),
            (VERIFY_1234, "9000"),
            (SIGN_WITH_AUTH_KEY, "256:9000"),
        ],
    );
}
