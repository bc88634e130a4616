-- Events the notification pipeline has not dealt with yet: what a crash kept from being
-- notified, summarised at the next start. Few rows, so a partial index finds them at once.
CREATE INDEX events_unnotified ON events (seq) WHERE notified = 0;
