//! The std baselines the benchmarks compare `confpart` against: what a std
//! Rust user would write without it (owned `String`s, `serde_json`,
//! `serde_urlencoded`, `format!`).

use serde::{Deserialize, Serialize};

/// The participant resource as a std user would model it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StdParticipant {
    /// `account_sid`
    pub account_sid: Option<String>,
    /// `call_sid`
    pub call_sid: Option<String>,
    /// `label`
    pub label: Option<String>,
    /// `conference_sid`
    pub conference_sid: Option<String>,
    /// `date_created`
    pub date_created: Option<String>,
    /// `date_updated`
    pub date_updated: Option<String>,
    /// `end_conference_on_exit`
    pub end_conference_on_exit: Option<bool>,
    /// `muted`
    pub muted: Option<bool>,
    /// `hold`
    pub hold: Option<bool>,
    /// `status`
    pub status: Option<String>,
    /// `start_conference_on_enter`
    pub start_conference_on_enter: Option<bool>,
    /// `coaching`
    pub coaching: Option<bool>,
    /// `call_sid_to_coach`
    pub call_sid_to_coach: Option<String>,
    /// `queue_time`
    pub queue_time: Option<String>,
    /// `uri`
    pub uri: Option<String>,
}

/// The Update form as a std user would model it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct StdUpdate {
    /// `Muted`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// `Hold`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold: Option<bool>,
    /// `HoldUrl`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_url: Option<String>,
    /// `HoldMethod`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_method: Option<String>,
    /// `AnnounceUrl`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announce_url: Option<String>,
    /// `AnnounceMethod`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announce_method: Option<String>,
    /// `WaitUrl`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_url: Option<String>,
    /// `WaitMethod`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_method: Option<String>,
    /// `Coaching`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coaching: Option<bool>,
    /// `CallSidToCoach`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_sid_to_coach: Option<String>,
    /// `BeepOnExit`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beep_on_exit: Option<bool>,
    /// `EndConferenceOnExit`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_conference_on_exit: Option<bool>,
}

/// A full 12-field update, as the benchmarks send it.
pub fn full_std_update() -> StdUpdate {
    StdUpdate {
        muted: Some(true),
        hold: Some(true),
        hold_url: Some("https://music.example.com/hold/ambient loop.mp3".into()),
        hold_method: Some("GET".into()),
        announce_url: Some("https://hooks.example.com/announce?lang=en-US".into()),
        announce_method: Some("POST".into()),
        wait_url: Some("https://music.example.com/wait.xml".into()),
        wait_method: Some("POST".into()),
        coaching: Some(true),
        call_sid_to_coach: Some("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into()),
        beep_on_exit: Some(false),
        end_conference_on_exit: Some(false),
    }
}
