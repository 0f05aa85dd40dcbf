//! The main job of the repository until the std adapter exists: encode every
//! Update recipe for every dialect, decode a real Twilio response, an error
//! body and a list page, and show what the bridge side makes of a form body
//! as a Python, Node or Go client sends it.
//!
//! Run: `cargo run -p confpart --example demo`
use confpart::api::error::ApiError;
use confpart::api::list::decode_page_into;
use confpart::api::participant::Participant;
use confpart::api::path::{Dialect, ParticipantPath, PathStyle};
use confpart::api::update::Update;
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};

fn main() {
    let account = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
    let conference = ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
    let coached = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();

    let path = ParticipantPath {
        style: PathStyle::Twilio,
        account,
        conference,
        participant: Some(ParticipantRef::parse("front desk").unwrap()),
    };
    let mut buf = [0u8; ParticipantPath::MAX_LEN];
    let n = path.encode_to_slice(&mut buf).unwrap();
    println!("POST {}", std::str::from_utf8(&buf[..n]).unwrap());

    println!("\nRecipes (application/x-www-form-urlencoded):");
    let recipes = [
        ("mute", Update::mute()),
        ("unmute", Update::unmute()),
        (
            "hold with music",
            Update::hold_with_music(
                "http://twimlets.com/holdmusic?Bucket=com.twilio.music.ambient",
            ),
        ),
        ("unhold", Update::unhold()),
        ("coach", Update::coach(coached)),
        ("monitor", Update::monitor(coached)),
        ("barge", Update::barge()),
        (
            "announce",
            Update::announce("https://example.com/announce.xml"),
        ),
        (
            "end on exit (Twilio only)",
            Update::new().end_conference_on_exit(true),
        ),
    ];
    for (name, update) in recipes {
        let mut body = [0u8; 256];
        let n = update.encode_to_slice(&mut body).unwrap();
        println!("  {name:<26} {}", std::str::from_utf8(&body[..n]).unwrap());
        println!(
            "  {:<26} twilio: {}; signalwire: {}; telnyx: {}",
            "",
            verdict(update.validate(Dialect::Twilio)),
            verdict(update.validate(Dialect::SignalWire)),
            verdict(update.validate(Dialect::Telnyx))
        );
    }

    println!("\nBridge side: the same update as Python, Node and Go send it:");
    for body in [
        "Hold=true&HoldUrl=http%3A%2F%2Fm.example%2Fhold+music.mp3&Beep=false",
        "Hold=True&HoldUrl=http%3A%2F%2Fm.example%2Fhold%20music.mp3",
        "Beep=false&Hold=true&HoldUrl=http%3A%2F%2Fm.example%2Fhold+music.mp3",
    ] {
        let mut scratch = [0u8; 128];
        let d = Update::decode(body.as_bytes(), &mut scratch).unwrap();
        println!(
            "  {body:<72} -> hold={:?} hold_url={:?} ignored={}",
            d.update.hold,
            d.update.hold_url,
            d.ignored.total()
        );
    }
    let mut scratch = [0u8; 64];
    println!(
        "  Muted=maybe -> {}",
        Update::decode(b"Muted=maybe", &mut scratch).unwrap_err()
    );

    println!("\nDecoded fixtures:");
    let p = Participant::decode(include_bytes!(
        "../../tests/fixtures/twilio-update-hold.json"
    ))
    .unwrap();
    println!(
        "  twilio-update-hold.json: call {} hold={:?} muted={:?} status={} updated={}",
        p.call_sid().unwrap(),
        p.hold(),
        p.muted(),
        p.status().unwrap().as_str(),
        p.date_updated().unwrap().unix()
    );
    let e = ApiError::decode(include_bytes!(
        "../../tests/fixtures/twilio-error-20404.json"
    ))
    .unwrap();
    println!(
        "  twilio-error-20404.json: HTTP {:?} code {:?}",
        e.status, e.code
    );
    let (meta, people) =
        decode_page_into::<8>(include_bytes!("../../tests/fixtures/twilio-list-page.json"))
            .unwrap();
    println!(
        "  twilio-list-page.json: page {} ({} participants, next: {})",
        meta.page,
        people.len(),
        meta.next_page_uri.is_some()
    );
}

fn verdict(r: Result<(), confpart::api::update::ValidationError>) -> String {
    match r {
        Ok(()) => "valid".to_string(),
        Err(e) => format!("rejected ({e})"),
    }
}
