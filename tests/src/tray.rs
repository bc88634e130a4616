//! A tray host on the test's private bus: what a desktop panel is to Herald's tray icon.
//!
//! [`TrayHost`] owns `org.kde.StatusNotifierWatcher`, the name an app's tray icon
//! (libayatana-appindicator) looks for; the icon registers its StatusNotifierItem there. The
//! test then reads the item as a panel does (its label, its icon file) and its menu over
//! `com.canonical.dbusmenu`, and clicks menu items as a person would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use zbus::{OwnedObjectPath, OwnedVariant, Variant};

/// The registered items: (bus name, object path).
type Items = Arc<Mutex<Vec<(String, String)>>>;

/// The watcher object.
struct Watcher {
    items: Items,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    /// An item registers: libappindicator passes its object path; the bus name is the sender.
    fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        let (name, path) = if service.starts_with('/') {
            (sender, service)
        } else {
            (service, "/StatusNotifierItem".to_owned())
        };
        self.items.lock().unwrap().push((name, path));
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        let items = self.items.lock().unwrap();
        items
            .iter()
            .map(|(name, path)| format!("{name}{path}"))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// A panel's side of the tray; serves until dropped.
pub struct TrayHost {
    items: Items,
    connection: zbus::Connection,
}

impl TrayHost {
    /// The panel goes away (the desktop shows no tray icons from now on).
    pub async fn leave(&self) {
        self.connection
            .release_name("org.kde.StatusNotifierWatcher")
            .await
            .expect("release the watcher's name");
    }

    /// Claims `org.kde.StatusNotifierWatcher` on the bus at `address`.
    pub async fn start(address: &str) -> TrayHost {
        let items = Items::default();
        let watcher = Watcher {
            items: Arc::clone(&items),
        };
        let connection = zbus::connection::Builder::address(address)
            .name("org.kde.StatusNotifierWatcher")
            .serve_at("/StatusNotifierWatcher", watcher)
            .build()
            .await
            .expect("connect to the private bus");
        TrayHost { items, connection }
    }

    /// Waits for the app's tray icon to register, and returns it.
    pub async fn item(&self, timeout: Duration) -> TrayItem {
        let (name, path) = crate::eventually("a tray icon to register", timeout, || {
            self.items.lock().unwrap().last().cloned()
        })
        .await;
        TrayItem {
            connection: self.connection.clone(),
            name,
            path,
        }
    }

    /// How many items registered so far.
    pub fn registered(&self) -> usize {
        self.items.lock().unwrap().len()
    }
}

/// One entry of a tray menu.
#[derive(Debug, Clone)]
pub struct MenuEntry {
    /// The dbusmenu id (what a click sends).
    pub id: i32,
    /// The label ("" for a separator).
    pub label: String,
    /// Whether it can be clicked.
    pub enabled: bool,
    /// A submenu's entries.
    pub children: Vec<MenuEntry>,
}

impl MenuEntry {
    /// This entry and every entry below it, depth first.
    pub fn flatten(&self) -> Vec<&MenuEntry> {
        let mut all = vec![self];
        for child in &self.children {
            all.extend(child.flatten());
        }
        all
    }
}

/// The dbusmenu layout: (id, properties, children as variants of the same).
type Layout = (i32, HashMap<String, OwnedVariant>, Vec<OwnedVariant>);

fn entry(layout: Layout) -> MenuEntry {
    let (id, props, children) = layout;
    let text = |key: &str| {
        props
            .get(key)
            .and_then(|v| <&str>::try_from(&**v).ok().map(str::to_owned))
    };
    let enabled = props
        .get("enabled")
        .and_then(|v| bool::try_from(&**v).ok())
        .unwrap_or(true);
    let children = children
        .into_iter()
        .filter_map(|child| {
            let value = Variant::from(child);
            // A child is a variant holding the same structure.
            let value = match value {
                Variant::Variant(inner) => *inner,
                other => other,
            };
            Layout::try_from(value).ok().map(entry)
        })
        .collect();
    MenuEntry {
        id,
        // GTK's mnemonic marks, as a panel would strip them.
        label: text("label").unwrap_or_default().replace('_', ""),
        enabled,
        children,
    }
}

/// An app's tray icon as a panel sees it.
pub struct TrayItem {
    connection: zbus::Connection,
    name: String,
    path: String,
}

impl TrayItem {
    /// A proxy that reads properties afresh each time: the item changes while the test runs,
    /// and appindicator says so with its own signals, not PropertiesChanged.
    async fn proxy(&self, path: &str, interface: &'static str) -> zbus::Proxy<'static> {
        zbus::proxy::Builder::new(&self.connection)
            .destination(self.name.clone())
            .path(path.to_owned())
            .interface(interface)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .expect("a tray proxy")
    }

    async fn property<T>(&self, name: &str) -> T
    where
        T: serde::de::DeserializeOwned + zbus::Type,
    {
        let proxy = self.proxy(&self.path, "org.kde.StatusNotifierItem").await;
        proxy
            .get_property::<T>(name)
            .await
            .unwrap_or_else(|e| panic!("the tray item's {name}: {e}"))
    }

    /// The text beside the icon (appindicator's label; Herald puts the unread count there).
    pub async fn label(&self) -> String {
        self.property::<String>("XAyatanaLabel").await
    }

    /// The icon's file: IconName is a full path, inside IconThemePath.
    pub async fn icon_file(&self) -> std::path::PathBuf {
        let name: String = self.property("IconName").await;
        let dir: String = self.property("IconThemePath").await;
        let path = std::path::Path::new(&name);
        if path.is_absolute() {
            return path.to_path_buf();
        }
        std::path::Path::new(&dir).join(format!("{name}.png"))
    }

    /// The whole menu, as a panel reads it before showing it.
    pub async fn menu(&self) -> MenuEntry {
        let menu_path: OwnedObjectPath = self.property("Menu").await;
        let menu = self
            .proxy(menu_path.as_str(), "com.canonical.dbusmenu")
            .await;
        let _: bool = menu.call("AboutToShow", &(0i32,)).await.unwrap_or(false);
        let (_revision, layout): (u32, Layout) = menu
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .await
            .expect("the tray menu's layout");
        entry(layout)
    }

    /// The menu entry whose label starts with `label`, if any.
    pub async fn find(&self, label: &str) -> Option<MenuEntry> {
        let menu = self.menu().await;
        menu.flatten()
            .into_iter()
            .find(|e| e.label.starts_with(label))
            .cloned()
    }

    /// Waits until an entry's label starts with `label`, and returns it.
    pub async fn wait_entry(&self, label: &str, timeout: Duration) -> MenuEntry {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(found) = self.find(label).await {
                return found;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no tray menu entry {label:?} within {timeout:?}; the menu: {:?}",
                self.menu()
                    .await
                    .flatten()
                    .iter()
                    .map(|e| &e.label)
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the entry whose label starts with `label`, as a panel does when the user picks it.
    pub async fn click(&self, label: &str) {
        let found = self.wait_entry(label, Duration::from_secs(20)).await;
        assert!(found.enabled, "the tray entry {label:?} is disabled");
        let menu_path: OwnedObjectPath = self.property("Menu").await;
        let menu = self
            .proxy(menu_path.as_str(), "com.canonical.dbusmenu")
            .await;
        let data = Variant::from(0i32);
        let () = menu
            .call("Event", &(found.id, "clicked", data, 0u32))
            .await
            .unwrap_or_else(|e| panic!("click the tray entry {label:?}: {e}"));
    }
}
