//! A small WebDriver client for WebKitWebDriver, which drives the real Herald window.
//!
//! WebDriver is JSON over plain HTTP on loopback; the handful of endpoints a test needs (new
//! session, find, click, type, read text, run a script, screenshot) fit in this file, on the HTTP
//! client the engine already uses.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running `WebKitWebDriver`; killed on drop.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts WebKitWebDriver on a free loopback port. The app it launches inherits `env`.
    pub async fn start(env: &[(&str, &std::ffi::OsStr)]) -> Driver {
        let port = crate::server::dead_port();
        let child = Command::new("WebKitWebDriver")
            .arg(format!("--port={port}"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("WebKitWebDriver (apt package `webkit2gtk-driver`) must be installed");
        let url = format!("http://{}", SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        let driver = Driver { child, url };
        let http = reqwest::Client::new();
        let status = format!("{}/status", driver.url);
        crate::eventually("WebKitWebDriver to listen", Duration::from_secs(20), || {
            // A blocking probe is fine here: this is test setup, bounded by the deadline.
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        })
        .await;
        let ready = http
            .get(&status)
            .send()
            .await
            .map(|r| r.status().is_success());
        assert!(
            matches!(ready, Ok(true)),
            "WebKitWebDriver is not ready: {ready:?}"
        );
        driver
    }

    /// Launches `binary` in a new session.
    pub async fn session(&self, binary: &Path) -> Session {
        self.session_with_args(binary, &[]).await
    }

    /// Launches `binary ARGS…` in a new session.
    pub async fn session_with_args(&self, binary: &Path, args: &[&str]) -> Session {
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "webkitgtk:browserOptions": {"binary": binary, "args": args},
        }}});
        let http = reqwest::Client::new();
        let value = send(
            &http,
            reqwest::Method::POST,
            &format!("{}/session", self.url),
            Some(capabilities),
        )
        .await
        .unwrap_or_else(|e| panic!("cannot start a WebDriver session: {e}"));
        let id = value["sessionId"].as_str().expect("sessionId").to_owned();
        Session {
            http,
            base: format!("{}/session/{id}", self.url),
        }
    }
}

/// An element reference.
#[derive(Debug, Clone)]
pub struct Element(String);

/// A WebDriver session: one running app window.
pub struct Session {
    http: reqwest::Client,
    base: String,
}

impl Session {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        send(&self.http, method, &format!("{}{path}", self.base), body).await
    }

    /// The first element matching a CSS selector that is displayed, waiting up to `timeout`
    /// for it (a person can only use what they can see).
    pub async fn find(&self, css: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        let query = json!({"using": "css selector", "value": css});
        loop {
            let last = match self
                .call(reqwest::Method::POST, "/element", Some(query.clone()))
                .await
            {
                Ok(value) => {
                    let element =
                        Element(value[ELEMENT_KEY].as_str().expect("element id").to_owned());
                    let path = format!("/element/{}/displayed", element.0);
                    match self.call(reqwest::Method::GET, &path, None).await {
                        Ok(Value::Bool(true)) => return element,
                        other => format!("present but not displayed ({other:?})"),
                    }
                }
                Err(e) => e,
            };
            if Instant::now() >= deadline {
                // Say what the window showed instead, so a failure in CI explains itself.
                let script = json!({"script": "return document.body.innerText", "args": []});
                let page = self
                    .call(reqwest::Method::POST, "/execute/sync", Some(script))
                    .await;
                panic!("no element {css} after {timeout:?}: {last}\nthe window showed: {page:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks an element.
    pub async fn click(&self, element: &Element) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .await
        .expect("click");
    }

    /// Clears an input, then types `text` into it.
    pub async fn type_into(&self, element: &Element, text: &str) {
        let id = &element.0;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await
        .expect("clear");
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await
        .expect("type");
    }

    /// The rendered text of an element.
    pub async fn text(&self, element: &Element) -> String {
        let value = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/text", element.0),
                None,
            )
            .await;
        value.expect("text").as_str().unwrap_or_default().to_owned()
    }

    /// Runs a synchronous script in the page and returns its result.
    pub async fn script(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
        .expect("script")
    }

    /// Resizes the window (the platform may round or refuse; the result is what it did).
    pub async fn set_window_size(&self, width: u32, height: u32) -> Value {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await
        .unwrap_or_else(Value::String)
    }

    /// The window's size, as (width, height).
    pub async fn window_size(&self) -> (u64, u64) {
        let rect = self
            .call(reqwest::Method::GET, "/window/rect", None)
            .await
            .expect("the window's rect");
        let side = |k: &str| rect[k].as_u64().unwrap_or_default();
        (side("width"), side("height"))
    }

    /// Saves a PNG screenshot of the window to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let value = self
            .call(reqwest::Method::GET, "/screenshot", None)
            .await
            .expect("screenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().expect("base64 screenshot"))
            .expect("valid base64");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// The handles of the app's open windows (none while it runs in the tray only).
    pub async fn window_handles(&self) -> Vec<String> {
        let value = self
            .call(reqwest::Method::GET, "/window/handles", None)
            .await
            .unwrap_or(Value::Null);
        value
            .as_array()
            .map(|handles| {
                let text = handles.iter().filter_map(Value::as_str);
                text.map(str::to_owned).collect()
            })
            .unwrap_or_default()
    }

    /// Makes the window `handle` the one later commands act on.
    pub async fn switch_to_window(&self, handle: &str) {
        self.call(
            reqwest::Method::POST,
            "/window",
            Some(json!({"handle": handle})),
        )
        .await
        .unwrap_or_else(|e| panic!("switch to window {handle}: {e}"));
    }

    /// Ends the session, which closes the app.
    pub async fn close(self) {
        let _ = self.call(reqwest::Method::DELETE, "", None).await;
    }
}

/// Sends one WebDriver request; `Err` carries the driver's error message.
async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut request = http.request(method, url).timeout(Duration::from_secs(60));
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let ok = response.status().is_success();
    let text = response.text().await.map_err(|e| e.to_string())?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    if ok {
        Ok(json["value"].clone())
    } else {
        let error = &json["value"];
        Err(format!(
            "{}: {}",
            error["error"].as_str().unwrap_or("error"),
            error["message"]
        ))
    }
}
