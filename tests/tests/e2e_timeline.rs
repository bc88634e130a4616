//! End to end, the timeline and the feed controls: a store of 100,000 events in a virtual
//! list, event data that tries to be markup, a mute on the recording notification server,
//! and the screenshots of the main screens, light and dark. Run by the end-to-end stage.

use std::time::Duration;

use herald_tests::app::Home;
use herald_tests::server::{Reply, TestServer};
use herald_tests::ui::{App, WAIT, many_events, one_feed_settings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn a_store_of_100000_events_scrolls_to_the_bottom_with_few_rows_in_the_dom() {
    let (_server, home) = many_events(100_000).await;
    let app = App::launch(&home).await;
    let s = &app.session;
    app.wait_count(100_000).await;
    assert_eq!(app.wait_for_rows(1).await[0].id, "100000");

    // Scroll to the very end: the oldest event comes from the store, page by page, and the
    // DOM never holds more than the screen's rows and a margin.
    s.script(
        "const t = document.getElementById('timeline'); t.scrollTop = t.scrollHeight; return true",
    )
    .await;
    herald_tests::eventually_async("the oldest event at the bottom", WAIT, || async {
        app.rows().await.last().is_some_and(|r| r.id == "1")
    })
    .await;
    let in_dom = s
        .script("return document.querySelectorAll('#timeline .event-row').length")
        .await;
    let in_dom = in_dom.as_u64().unwrap();
    assert!(
        (5..=60).contains(&in_dom),
        "{in_dom} row elements for 100,000 events"
    );
    let rows = app.rows().await;
    let ids: Vec<u64> = rows.iter().map(|r| r.id.parse().unwrap()).collect();
    let want: Vec<u64> = (1..=ids.len() as u64).rev().collect();
    assert_eq!(ids, want, "the last rows, in order, each once");

    // The middle, by keyboard: End selects the last row.
    s.script("document.getElementById('timeline').focus(); return true")
        .await;
    app.session
        .script("document.getElementById('timeline').dispatchEvent(new KeyboardEvent('keydown', {key: 'End', bubbles: true})); return true")
        .await;
    app.wait_text(
        "#timeline .event-row.selected .event-id",
        "the last row selected",
        |t| t == "1",
    )
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn event_data_names_and_links_reach_the_window_as_inert_text() {
    let ntfy = serde_json::json!({
        "id": "x1", "event": "message", "topic": "t",
        "title": "<img src=x onerror=\"window.__xss = 1\">",
        "message": "<script>window.__xss = 2</script> see javascript:window.__xss=3",
        "click": "javascript:window.__xss = 4",
        "actions": [{"action": "view", "label": "<b>Open</b>", "url": "javascript:window.__xss = 5"}],
        "tags": ["<i>tag</i>"]
    });
    let body = format!(
        "id: 1\ndata: {ntfy}\n\nid: 2\ndata: <img src=x onerror=\"window.__xss = 6\"><a href=\"javascript:alert(1)\">link</a>\n\n"
    );
    let server = TestServer::always(Reply::stream(body).held_open()).await;
    let home = Home::new();
    home.write_settings(&one_feed_settings(
        "xss000000001",
        "<b>Evil</b> feed",
        &server.url(),
    ));
    let app = App::launch(&home).await;
    let s = &app.session;
    let rows = app.wait_for_rows(2).await;
    assert_eq!(
        rows[0].text,
        "<img src=x onerror=\"window.__xss = 6\"><a href=\"javascript:alert(1)\">link</a>"
    );
    assert_eq!(rows[1].title, "<img src=x onerror=\"window.__xss = 1\">");
    assert_eq!(
        rows[1].text,
        "<script>window.__xss = 2</script> see javascript:window.__xss=3"
    );
    assert_eq!(rows[1].feed, "<b>Evil</b> feed");
    app.wait_text("#feed-list .feed-name", "the feed's name as text", |t| {
        t == "<b>Evil</b> feed"
    })
    .await;

    // Open both: the details show the same text, and no link that is not http(s).
    for id in ["1", "2"] {
        let script = format!(
            "const r = Array.from(document.querySelectorAll('#timeline .event-row')).find(r => r.querySelector('.event-id').textContent === '{id}'); r.click(); return true"
        );
        s.script(&script).await;
        app.wait_text("#detail-raw", "the details", |t| !t.is_empty())
            .await;
        let urls = s
            .script("return Array.from(document.querySelectorAll('#event-detail [data-url]')).map(b => b.dataset.url)")
            .await;
        assert_eq!(
            urls,
            serde_json::json!([]),
            "only http(s) links become buttons"
        );
    }
    let planted = s
        .script(
            "return { xss: window.__xss ?? null, \
             img: document.querySelectorAll('main img, nav img').length, \
             script: document.querySelectorAll('body script').length, \
             b: document.querySelectorAll('main b, nav b, main i').length, \
             anchors: document.querySelectorAll('main a, nav a').length }",
        )
        .await;
    assert_eq!(
        planted,
        serde_json::json!({"xss": null, "img": 0, "script": 0, "b": 0, "anchors": 0}),
        "nothing from the server became markup"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn muting_a_feed_stops_its_notifications_but_not_its_events() {
    // One event every 1.2 s (none in a catch-up burst), for up to a minute.
    let chunks: Vec<Vec<u8>> = (1..=50)
        .map(|i| format!("id: {i}\ndata: tick {i}\n\n").into_bytes())
        .collect();
    let server = TestServer::always(
        Reply::stream(": hello\n\n")
            .chunked(chunks)
            .paced(Duration::from_millis(1_200))
            .held_open(),
    )
    .await;
    let home = Home::new();
    home.write_settings(&one_feed_settings("ticks0000001", "Ticks", &server.url()));
    let app = App::launch(&home).await;
    app.recorder.wait_for(2, WAIT).await;

    app.open_feed("Ticks").await;
    app.click("#edit-feed").await;
    app.choose("#feed-mute", "hour").await;
    app.wait_text("#feed-mute-state", "the mute", |t| {
        t.starts_with("Muted until")
    })
    .await;
    herald_tests::eventually_async("the sidebar to say muted", WAIT, || async {
        app.feed_state("Ticks")
            .await
            .is_some_and(|s| s[1].contains("Muted until"))
    })
    .await;
    let muted_at = app.recorder.calls().len();
    // Back on the timeline (the mute is saved already): events keep coming, notifications not.
    app.click("#editor-cancel").await;
    app.find("#timeline-view").await;
    let newest = || async {
        let rows = app.rows().await;
        rows.first().map_or(0, |r| r.id.parse::<u64>().unwrap())
    };
    let at_mute = newest().await;
    herald_tests::eventually_async("three more events while muted", WAIT, || async {
        newest().await >= at_mute + 3
    })
    .await;
    assert_eq!(
        app.recorder.calls().len(),
        muted_at,
        "no notification while muted"
    );

    // Unmuted: notifications come again.
    app.click("#edit-feed").await;
    app.choose("#feed-mute", "off").await;
    app.wait_text("#feed-mute-state", "unmuted", |t| t == "Not muted")
        .await;
    app.recorder.wait_for(muted_at + 1, WAIT).await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display: run by the end-to-end stage under xvfb-run"]
async fn screenshots_of_the_main_screens_light_and_dark() {
    let home = Home::new(); // a first run: the demo feed, with realistic ntfy events
    let app = App::launch(&home).await;
    let s = &app.session;
    app.wait_for_rows(3).await;
    for theme in ["light", "dark"] {
        app.click("#open-settings").await;
        app.click(&format!("input[name=theme][value={theme}]"))
            .await;
        app.wait_text("#outcome-appearance", "the theme saved", |t| t == "Saved.")
            .await;
        herald_tests::eventually_async("the theme applied", WAIT, || async {
            s.script("return document.documentElement.dataset.theme")
                .await
                == theme
        })
        .await;
        app.screenshot(&format!("settings-{theme}.png")).await;
        app.click("#settings-close").await;
        s.script(
            "document.querySelector('#timeline .event-row:not(.placeholder)').click(); return true",
        )
        .await;
        app.find("#event-detail").await;
        app.screenshot(&format!("timeline-{theme}.png")).await;
        app.open_feed("Herald demo").await;
        app.click("#edit-feed").await;
        app.wait_text("#preview-title", "the preview", |t| t != "…")
            .await;
        app.screenshot(&format!("editor-{theme}.png")).await;
        app.click("#editor-cancel").await;
    }
    // The narrowest window Herald allows (tauri.conf.json minWidth): everything still fits.
    s.set_window_size(640, 600).await;
    herald_tests::eventually_async("the window at 640 px", WAIT, || async {
        s.script("return window.innerWidth").await == 640
    })
    .await;
    let overflow = s
        .script("return document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert_eq!(overflow, 0, "nothing sticks out sideways at 640 px");
    app.screenshot("timeline-narrow.png").await;
    app.close().await;
}
