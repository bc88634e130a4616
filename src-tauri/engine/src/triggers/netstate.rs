//! Telling a real network change from the chatter on a `NETLINK_ROUTE` socket.
//!
//! The kernel reports far more than connectivity changes: Wi-Fi scan results (link messages
//! carrying `IFLA_WIRELESS`), address lifetimes refreshed by router advertisements, routes to
//! container networks. Reconnecting every feed for each of those would drop every connection
//! every minute or two on a laptop. So the watcher keeps what it has been told — which links are
//! online, which addresses and default routes exist — and only a change to that counts. A link
//! counts only if a default route goes through it: a container's virtual interface coming up
//! changes nothing for a feed.
//!
//! The messages are parsed by hand: a few fixed headers (`linux/rtnetlink.h`) and their
//! attributes, each checked against the buffer's length.

use std::collections::HashSet;

/// Message types (`linux/rtnetlink.h`).
const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
/// A request failed (the answer to a dump request the kernel refused).
const NLMSG_ERROR: u16 = 2;
/// The last message of a dump.
const NLMSG_DONE: u16 = 3;

/// Attribute types.
const IFLA_WIRELESS: u16 = 11;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_TABLE: u16 = 15;

/// Link flags (`linux/if.h`).
const IFF_UP: u32 = 0x1;
const IFF_LOOPBACK: u32 = 0x8;
const IFF_RUNNING: u32 = 0x40;

/// `RTN_UNICAST`: a route to a gateway or a directly attached network.
const RTN_UNICAST: u8 = 1;

/// Sizes of the fixed headers.
const NLMSG_HDRLEN: usize = 16;
const IFINFOMSG_LEN: usize = 16;
const IFADDRMSG_LEN: usize = 8;
const RTMSG_LEN: usize = 12;

/// What the kernel has said about the network so far.
#[derive(Debug, Default)]
pub(super) struct NetState {
    /// Links that are up and running (loopback aside), by interface index.
    online_links: HashSet<i32>,
    /// Addresses: interface index, family, prefix length, address bytes.
    addresses: HashSet<(u32, u8, u8, Vec<u8>)>,
    /// Default routes: family, table, output interface, gateway, priority.
    default_routes: HashSet<(u8, u32, u32, Vec<u8>, u32)>,
}

/// What a buffer of messages did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Applied {
    /// Some message changed what connections depend on.
    pub changed: bool,
    /// The buffer held the end of a dump (or the kernel's refusal to make one).
    pub done: bool,
}

impl NetState {
    /// Takes in one buffer of netlink messages, as `recv` returned it.
    pub(super) fn apply(&mut self, buf: &[u8]) -> Applied {
        let mut applied = Applied::default();
        let mut rest = buf;
        while rest.len() >= NLMSG_HDRLEN {
            let len = u32_at(rest, 0) as usize;
            let kind = u16_at(rest, 4);
            if len < NLMSG_HDRLEN || len > rest.len() {
                break; // malformed: ignore the rest of the buffer
            }
            let payload = &rest[NLMSG_HDRLEN..len];
            applied.changed |= self.message(kind, payload);
            applied.done |= kind == NLMSG_DONE || kind == NLMSG_ERROR;
            rest = rest.get(align(len)..).unwrap_or_default();
        }
        applied
    }

    /// One message; true if it changed the state.
    fn message(&mut self, kind: u16, payload: &[u8]) -> bool {
        match kind {
            RTM_NEWLINK | RTM_DELLINK if payload.len() >= IFINFOMSG_LEN => {
                let index = u32_at(payload, 4) as i32;
                let flags = u32_at(payload, 8);
                let attrs = attributes(&payload[IFINFOMSG_LEN..]);
                if kind == RTM_NEWLINK && attrs.clone().any(|(t, _)| t == IFLA_WIRELESS) {
                    return false; // Wi-Fi chatter (scan results, signal): not a change of link
                }
                let online = kind == RTM_NEWLINK
                    && flags & (IFF_UP | IFF_RUNNING) == IFF_UP | IFF_RUNNING
                    && flags & IFF_LOOPBACK == 0;
                let flipped = if online {
                    self.online_links.insert(index)
                } else {
                    self.online_links.remove(&index)
                };
                flipped && self.default_routes.iter().any(|r| r.2 == index as u32)
            }
            RTM_NEWADDR | RTM_DELADDR if payload.len() >= IFADDRMSG_LEN => {
                let (family, prefix, index) = (payload[0], payload[1], u32_at(payload, 4));
                let mut address = None;
                for (t, value) in attributes(&payload[IFADDRMSG_LEN..]) {
                    // IFA_LOCAL is the interface's own address where the two differ
                    // (point-to-point links).
                    if t == IFA_LOCAL || (t == IFA_ADDRESS && address.is_none()) {
                        address = Some(value.to_vec());
                    }
                }
                let key = (index, family, prefix, address.unwrap_or_default());
                if kind == RTM_NEWADDR {
                    self.addresses.insert(key) // a known address again: a lifetime refresh
                } else {
                    self.addresses.remove(&key)
                }
            }
            RTM_NEWROUTE | RTM_DELROUTE if payload.len() >= RTMSG_LEN => {
                let (family, dst_len, table, route_type) =
                    (payload[0], payload[1], payload[4], payload[7]);
                if dst_len != 0 || route_type != RTN_UNICAST {
                    return false; // not a default route: a container network, a local route…
                }
                let (mut table, mut oif, mut gateway, mut priority) =
                    (u32::from(table), 0, Vec::new(), 0);
                for (t, value) in attributes(&payload[RTMSG_LEN..]) {
                    match t {
                        RTA_TABLE if value.len() >= 4 => table = u32_at(value, 0),
                        RTA_OIF if value.len() >= 4 => oif = u32_at(value, 0),
                        RTA_PRIORITY if value.len() >= 4 => priority = u32_at(value, 0),
                        RTA_GATEWAY => gateway = value.to_vec(),
                        _ => {}
                    }
                }
                let key = (family, table, oif, gateway, priority);
                if kind == RTM_NEWROUTE {
                    self.default_routes.insert(key)
                } else {
                    self.default_routes.remove(&key)
                }
            }
            _ => false,
        }
    }
}

/// The attributes (`struct rtattr`: length, type, value) in `bytes`, as (type, value).
fn attributes(bytes: &[u8]) -> impl Iterator<Item = (u16, &[u8])> + Clone {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.len() < 4 {
            return None;
        }
        let len = usize::from(u16_at(rest, 0));
        if len < 4 || len > rest.len() {
            return None;
        }
        let item = (u16_at(rest, 2), &rest[4..len]);
        rest = rest.get(align(len)..).unwrap_or_default();
        Some(item)
    })
}

/// Netlink aligns every message and attribute to four bytes.
fn align(len: usize) -> usize {
    (len + 3) & !3
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One netlink message: header, fixed part, attributes.
    fn message(kind: u16, fixed: &[u8], attrs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = fixed.to_vec();
        for (t, value) in attrs {
            let len = 4 + value.len();
            body.extend_from_slice(&(len as u16).to_ne_bytes());
            body.extend_from_slice(&t.to_ne_bytes());
            body.extend_from_slice(value);
            body.resize(align(body.len()), 0);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes());
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(&[0; 10]); // flags, sequence, port
        out.extend_from_slice(&body);
        out
    }

    fn link(kind: u16, index: i32, flags: u32, attrs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut fixed = vec![0u8; 4];
        fixed.extend_from_slice(&index.to_ne_bytes());
        fixed.extend_from_slice(&flags.to_ne_bytes());
        fixed.extend_from_slice(&[0; 4]);
        message(kind, &fixed, attrs)
    }

    fn address(kind: u16, index: u32, addr: [u8; 4]) -> Vec<u8> {
        let mut fixed = vec![2, 24, 0, 0]; // AF_INET, /24, flags, scope
        fixed.extend_from_slice(&index.to_ne_bytes());
        message(kind, &fixed, &[(IFA_LOCAL, &addr), (IFA_ADDRESS, &addr)])
    }

    fn route(kind: u16, dst_len: u8, gateway: [u8; 4]) -> Vec<u8> {
        let fixed = [2, dst_len, 0, 0, 254, 4, 0, RTN_UNICAST, 0, 0, 0, 0];
        message(
            kind,
            &fixed,
            &[(RTA_GATEWAY, &gateway), (RTA_OIF, &2u32.to_ne_bytes())],
        )
    }

    /// Applies each message alone and says which ones changed the state.
    fn changes(state: &mut NetState, messages: &[Vec<u8>]) -> Vec<bool> {
        messages.iter().map(|m| state.apply(m).changed).collect()
    }

    const ONLINE: u32 = IFF_UP | IFF_RUNNING;

    #[test]
    fn links_count_when_they_go_on_or_offline() {
        let mut state = NetState::default();
        state.apply(&route(RTM_NEWROUTE, 0, [192, 168, 1, 1])); // the default route: via link 2
        let got = changes(
            &mut state,
            &[
                link(RTM_NEWLINK, 2, ONLINE, &[]),
                link(RTM_NEWLINK, 2, ONLINE, &[]), // the same again: nothing new
                link(RTM_NEWLINK, 2, IFF_UP, &[]), // carrier lost
                link(RTM_NEWLINK, 2, ONLINE, &[]),
                link(RTM_DELLINK, 2, 0, &[]),
                link(RTM_NEWLINK, 1, ONLINE | IFF_LOOPBACK, &[]),
            ],
        );
        assert_eq!(got, [true, false, true, true, true, false]);
    }

    #[test]
    fn links_without_a_default_route_do_not_count() {
        let mut state = NetState::default();
        state.apply(&route(RTM_NEWROUTE, 0, [192, 168, 1, 1])); // via link 2
        // A container's virtual interface (link 7) comes and goes.
        let got = changes(
            &mut state,
            &[
                link(RTM_NEWLINK, 7, ONLINE, &[]),
                link(RTM_DELLINK, 7, 0, &[]),
            ],
        );
        assert_eq!(got, [false, false]);
    }

    #[test]
    fn wifi_chatter_is_not_a_change() {
        let mut state = NetState::default();
        state.apply(&link(RTM_NEWLINK, 3, ONLINE, &[]));
        // A scan result arrives as a link message with flags that may say anything.
        let scan = link(RTM_NEWLINK, 3, IFF_UP, &[(IFLA_WIRELESS, &[0; 8])]);
        assert!(!state.apply(&scan).changed);
        assert!(state.online_links.contains(&3));
    }

    #[test]
    fn addresses_count_when_added_or_removed_not_when_refreshed() {
        let mut state = NetState::default();
        let got = changes(
            &mut state,
            &[
                address(RTM_NEWADDR, 2, [192, 168, 1, 5]),
                address(RTM_NEWADDR, 2, [192, 168, 1, 5]), // lifetime refresh
                address(RTM_NEWADDR, 2, [192, 168, 1, 6]),
                address(RTM_DELADDR, 2, [192, 168, 1, 5]),
                address(RTM_DELADDR, 2, [192, 168, 1, 5]),
            ],
        );
        assert_eq!(got, [true, false, true, true, false]);
    }

    #[test]
    fn only_default_routes_count() {
        let mut state = NetState::default();
        let got = changes(
            &mut state,
            &[
                route(RTM_NEWROUTE, 0, [192, 168, 1, 1]),
                route(RTM_NEWROUTE, 0, [192, 168, 1, 1]), // refreshed by an advertisement
                route(RTM_NEWROUTE, 16, [172, 17, 0, 1]), // a container network
                route(RTM_DELROUTE, 16, [172, 17, 0, 1]),
                route(RTM_NEWROUTE, 0, [10, 0, 0, 1]), // another gateway
                route(RTM_DELROUTE, 0, [192, 168, 1, 1]),
            ],
        );
        assert_eq!(got, [true, false, false, false, true, true]);
    }

    #[test]
    fn a_buffer_of_several_messages_and_the_end_of_a_dump() {
        let mut state = NetState::default();
        let mut buf = address(RTM_NEWADDR, 2, [10, 1, 1, 1]);
        buf.extend(link(RTM_NEWLINK, 2, ONLINE, &[]));
        buf.extend(message(NLMSG_DONE, &[0; 4], &[]));
        assert_eq!(
            state.apply(&buf),
            Applied {
                changed: true,
                done: true
            }
        );
        assert_eq!(state.addresses.len(), 1);
        assert_eq!(state.online_links.len(), 1);
    }

    #[test]
    fn malformed_input_is_ignored_not_trusted() {
        let mut state = NetState::default();
        let good = address(RTM_NEWADDR, 2, [10, 1, 1, 1]);
        for cut in 0..good.len() {
            // Any truncation: no panic, and nothing half-read counts as an address.
            assert!(!state.apply(&good[..cut]).changed, "cut at {cut}");
        }
        let mut lying = good.clone();
        lying[0] = 0xFF; // a length past the end of the buffer
        assert!(!state.apply(&lying).changed);
    }
}
