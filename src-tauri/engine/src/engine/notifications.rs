//! The notification rules as the engine keeps them: in the settings, saved before they apply,
//! and handed to the pipeline after every change.

use super::Engine;
use super::handle::{MuteFor, NotifyCommand};
use super::subscriptions::position;
use crate::Error;
use crate::notify::{self, rule::Mute};
use crate::time::now_ms;

impl Engine {
    pub(super) async fn on_notifications(&mut self, command: NotifyCommand) {
        match command {
            NotifyCommand::Get(reply) => drop(reply.send(self.settings.notifications.clone())),
            NotifyCommand::SetFeedRule(feed, rule, reply) => {
                let saved = self
                    .change_rules(|s| {
                        position(s, &feed)?;
                        s.notifications.feeds.insert(feed, *rule);
                        Ok(())
                    })
                    .await;
                drop(reply.send(saved));
            }
            NotifyCommand::SetGlobal(rules, reply) => {
                let saved = self
                    .change_rules(|s| {
                        let n = &mut s.notifications;
                        n.quiet = rules.quiet;
                        n.flood = rules.flood;
                        n.silence = rules.silence;
                        Ok(())
                    })
                    .await;
                drop(reply.send(saved));
            }
            NotifyCommand::Test(reply) => self.pipeline.send(notify::Input::Test(reply)).await,
            NotifyCommand::Tell(title, body, reply) => {
                let tell = notify::Input::Tell { title, body, reply };
                self.pipeline.send(tell).await;
            }
            NotifyCommand::MuteAll(how_long, reply) => {
                let mute = mute_for(how_long, now_ms());
                let saved = self
                    .change_rules(|s| {
                        s.notifications.mute = mute;
                        Ok(())
                    })
                    .await;
                drop(reply.send(saved.map(|()| mute)));
            }
            NotifyCommand::Health(reply) => self.pipeline.send(notify::Input::Health(reply)).await,
            NotifyCommand::Mute(feed, how_long, reply) => {
                let mute = mute_for(how_long, now_ms());
                let saved = self
                    .change_rules(|s| {
                        position(s, &feed)?;
                        s.notifications.feeds.entry(feed).or_default().mute = mute;
                        Ok(())
                    })
                    .await;
                drop(reply.send(saved.map(|()| mute)));
            }
        }
    }

    /// Saves a change of the rules, then hands the pipeline the rules as saved.
    async fn change_rules(
        &mut self,
        change: impl FnOnce(&mut crate::settings::Settings) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.settings.change(&self.file, change).await?;
        let rules = self.settings.notifications.clone();
        self.pipeline.send(notify::Input::Rules(rules)).await;
        Ok(())
    }
}

/// The mute that `how_long` means at wall-clock time `now_ms`.
fn mute_for(how_long: MuteFor, now_ms: u64) -> Mute {
    const HOUR_MS: u64 = 3_600_000;
    match how_long {
        MuteFor::Off => Mute::Off,
        MuteFor::Forever => Mute::Forever,
        MuteFor::Hour => Mute::Until {
            until_ms: now_ms + HOUR_MS,
        },
        MuteFor::EightHours => Mute::Until {
            until_ms: now_ms + 8 * HOUR_MS,
        },
        MuteFor::UntilTomorrow => Mute::Until {
            until_ms: tomorrow_at_eight(now_ms).unwrap_or(now_ms + 12 * HOUR_MS),
        },
    }
}

/// 08:00 local time on the day after `now_ms`, in ms since the epoch.
fn tomorrow_at_eight(now_ms: u64) -> Option<u64> {
    let now = jiff::Timestamp::from_millisecond(i64::try_from(now_ms).ok()?).ok()?;
    let zone = jiff::tz::TimeZone::system();
    let today = now.to_zoned(zone.clone()).date();
    let eight = today.tomorrow().ok()?.at(8, 0, 0, 0).to_zoned(zone).ok()?;
    u64::try_from(eight.timestamp().as_millisecond()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutes_end_when_they_say() {
        let now = 1_800_000_000_000;
        assert_eq!(
            mute_for(MuteFor::Hour, now),
            Mute::Until {
                until_ms: now + 3_600_000
            }
        );
        assert_eq!(
            mute_for(MuteFor::EightHours, now),
            Mute::Until {
                until_ms: now + 28_800_000
            }
        );
        assert_eq!(mute_for(MuteFor::Forever, now), Mute::Forever);
        assert_eq!(mute_for(MuteFor::Off, now), Mute::Off);
        let Mute::Until { until_ms } = mute_for(MuteFor::UntilTomorrow, now) else {
            panic!("until tomorrow has an end")
        };
        // Tomorrow at 08:00 is between 8 and 32 hours away (time zones, DST aside: ±1 h).
        let hours = (until_ms - now) as f64 / 3_600_000.0;
        assert!((7.0..=33.0).contains(&hours), "{hours} h");
    }
}
