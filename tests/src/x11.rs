//! The X server's side of the app's windows, as a window manager sees them: which top-level
//! windows have a title, and closing one the way a click on its × does (`WM_DELETE_WINDOW`).
//!
//! The end-to-end suites run under Xvfb with no window manager; this is the little of one they
//! need. It talks to the X server of `$DISPLAY`.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{self, AtomEnum, ClientMessageEvent, ConnectionExt, EventMask};
use x11rb::rust_connection::RustConnection;

fn atom(conn: &RustConnection, name: &str) -> xproto::Atom {
    conn.intern_atom(false, name.as_bytes())
        .expect("intern an atom")
        .reply()
        .expect("an atom")
        .atom
}

fn title(conn: &RustConnection, window: xproto::Window) -> Option<String> {
    let utf8 = atom(conn, "UTF8_STRING");
    let net_name = atom(conn, "_NET_WM_NAME");
    for (property, kind) in [
        (net_name, utf8),
        (AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()),
    ] {
        let reply = conn
            .get_property(false, window, property, kind, 0, 1024)
            .ok()?
            .reply()
            .ok()?;
        if !reply.value.is_empty() {
            return Some(String::from_utf8_lossy(&reply.value).into_owned());
        }
    }
    None
}

/// The mapped top-level windows titled `name`.
fn windows_titled(conn: &RustConnection, name: &str) -> Vec<xproto::Window> {
    let root = conn.setup().roots[0].root;
    let tree = conn
        .query_tree(root)
        .expect("query the window tree")
        .reply()
        .expect("the window tree");
    tree.children
        .into_iter()
        .filter(|&w| {
            let mapped = conn
                .get_window_attributes(w)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some_and(|a| a.map_state == xproto::MapState::VIEWABLE);
            mapped && title(conn, w).as_deref() == Some(name)
        })
        .collect()
}

/// How many mapped top-level windows are titled `name`.
pub fn count_titled(name: &str) -> usize {
    let (conn, _) = x11rb::connect(None).expect("connect to the X server ($DISPLAY)");
    windows_titled(&conn, name).len()
}

/// Asks every window titled `name` to close, as a window manager does for a click on ×: a
/// `WM_PROTOCOLS` client message with `WM_DELETE_WINDOW`. Returns how many were asked.
pub fn close_titled(name: &str) -> usize {
    let (conn, _) = x11rb::connect(None).expect("connect to the X server ($DISPLAY)");
    let protocols = atom(&conn, "WM_PROTOCOLS");
    let delete = atom(&conn, "WM_DELETE_WINDOW");
    let windows = windows_titled(&conn, name);
    for &window in &windows {
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        conn.send_event(false, window, EventMask::NO_EVENT, event)
            .expect("send WM_DELETE_WINDOW");
    }
    conn.flush().expect("flush the X connection");
    windows.len()
}
