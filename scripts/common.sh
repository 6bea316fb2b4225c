# Shared by the scripts: checks the toolchain and installs the system packages Tessera needs.
# Sourced, not run.

# System packages (Debian names): PostgreSQL for storage (the embedded cluster uses its binaries).
# Bullet (libbullet-dev, found through pkg-config) for the physics worlds.
# Chromium (headless) and its WebDriver (chromium-driver), and Firefox (firefox-esr), for the
# dashboard's and the web viewer's browser tests; three.js (libjs-three), which every client
# manager serves to the web viewer from its installed files; Node.js for the viewer's JavaScript
# unit tests; prometheus for promtool (metrics format check).
# Lua 5.4 for the baseline of `tessera bench lsl`. gcc builds a C extension of the Python Second
# Life client of the LLUDP tests (scripts/sl-client-venv.sh). iproute2, curl and python3 for the
# multi-host test in network namespaces (scripts/multihost-test.sh).
TESSERA_APT_PACKAGES=(postgresql libbullet-dev pkg-config chromium chromium-driver firefox-esr libjs-three nodejs prometheus lua5.4 gcc iproute2 curl python3)

tessera_require_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    echo "error: swift is not on PATH. Install Swift 6.1 or newer (swift.org) and retry." >&2
    exit 1
  fi
}

tessera_install_packages() {
  local missing=()
  for package in "${TESSERA_APT_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update
    $sudo apt-get install -y "${missing[@]}"
  fi
}
