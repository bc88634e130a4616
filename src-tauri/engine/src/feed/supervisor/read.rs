//! Reading one open stream: chunks go through a fresh parser seeded with the last event id,
//! events go out as they complete (numbered by connection, flagged when in the catch-up burst),
//! and the resume point follows the last event delivered.

use std::time::Instant;

use super::{
    Closed, Controls, Ending, FeedUpdate, ReadEnd, Received, STABLE_AFTER, Supervisor,
    next_connection,
};
use crate::feed::resume::{Burst, Cursor};
use crate::feed::{ErrorKind, FeedError, ResumeMode, ntfy};
use crate::sse::Parser;

impl Supervisor {
    /// Reads one open stream to its end, forwarding events as they complete, unless the owner
    /// asks for something first.
    pub(super) async fn read(
        &mut self,
        mut response: reqwest::Response,
        control: &mut Controls,
    ) -> Result<ReadEnd, Closed> {
        let mut parser = Parser::with_last_event_id(self.options.limits, &self.last_event_id);
        let opened = Instant::now();
        self.connection = next_connection();
        let mut burst = Burst::new(opened);
        let mut got_event = false;
        let error = loop {
            let chunk = tokio::select! {
                chunk = tokio::time::timeout(self.options.idle_timeout, response.chunk()) => chunk,
                wanted = control.recv() => return Ok(ReadEnd::Control(wanted)),
            };
            let ended = matches!(chunk, Ok(Ok(None)));
            match chunk {
                Err(_) => break Some(self.idle_error("no data")),
                Ok(Err(e)) => {
                    let message = format!("the stream broke: {}", e.without_url());
                    break Some(FeedError::new(ErrorKind::Stream, message));
                }
                Ok(Ok(Some(bytes))) => parser.push(bytes),
                // The server ended the stream: complete events still come out, the rest is
                // discarded.
                Ok(Ok(None)) => parser.finish(),
            }
            let now = Instant::now();
            // The id the owner resumes from: the last event's, once it has them.
            let mut owner_id = None;
            while let Some(item) = parser.next() {
                let update = match item {
                    Ok(mut event) => {
                        let mut had_id = parser.event_had_id();
                        if self.may_be_ntfy {
                            // Only a connection's first event tells.
                            self.may_be_ntfy = false;
                            if ntfy::is_open(&event) {
                                tracing::info!(feed = %self.feed.id, "an ntfy stream: resuming with since=");
                                self.ntfy = true;
                                self.emit(FeedUpdate::Detected(ResumeMode::NtfySince))
                                    .await?;
                            }
                        }
                        if self.ntfy {
                            if ntfy::is_chatter(&event) {
                                continue;
                            }
                            // The message's own id stands in for the `id:` ntfy does not send.
                            had_id = false;
                            if let Some(id) = ntfy::message_id(&event) {
                                self.last_event_id = id;
                                had_id = true;
                            }
                            event.last_event_id = self.last_event_id.as_str().into();
                        }
                        got_event = true;
                        owner_id = Some(event.last_event_id.clone());
                        FeedUpdate::Event(Received {
                            event,
                            had_id,
                            connection: self.connection,
                            catch_up: burst.contains(now),
                        })
                    }
                    Err(oversize) => FeedUpdate::Dropped(oversize),
                };
                self.emit(update).await?;
            }
            // Read after the events went out: a reconnect resumes after the last one delivered,
            // never after one still in the parser.
            if let Some(id) = owner_id
                && *id != *self.last_event_id
            {
                self.last_event_id = id.to_string();
            }
            let retry = parser.retry().or(self.retry_ms);
            // ntfy's resume point is its message ids (set above); the stream's own is unused.
            let moved = !self.ntfy && self.last_event_id != parser.last_event_id();
            if moved || retry != self.retry_ms {
                if moved {
                    self.last_event_id = parser.last_event_id().to_owned();
                }
                self.retry_ms = retry;
                if let Some(retry) = retry {
                    self.backoff.set_retry(retry);
                }
                let cursor = Cursor {
                    last_event_id: self.last_event_id.clone(),
                    retry_ms: retry,
                };
                self.emit(FeedUpdate::Cursor(cursor)).await?;
            }
            if ended {
                break None;
            }
        };
        Ok(ReadEnd::Ended(Ending {
            progressed: got_event || opened.elapsed() >= STABLE_AFTER,
            error,
        }))
    }
}
