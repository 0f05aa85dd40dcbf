//! The five operations on the participant resource, and the rules that
//! depend only on which operation it is (method, path, success status,
//! idempotency).
//!
//! ```
//! use confpart::api::operation::OperationKind;
//! let retried_after_a_lost_answer: usize =
//!     OperationKind::ALL.iter().filter(|o| o.is_idempotent()).count();
//! assert_eq!(retried_after_a_lost_answer, 4); // all but Create
//! ```

/// The operations on the participant resource.
///
/// ```
/// use confpart::api::operation::OperationKind;
/// assert_eq!(OperationKind::Delete.method(), "DELETE");
/// ```
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
    /// All five, for tests and tables.
    ///
    /// ```
    /// use confpart::api::operation::OperationKind;
    /// assert_eq!(OperationKind::ALL.len(), 5);
    /// ```
    pub const ALL: [Self; 5] = [
        Self::Create,
        Self::Update,
        Self::Fetch,
        Self::List,
        Self::Delete,
    ];

    /// The HTTP method.
    ///
    /// ```
    /// use confpart::api::operation::OperationKind;
    /// assert_eq!(OperationKind::Update.method(), "POST");
    /// assert_eq!(OperationKind::Fetch.method(), "GET");
    /// ```
    pub const fn method(self) -> &'static str {
        match self {
            Self::Update | Self::Create => "POST",
            Self::Fetch | Self::List => "GET",
            Self::Delete => "DELETE",
        }
    }

    /// True for the operations on the collection path (no participant).
    ///
    /// ```
    /// use confpart::api::operation::OperationKind;
    /// assert!(OperationKind::List.on_collection());
    /// assert!(!OperationKind::Fetch.on_collection());
    /// ```
    pub const fn on_collection(self) -> bool {
        matches!(self, Self::List | Self::Create)
    }

    /// True for the operations on one participant (`Update`, `Fetch`,
    /// `Delete`): the ones whose 404 can mean "not addressable yet".
    ///
    /// ```
    /// use confpart::api::operation::OperationKind;
    /// assert!(OperationKind::Delete.addresses_participant());
    /// assert!(!OperationKind::Create.addresses_participant());
    /// ```
    pub const fn addresses_participant(self) -> bool {
        !self.on_collection()
    }

    /// Whether sending the request twice has the same effect as sending it
    /// once, so a request whose answer was lost may be sent again.
    ///
    /// An update sets fields to given values, so repeating it is harmless;
    /// fetch and list read; a second delete finds nothing (404) but changes
    /// nothing more. A second create would dial a second call.
    ///
    /// ```
    /// use confpart::api::operation::OperationKind;
    /// assert!(OperationKind::Update.is_idempotent());
    /// assert!(!OperationKind::Create.is_idempotent());
    /// ```
    pub const fn is_idempotent(self) -> bool {
        !matches!(self, Self::Create)
    }

    /// The success status: 200, 201 (create) or 204 (delete).
    ///
    /// ```
    /// use confpart::api::operation::OperationKind;
    /// assert_eq!(OperationKind::Create.success_status(), 201);
    /// ```
    pub const fn success_status(self) -> u16 {
        match self {
            Self::Create => 201,
            Self::Delete => 204,
            _ => 200,
        }
    }
}
