//! The policy: pure, per message — is it notified at all? Everything that depends on time (mute,
//! quiet hours, flood control, catch-up) is the gate's; this is the user's standing rules.

use super::Message;
use super::rule::FeedRule;

/// What the policy decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// On to the gate.
    Notify,
    /// Not notified (the event is still stored and shown in the app).
    Skip(Skip),
}

/// Why a message is not notified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The feed's notifications are off.
    Off,
    /// Below the feed's minimum priority.
    BelowPriority,
    /// Its event type is not in the feed's list.
    TypeNotListed,
    /// A silence rule matched (the rule's text).
    Silenced(String),
}

/// Decides whether `message`, of an event of type `event_type`, is notified under the feed's
/// `rule` and the silence rules for every feed.
pub fn decide(
    rule: &FeedRule,
    global_silence: &[String],
    event_type: &str,
    message: &Message,
) -> Verdict {
    if !rule.enabled {
        return Verdict::Skip(Skip::Off);
    }
    if message.priority < rule.min_priority {
        return Verdict::Skip(Skip::BelowPriority);
    }
    if !rule.types.is_empty() && !rule.types.iter().any(|t| t == event_type) {
        return Verdict::Skip(Skip::TypeNotListed);
    }
    match silenced_by(rule.silence.iter().chain(global_silence), message) {
        Some(matched) => Verdict::Skip(Skip::Silenced(matched.clone())),
        None => Verdict::Notify,
    }
}

/// The first silence rule whose text appears in the title or the body, in any case.
fn silenced_by<'a>(
    rules: impl Iterator<Item = &'a String>,
    message: &Message,
) -> Option<&'a String> {
    let title = message.title.to_lowercase();
    let body = message.body.to_lowercase();
    rules.filter(|r| !r.trim().is_empty()).find(|r| {
        let needle = r.trim().to_lowercase();
        title.contains(&needle) || body.contains(&needle)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::Priority;

    fn message(title: &str, body: &str, priority: Priority) -> Message {
        Message {
            title: title.into(),
            body: body.into(),
            priority,
            click: None,
            actions: Vec::new(),
            group: None,
            tags: Vec::new(),
        }
    }

    #[test]
    fn the_rules_in_order() {
        let off = FeedRule {
            enabled: false,
            ..FeedRule::default()
        };
        let high_only = FeedRule {
            min_priority: Priority::High,
            ..FeedRule::default()
        };
        let deploys = FeedRule {
            types: vec!["deploy".into()],
            ..FeedRule::default()
        };
        let quiet_ci = FeedRule {
            silence: vec!["  Nightly ".into()],
            ..FeedRule::default()
        };
        let normal = message("Build passed", "all green", Priority::Default);
        let nightly = message("Build passed", "the NIGHTLY run", Priority::Default);
        let urgent = message("Disk full", "", Priority::Max);
        let table: [(&FeedRule, &[String], &str, &Message, Verdict); 9] = [
            (
                &FeedRule::default(),
                &[],
                "message",
                &normal,
                Verdict::Notify,
            ),
            (&off, &[], "message", &urgent, Verdict::Skip(Skip::Off)),
            (
                &high_only,
                &[],
                "message",
                &normal,
                Verdict::Skip(Skip::BelowPriority),
            ),
            (&high_only, &[], "message", &urgent, Verdict::Notify),
            (
                &deploys,
                &[],
                "message",
                &normal,
                Verdict::Skip(Skip::TypeNotListed),
            ),
            (&deploys, &[], "deploy", &normal, Verdict::Notify),
            (
                &quiet_ci,
                &[],
                "message",
                &nightly,
                Verdict::Skip(Skip::Silenced("  Nightly ".into())),
            ),
            (
                &FeedRule::default(),
                &["disk".into()],
                "message",
                &urgent,
                Verdict::Skip(Skip::Silenced("disk".into())),
            ),
            (
                &FeedRule::default(),
                &[" ".into()],
                "message",
                &normal,
                Verdict::Notify,
            ),
        ];
        for (rule, global, event_type, message, want) in table {
            assert_eq!(
                decide(rule, global, event_type, message),
                want,
                "{rule:?} {message:?}"
            );
        }
    }
}
