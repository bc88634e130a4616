# Shared helpers for Herald's scripts: timed stages and idempotent package installs.
# Sourced by .ci/test and .ci/herald; not meant to be run.

# The apt packages Tauri v2 needs to build (see shared/TOOLCHAIN.md), and libdbus for the keychain
# (the Secret Service client).
HERALD_BUILD_PACKAGES="libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev pkg-config libdbus-1-dev"
# Headless runs and the end-to-end suite: X server, session bus, WebDriver for WebKitGTK; `ip` and
# `unshare` for the network-change test (it runs in a network namespace of its own); an emoji font,
# so the screenshots show the emoji ntfy tags become; a real keychain (gnome-keyring) and
# `secret-tool` to look into it, for the header-value tests.
HERALD_TEST_PACKAGES="xvfb xauth dbus webkit2gtk-driver iproute2 util-linux fonts-noto-color-emoji gnome-keyring libsecret-tools"

HERALD_T0=$(date +%s)

# stage NAME COMMAND...: runs COMMAND, printing how long it took; stops the script on failure.
stage() {
  local name=$1 start status
  shift
  start=$(date +%s)
  echo
  echo "=== $name"
  if "$@"; then status=0; else status=$?; fi
  echo "=== $name: $(( $(date +%s) - start )) s (total $(( $(date +%s) - HERALD_T0 )) s)"
  if [ "$status" -ne 0 ]; then
    echo "=== FAILED: $name (exit $status)" >&2
    exit "$status"
  fi
}

# as_root COMMAND...: runs COMMAND as root, through sudo when we are not root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_apt PACKAGE...: installs the packages dpkg does not report as installed.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "apt packages already installed"
    return 0
  fi
  echo "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
}

# ensure_rust: cargo must be there; rustup is the supported way to get a current toolchain.
ensure_rust() {
  if ! command -v cargo >/dev/null; then
    echo "Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
    return 1
  fi
  cargo --version
}
