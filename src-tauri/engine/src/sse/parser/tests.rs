//! Table-driven tests of the parser: every case is also run split at every byte offset.

use super::*;
use proptest::prelude::*;

/// (type, data, lastEventId) of each dispatched event.
type Expected = &'static [(&'static str, &'static str, &'static str)];

/// One line per behaviour of the spec.
const CASES: &[(&str, &[u8], Expected)] = &[
    ("lf_single_event", b"data: hi\n\n", &[("message", "hi", "")]),
    (
        "crlf_line_ends",
        b"data: hi\r\n\r\n",
        &[("message", "hi", "")],
    ),
    (
        "lone_cr_line_ends",
        b"data: hi\r\rdata: yo\r\r",
        &[("message", "hi", ""), ("message", "yo", "")],
    ),
    (
        "mixed_line_ends",
        b"data: a\r\ndata: b\rdata: c\n\n",
        &[("message", "a\nb\nc", "")],
    ),
    (
        "data_lines_joined_with_lf",
        b"data: one\ndata: two\n\n",
        &[("message", "one\ntwo", "")],
    ),
    (
        "only_one_trailing_lf_removed",
        b"data: x\ndata\n\n",
        &[("message", "x\n", "")],
    ),
    (
        "one_leading_space_stripped",
        b"data:  two spaces\n\n",
        &[("message", " two spaces", "")],
    ),
    (
        "no_space_after_colon",
        b"data:tight\n\n",
        &[("message", "tight", "")],
    ),
    (
        "field_without_colon_is_empty_value",
        b"data\ndata\n\n",
        &[("message", "\n", "")],
    ),
    (
        "colon_in_value_kept",
        b"data: a: b\n\n",
        &[("message", "a: b", "")],
    ),
    (
        "comment_ignored",
        b": heartbeat\ndata: x\n: more\n\n",
        &[("message", "x", "")],
    ),
    (
        "unknown_field_ignored",
        b"foo: bar\ndata: x\n\n",
        &[("message", "x", "")],
    ),
    ("field_names_case_sensitive", b"Data: x\nDATA: y\n\n", &[]),
    (
        "event_type_set",
        b"event: add\ndata: x\n\n",
        &[("add", "x", "")],
    ),
    (
        "event_type_reset_after_dispatch",
        b"event: add\ndata: x\n\ndata: y\n\n",
        &[("add", "x", ""), ("message", "y", "")],
    ),
    (
        "empty_data_dispatches_nothing_but_resets_type",
        b"event: add\n\ndata: y\n\n",
        &[("message", "y", "")],
    ),
    (
        "empty_event_field_means_message",
        b"event:\ndata: x\n\n",
        &[("message", "x", "")],
    ),
    ("id_set", b"id: 7\ndata: x\n\n", &[("message", "x", "7")]),
    (
        "id_persists_across_events",
        b"id: 7\ndata: x\n\ndata: y\n\n",
        &[("message", "x", "7"), ("message", "y", "7")],
    ),
    (
        "id_without_data_still_sets_last_id",
        b"id: 9\n\ndata: y\n\n",
        &[("message", "y", "9")],
    ),
    (
        "empty_id_resets_last_id",
        b"id: 1\ndata: a\n\nid\ndata: b\n\n",
        &[("message", "a", "1"), ("message", "b", "")],
    ),
    (
        "id_with_nul_ignored",
        b"id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n",
        &[("message", "a", "1"), ("message", "b", "1")],
    ),
    (
        "unfinished_block_discarded",
        b"data: done\n\ndata: partial\n",
        &[("message", "done", "")],
    ),
    (
        "bom_stripped_at_start",
        b"\xEF\xBB\xBFdata: x\n\n",
        &[("message", "x", "")],
    ),
    (
        "second_bom_not_stripped",
        b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: y\n\n",
        &[("message", "y", "")],
    ),
    (
        "invalid_utf8_replaced",
        b"data: a\xFFb\xE2\x82\n\n",
        &[("message", "a\u{FFFD}b\u{FFFD}", "")],
    ),
    (
        "multibyte_utf8_kept",
        b"data: h\xC3\xA9llo \xF0\x9F\x94\x94\n\n",
        &[("message", "h\u{e9}llo \u{1F514}", "")],
    ),
    ("blank_lines_alone_dispatch_nothing", b"\n\n\r\n\r\r", &[]),
    (
        "json_payload",
        b"event: alert\nid: 42\ndata: {\"title\":\"T\",\"n\":1}\n\n",
        &[("alert", "{\"title\":\"T\",\"n\":1}", "42")],
    ),
];

fn collect(parser: &mut Parser) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    while let Some(item) = parser.next() {
        let event = item.expect("no oversize in these cases");
        out.push((
            event.event_type.into(),
            event.data.into(),
            event.last_event_id.into(),
        ));
    }
    out
}

fn expected(want: Expected) -> Vec<(String, String, String)> {
    want.iter()
        .map(|(t, d, i)| (t.to_string(), d.to_string(), i.to_string()))
        .collect()
}

#[test]
fn cases_in_one_chunk() {
    for (name, input, want) in CASES {
        let mut parser = Parser::default();
        parser.push_slice(input);
        parser.finish();
        assert_eq!(collect(&mut parser), expected(want), "case {name}");
    }
}

#[test]
fn cases_split_at_every_offset() {
    for (name, input, want) in CASES {
        for cut in 0..=input.len() {
            let mut parser = Parser::default();
            parser.push_slice(&input[..cut]);
            parser.push_slice(&input[cut..]);
            parser.finish();
            assert_eq!(
                collect(&mut parser),
                expected(want),
                "case {name} cut at {cut}"
            );
        }
    }
}

#[test]
fn cases_fed_byte_by_byte() {
    for (name, input, want) in CASES {
        let mut parser = Parser::default();
        for byte in input.iter() {
            parser.push_slice(std::slice::from_ref(byte));
        }
        parser.finish();
        assert_eq!(collect(&mut parser), expected(want), "case {name}");
    }
}

#[test]
fn retry_only_when_all_ascii_digits() {
    let table: &[(&[u8], Option<u64>)] = &[
        (b"retry: 1500\n", Some(1500)),
        (b"retry: 0\n", Some(0)),
        (b"retry: 15s\n", None),
        (b"retry: -1\n", None),
        (b"retry:\n", None),
        (b"retry: 1 5\n", None),
        (b"retry: 99999999999999999999999\n", Some(u64::MAX)),
        (b"retry: 100\nretry: x\n", Some(100)),
    ];
    for (input, want) in table {
        let mut parser = Parser::default();
        parser.push_slice(input);
        while parser.next().is_some() {}
        assert_eq!(
            parser.retry(),
            *want,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn last_event_id_seeded_for_reconnects() {
    let mut parser = Parser::with_last_event_id(Limits::default(), "41");
    parser.push_slice(b"data: x\n\nid: 42\ndata: y\n\n");
    let got = collect(&mut parser);
    assert_eq!(got[0].2, "41");
    assert_eq!(got[1].2, "42");
    assert_eq!(parser.last_event_id(), "42");
}

#[test]
fn unfinished_id_does_not_become_last_event_id() {
    let mut parser = Parser::default();
    parser.push_slice(b"id: 1\ndata: a\n\nid: 2\ndata: b\n");
    parser.finish();
    assert_eq!(parser.next().unwrap().unwrap().data, "a");
    assert_eq!(parser.next(), None);
    assert_eq!(parser.last_event_id(), "1");
    assert_eq!(
        parser.state.partial.capacity(),
        0,
        "a finished parser holds no memory"
    );
}

#[test]
fn oversized_line_drops_its_event_and_parsing_resumes() {
    let limits = Limits {
        max_line: 16,
        max_event: 1024,
    };
    let mut input = b"data: before\n\ndata: ".to_vec();
    input.extend(std::iter::repeat_n(b'x', 100));
    input.extend(b"\ndata: same event\n\ndata: after\n\n");
    for cut in 0..=input.len() {
        let mut parser = Parser::new(limits);
        parser.push_slice(&input[..cut]);
        parser.push_slice(&input[cut..]);
        let items: Vec<_> = std::iter::from_fn(|| parser.next()).collect();
        assert_eq!(items.len(), 3, "cut {cut}");
        assert_eq!(items[0].as_ref().unwrap().data, "before");
        assert_eq!(items[1], Err(Oversize::Line { limit: 16 }), "cut {cut}");
        assert_eq!(items[2].as_ref().unwrap().data, "after");
    }
}

#[test]
fn oversized_event_is_dropped_and_reported_once() {
    let limits = Limits {
        max_line: 64,
        max_event: 20,
    };
    let mut parser = Parser::new(limits);
    parser.push_slice(b"data: 0123456789\ndata: 0123456789\ndata: more\n\ndata: ok\n\n");
    assert_eq!(parser.next(), Some(Err(Oversize::Event { limit: 20 })));
    assert_eq!(parser.next().unwrap().unwrap().data, "ok");
    assert_eq!(parser.next(), None);
}

#[test]
fn endless_line_keeps_memory_bounded() {
    let limits = Limits {
        max_line: 1024,
        max_event: 1024,
    };
    let mut parser = Parser::new(limits);
    let chunk = bytes::Bytes::from(vec![b'a'; 64 * 1024]);
    for _ in 0..256 {
        parser.push(chunk.clone()); // 16 MiB of one line
        assert_eq!(parser.next(), None);
        let held = parser.state.partial.capacity() + parser.state.joined.capacity();
        assert!(held <= 2048, "buffers grew to {held}");
    }
    parser.push_slice(b"\n\ndata: next\n\n");
    assert_eq!(parser.next(), Some(Err(Oversize::Line { limit: 1024 })));
    assert_eq!(parser.next().unwrap().unwrap().data, "next");
}

/// Runs `input` through a parser in the given chunk sizes, returning everything it yields.
/// After each push it takes at most the next of `takes` items (cycling), so input also queues
/// up behind a partly drained chunk, as it does for a caller that does not drain every push.
fn parse_chunked(input: &[u8], sizes: &[usize], takes: &[usize]) -> Vec<Result<Event, Oversize>> {
    let mut parser = Parser::new(Limits {
        max_line: 64,
        max_event: 256,
    });
    let mut got = Vec::new();
    let mut rest = input;
    let mut sizes = sizes.iter().cycle();
    let mut takes = takes.iter().cycle();
    while !rest.is_empty() {
        let n = (*sizes.next().unwrap()).clamp(1, rest.len());
        parser.push_slice(&rest[..n]);
        rest = &rest[n..];
        got.extend(std::iter::from_fn(|| parser.next()).take(*takes.next().unwrap()));
    }
    parser.finish();
    got.extend(std::iter::from_fn(|| parser.next()));
    got
}

/// Bytes that exercise every branch: field names, separators, line ends, BOM and bad UTF-8.
fn stream_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"data".to_vec()),
        Just(b"event".to_vec()),
        Just(b"id".to_vec()),
        Just(b"retry".to_vec()),
        Just(b":".to_vec()),
        Just(b": ".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xE2\x82\xAC".to_vec()),
        Just(b"\xFF".to_vec()),
        Just(b"\0".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
        "[a-z0-9 ]{0,40}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn any_chunking_yields_the_events_of_one_chunk(
        input in stream_bytes(),
        sizes in proptest::collection::vec(1usize..12, 1..8),
        takes in proptest::collection::vec(0usize..3, 1..8),
    ) {
        let whole = parse_chunked(&input, &[usize::MAX], &[0]);
        let chunked = parse_chunked(&input, &sizes, &takes);
        prop_assert_eq!(whole, chunked);
    }
}

#[test]
fn event_had_id_tells_own_ids_from_inherited_ones() {
    let mut parser = Parser::default();
    parser.push_slice(b"id: 1\ndata: a\n\ndata: b\n\nid: 1\ndata: c\n\nid\ndata: d\n\n");
    let mut got = Vec::new();
    while let Some(item) = parser.next() {
        got.push((item.unwrap().data.to_string(), parser.event_had_id()));
    }
    let want = [("a", true), ("b", false), ("c", true), ("d", true)];
    assert_eq!(got, want.map(|(d, h)| (d.to_owned(), h)));
}

#[test]
fn line_ends_are_found_at_every_position() {
    for len in 0..80 {
        for pos in 0..len {
            for end in [b'\n', b'\r'] {
                let mut bytes = vec![b'x'; len];
                bytes[pos] = end;
                // Bytes that differ from CR and LF by one bit, around the match.
                if pos + 1 < len {
                    bytes[pos + 1] = b'\x0b';
                }
                assert_eq!(
                    super::find_line_end(&bytes),
                    Some(pos),
                    "len {len} pos {pos}"
                );
            }
        }
        let none: Vec<u8> = (0..len)
            .map(|i| [b'\x0b', b'\x0c', b'\x8a', b'a'][i % 4])
            .collect();
        assert_eq!(super::find_line_end(&none), None, "len {len}");
    }
}

#[test]
fn input_pushed_while_earlier_input_waits_keeps_its_order() {
    let mut parser = Parser::default();
    parser.push_slice(b"data: a\n\n");
    parser.push_slice(b"data: b\n\n");
    assert_eq!(parser.next().unwrap().unwrap().data, "a");
    // "b" is still waiting: a chunk pushed now must come after it.
    parser.push_slice(b"data: c\n\n");
    let rest: Vec<String> = std::iter::from_fn(|| parser.next())
        .map(|item| item.unwrap().data.to_string())
        .collect();
    assert_eq!(rest, ["b", "c"]);
}
