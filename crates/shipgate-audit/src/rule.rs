//! The one trait every rule implements, and what a rule reports before the driver turns
//! it into an [`AuditFinding`](crate::AuditFinding).

use shipgate_core::Severity;

use crate::RuleInfo;

/// A configuration rule over an input `I` (a parsed Dockerfile, a Kubernetes workload).
pub(crate) trait Rule<I: ?Sized>: Sync {
    /// The rule's id and documentation.
    fn info(&self) -> &'static RuleInfo;

    /// Pushes one [`Hit`] per problem found in `input`.
    fn check(&self, input: &I, hits: &mut Vec<Hit>);
}

/// One problem a rule found; the driver adds the rule id, the file and the object.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hit {
    /// The 1-based line (Dockerfile rules).
    pub line: Option<usize>,
    /// The JSON pointer of the field (Kubernetes rules); the driver turns it into a line
    /// and a dotted field path.
    pub pointer: Option<String>,
    /// The Dockerfile stage.
    pub object: Option<String>,
    /// What is wrong.
    pub message: String,
    /// A more precise hint than the rule's `fix`.
    pub hint: Option<String>,
    /// A severity other than the rule's default.
    pub severity: Option<Severity>,
}

impl Hit {
    /// A hit with only a message.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }

    /// At this line.
    pub(crate) fn line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// At this JSON pointer.
    pub(crate) fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// About this Dockerfile stage.
    pub(crate) fn object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }

    /// With this hint instead of the rule's fix.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Rated `severity` instead of the rule's default.
    pub(crate) fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}
