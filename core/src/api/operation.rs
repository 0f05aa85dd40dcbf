//! The five operations on the participant resource, and the rules that
//! depend only on which operation it is.

/// The operations on the participant resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OperationKind {
    /// `POST .../Participants/{CallSid}.json` → 200 participant.
    Update,
    /// `GET .../Participants/{CallSid}.json` → 200 participant.
    Fetch,
    /// `DELETE .../Participants/{CallSid}.json` → 204.
    Delete,
    /// `GET .../Participants.json` → 200 page.
    List,
    /// `POST .../Participants.json` → 201 participant (Twilio only).
    Create,
}

impl OperationKind {
    /// The HTTP method.
    pub const fn method(self) -> &'static str {
        match self {
            Self::Update | Self::Create => "POST",
            Self::Fetch | Self::List => "GET",
            Self::Delete => "DELETE",
        }
    }

    /// True for the operations on the collection path (no participant).
    pub const fn on_collection(self) -> bool {
        matches!(self, Self::List | Self::Create)
    }

    /// The success status: 200, 201 (create) or 204 (delete).
    pub const fn success_status(self) -> u16 {
        match self {
            Self::Create => 201,
            Self::Delete => 204,
            _ => 200,
        }
    }
}
