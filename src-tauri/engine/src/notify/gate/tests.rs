//! The gate on a fake clock: floods, groups, catch-up, quiet hours and mute.

use super::*;

const MONDAY_NOON: Now = Now {
    wall_ms: 1_000_000_000,
    weekday: 0,
    minute: 12 * 60,
};

fn feed(name: &str) -> FeedId {
    FeedId(name.to_lowercase())
}

fn offer(feed_name: &str, seq: u64, title: &str) -> Offer {
    Offer {
        feed: feed(feed_name),
        feed_name: feed_name.into(),
        seq,
        message: Message {
            title: title.into(),
            body: format!("body of {title}"),
            priority: Priority::Default,
            click: None,
            actions: Vec::new(),
            group: None,
            tags: Vec::new(),
        },
        catch_up: false,
        mute: Mute::Off,
    }
}

fn gate() -> Gate {
    Gate::new(FloodLimits::default(), None, &MONDAY_NOON)
}

/// The (slot, title, body) of each Show.
fn shown(out: &[Out]) -> Vec<(Slot, String, String)> {
    out.iter()
        .map(|o| match o {
            Out::Show(slot, card) => (slot.clone(), card.title.clone(), card.body.clone()),
            Out::Close(_) | Out::Done(_) => panic!("unexpected {o:?}"),
        })
        .collect()
}

#[test]
fn a_flood_shows_the_bucket_then_one_summary_that_updates_in_place() {
    let mut g = gate();
    let now = MONDAY_NOON;
    let mut out = Vec::new();
    for seq in 1..=1_000 {
        out.extend(g.offer(&now, offer("Builds", seq, &format!("build {seq}"))));
    }
    let titles: Vec<_> = shown(&out).into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(
        titles,
        ["build 1", "build 2", "build 3", "build 4", "build 5"]
    );
    assert!(g.tick(&now.plus_ms(1_999)).is_empty(), "the summary waits");
    assert_eq!(g.next_wake(&now), Some(now.wall_ms + OVERFLOW_EVERY_MS));

    let summary = shown(&g.tick(&now.plus_ms(2_000)));
    assert_eq!(
        summary,
        [(
            Slot::Overflow(feed("Builds")),
            "995 more from Builds".into(),
            "build 1000\nbuild 999\nbuild 998\n…and 992 more".into()
        )]
    );
    assert!(g.tick(&now.plus_ms(2_001)).is_empty(), "shown once");

    // The flood goes on: the same slot, counting the whole flood, no sooner than every 2 s.
    // (At 2.5 s the bucket has one token again: that event is shown as itself.)
    let later = now.plus_ms(2_500);
    assert_eq!(
        shown(&g.offer(&later, offer("Builds", 1_001, "build 1001"))).len(),
        1
    );
    for seq in 1_002..=1_010 {
        assert!(g.offer(&later, offer("Builds", seq, "more")).is_empty());
    }
    assert!(g.tick(&now.plus_ms(3_999)).is_empty());
    let update = shown(&g.tick(&now.plus_ms(4_000)));
    assert_eq!(update[0].0, Slot::Overflow(feed("Builds")));
    assert_eq!(update[0].1, "1004 more from Builds");
}

#[test]
fn the_global_cap_holds_across_feeds_and_each_feed_gets_its_leftovers() {
    let mut g = gate();
    let now = MONDAY_NOON;
    let mut out = Vec::new();
    for n in 0..25 {
        out.extend(g.offer(&now, offer(&format!("Feed{n}"), n, "only one")));
    }
    assert_eq!(out.len(), 20, "the global cap: 20 per minute");
    // One event left over per feed is shown as itself, not as "1 more".
    let rest = shown(&g.tick(&now.plus_ms(OVERFLOW_EVERY_MS)));
    assert_eq!(rest.len(), 5);
    assert!(
        rest.iter()
            .all(|(slot, title, _)| matches!(slot, Slot::Event(_)) && title == "only one")
    );
}

#[test]
fn a_group_key_shows_in_one_slot() {
    let mut g = gate();
    let mut a = offer("Ci", 1, "deploy started");
    a.message.group = Some("deploy-42".into());
    let mut b = offer("Ci", 2, "deploy finished");
    b.message.group = Some("deploy-42".into());
    let slots: Vec<_> = [a, b]
        .into_iter()
        .flat_map(|o| shown(&g.offer(&MONDAY_NOON, o)))
        .map(|(slot, _, _)| slot)
        .collect();
    let group = Slot::Group(feed("Ci"), "deploy-42".into());
    assert_eq!(slots, [group.clone(), group]);
}

#[test]
fn a_click_opens_the_events_url_or_the_event_itself() {
    let mut g = gate();
    let mut with_url = offer("Ci", 1, "a");
    with_url.message.click = Some("https://ci.example/1".into());
    let out = g.offer(&MONDAY_NOON, with_url);
    let Out::Show(_, card) = &out[0] else {
        panic!()
    };
    assert_eq!(card.target, Target::Url("https://ci.example/1".into()));
    let out = g.offer(&MONDAY_NOON, offer("Ci", 2, "b"));
    let Out::Show(_, card) = &out[0] else {
        panic!()
    };
    assert_eq!(
        card.target,
        Target::Event {
            feed: feed("Ci"),
            seq: 2
        }
    );
}

#[test]
fn a_catch_up_burst_becomes_one_summary_once_it_settles() {
    let mut g = gate();
    let now = MONDAY_NOON;
    for seq in 1..=14 {
        let mut o = offer("Builds", seq, &format!("build {seq}"));
        o.catch_up = true;
        assert!(g.offer(&now.plus_ms(seq * 50), o).is_empty());
    }
    let last = now.plus_ms(14 * 50);
    assert_eq!(g.next_wake(&last), Some(last.wall_ms + CATCH_UP_SETTLE_MS));
    assert!(g.tick(&last.plus_ms(CATCH_UP_SETTLE_MS - 1)).is_empty());
    let out = g.tick(&last.plus_ms(CATCH_UP_SETTLE_MS));
    let Out::Show(slot, card) = &out[0] else {
        panic!()
    };
    assert_eq!(slot, &Slot::Summary(feed("Builds")));
    assert_eq!(card.title, "14 events from Builds while you were away");
    assert_eq!(card.body, "build 14\nbuild 13\nbuild 12\n…and 11 more");
    assert_eq!(card.target, Target::Feed(feed("Builds")));
    assert_eq!(
        card.seqs,
        (1..=14).collect::<Vec<_>>(),
        "it speaks for all 14"
    );
    assert_eq!(g.next_wake(&last), None, "nothing left to do");
    // The catch-up did not use the feed's bucket.
    assert_eq!(shown(&g.offer(&last, offer("Builds", 15, "live"))).len(), 1);
}

#[test]
fn a_burst_that_never_stops_is_summarised_after_the_longest_wait() {
    let mut g = gate();
    let mut out = Vec::new();
    for step in 0..=201 {
        let now = MONDAY_NOON.plus_ms(step * 100);
        let mut o = offer("Busy", step, "e");
        o.catch_up = true;
        g.offer(&now, o);
        out.extend(g.tick(&now));
    }
    assert_eq!(out.len(), 2, "at 10 s, and 10 s after the next fold began");
}

#[test]
fn a_catch_up_of_one_event_shows_the_event() {
    let mut g = gate();
    let mut o = offer("Builds", 7, "the only one");
    o.catch_up = true;
    g.offer(&MONDAY_NOON, o);
    let out = shown(&g.tick(&MONDAY_NOON.plus_ms(CATCH_UP_SETTLE_MS)));
    assert_eq!(
        out,
        [(
            Slot::Event(7),
            "the only one".into(),
            "body of the only one".into()
        )]
    );
}

#[test]
fn quiet_hours_hold_events_and_summarise_them_when_they_end() {
    let quiet = QuietHours {
        days: vec![0],
        start_min: 12 * 60,
        end_min: 13 * 60,
        critical_passes: true,
    };
    let mut g = Gate::new(FloodLimits::default(), Some(quiet), &MONDAY_NOON);
    let now = MONDAY_NOON;
    assert!(g.is_quiet(&now));
    assert!(g.offer(&now, offer("Builds", 1, "one")).is_empty());
    assert!(g.offer(&now, offer("Builds", 2, "two")).is_empty());
    let mut caught = offer("Builds", 3, "three");
    caught.catch_up = true;
    g.offer(&now, caught);
    let mut critical = offer("Alarms", 4, "fire");
    critical.message.priority = Priority::Max;
    assert_eq!(shown(&g.offer(&now, critical)).len(), 1, "critical passes");
    assert!(g.tick(&now.plus_ms(5_000)).is_empty(), "still quiet");
    assert_eq!(g.next_wake(&now), Some(now.wall_ms + QUIET_CHECK_MS));

    let after = Now {
        minute: 13 * 60,
        ..now.plus_ms(3_600_000)
    };
    let out = shown(&g.tick(&after));
    assert_eq!(
        out,
        [(
            Slot::Summary(feed("Builds")),
            "3 events from Builds during quiet hours".into(),
            "three\ntwo\none".into()
        )]
    );
    assert!(g.tick(&after).is_empty());
}

#[test]
fn critical_waits_too_unless_the_user_let_it_pass() {
    let quiet = QuietHours {
        days: vec![0],
        start_min: 0,
        end_min: 0,
        critical_passes: false,
    };
    let mut g = Gate::new(FloodLimits::default(), Some(quiet), &MONDAY_NOON);
    let mut critical = offer("Alarms", 1, "fire");
    critical.message.priority = Priority::Max;
    assert!(g.offer(&MONDAY_NOON, critical).is_empty());
}

#[test]
fn a_muted_feed_shows_nothing_until_the_mute_ends() {
    let mut g = gate();
    let until = MONDAY_NOON.wall_ms + 60_000;
    let mut o = offer("Noisy", 1, "a");
    o.mute = Mute::Until { until_ms: until };
    assert_eq!(
        g.offer(&MONDAY_NOON, o.clone()),
        [Out::Done(vec![1])],
        "dealt with, not shown"
    );
    assert!(
        g.tick(&MONDAY_NOON.plus_ms(120_000)).is_empty(),
        "nothing kept for later"
    );
    assert_eq!(shown(&g.offer(&MONDAY_NOON.plus_ms(60_000), o)).len(), 1);
    let mut forever = offer("Noisy", 2, "b");
    forever.mute = Mute::Forever;
    assert_eq!(
        g.offer(&MONDAY_NOON.plus_ms(99_999_999), forever),
        [Out::Done(vec![2])]
    );
}

#[test]
fn new_limits_apply_at_once() {
    let mut g = gate();
    let strict = FloodLimits {
        feed_burst: 1,
        feed_window_secs: 60,
        global_per_minute: 20,
    };
    g.set_rules(strict, None, &MONDAY_NOON);
    assert_eq!(shown(&g.offer(&MONDAY_NOON, offer("F", 1, "a"))).len(), 1);
    assert!(g.offer(&MONDAY_NOON, offer("F", 2, "b")).is_empty());
}
