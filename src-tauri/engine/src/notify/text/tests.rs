//! The text rules, one table row per case, and properties over any text.

use super::*;
use proptest::prelude::*;

#[test]
fn cut_keeps_grapheme_clusters_whole() {
    let e_acute = "e\u{301}";
    let family = "👩\u{200d}👩\u{200d}👧";
    let table: &[(&str, usize, &str)] = &[
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("eleven chars", 10, "eleven ch…"),
        ("hello world", 7, "hello…"),
        ("", 3, ""),
        ("abc", 0, ""),
        ("abc", 1, "…"),
        ("a", 1, "a"),
        ("ééééééé", 4, "ééé…"),
        (&e_acute.repeat(5), 3, &format!("{}…", e_acute.repeat(2))),
        (&family.repeat(3), 2, &format!("{family}…")),
        (&family.repeat(2), 2, &family.repeat(2)),
        ("🇫🇷🇩🇪🇮🇹", 2, "🇫🇷…"),
        ("🔔🔔🔔", 2, "🔔…"),
        ("line\r\nnext", 5, "line…"),
    ];
    for &(text, max, want) in table {
        assert_eq!(cut(text, max), want, "{text:?} {max}");
    }
}

proptest! {
    #[test]
    fn cut_never_exceeds_max_and_keeps_a_prefix(text in any::<String>(), max in 0usize..12) {
        let short = cut(&text, max);
        prop_assert!(short.graphemes(true).count() <= max);
        if short != text {
            // Cut: what is left before the ellipsis (nothing when `max` is 0) is a prefix.
            let kept = short.strip_suffix(ELLIPSIS).unwrap_or(&short);
            prop_assert!(text.starts_with(kept));
        }
    }
}

proptest! {
    #[test]
    fn markdown_to_plain_takes_any_text(text in any::<String>()) {
        let plain = markdown_to_plain(&text);
        prop_assert!(plain.len() <= text.len());
    }

    #[test]
    fn markdown_to_plain_keeps_text_without_markup(text in "[a-zA-Z0-9 .,:;!?\n-]{0,80}") {
        prop_assert_eq!(markdown_to_plain(&text), text);
    }
}

#[test]
fn escape_markup_escapes_the_three_markup_characters() {
    let table = [
        ("plain", "plain"),
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("&amp;", "&amp;amp;"),
        ("\"quotes\" 'stay'", "\"quotes\" 'stay'"),
    ];
    for (text, want) in table {
        assert_eq!(escape_markup(text), want, "{text:?}");
    }
}

#[test]
fn one_line_folds_whitespace_runs() {
    let table = [
        ("Disk full", "Disk full"),
        ("  Disk \n\n full\t\r\n", "Disk full"),
        ("a\u{a0}b", "a b"),
        ("", ""),
        (" \n ", ""),
    ];
    for (text, want) in table {
        assert_eq!(one_line(text), want, "{text:?}");
    }
}

#[test]
fn markdown_to_plain_strips_only_the_simple_markup() {
    let table = [
        ("plain text", "plain text"),
        ("# Disk full", "Disk full"),
        ("### Disk full", "Disk full"),
        ("   ## indented", "indented"),
        ("    # code, not a heading", "    # code, not a heading"),
        ("####### seven", "####### seven"),
        ("#hashtag", "#hashtag"),
        ("#", ""),
        ("see [the log](https://ci/1) now", "see the log now"),
        ("[a](x) and [b](y)", "a and b"),
        ("![camera](https://cam/1.jpg)", "camera"),
        ("[**bold** label](u)", "bold label"),
        ("[not a link] (x)", "[not a link] (x)"),
        ("[open(", "[open("),
        (
            "Look ma, **bold text**, *italics*, ...",
            "Look ma, bold text, *italics*, ...",
        ),
        ("__strong__ words", "strong words"),
        ("snake__case__name", "snake__case__name"),
        ("2 ** 3", "2 ** 3"),
        ("**unclosed", "**unclosed"),
        ("**a** and **b**", "a and b"),
        ("run `make test` now", "run make test now"),
        ("`**not bold**`", "**not bold**"),
        ("`` a`b ``", "a`b"),
        ("`unclosed", "`unclosed"),
        ("```", "```"),
        ("- item\n> quote", "- item\n> quote"),
        ("# Title\nbody **x**", "Title\nbody x"),
        ("é **ü** ñ", "é ü ñ"),
    ];
    for (text, want) in table {
        assert_eq!(markdown_to_plain(text), want, "{text:?}");
    }
}
