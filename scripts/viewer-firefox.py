#!/usr/bin/env python3
"""Checks the web viewer in Firefox: starts a headless Firefox (Debian's firefox-esr) with its
built-in remote protocol (Marionette), opens a viewer page, logs in with a name and password
through the login form, waits until the page is in the world and draws the avatars, prints
what the page shows and saves a screenshot.

    scripts/viewer-firefox.py http://127.0.0.1:9000/viewer/ NAME PASSWORD [--screenshot FILE] [--avatars N]

Prints one JSON line (state, avatars and objects drawn, region, frames, the login error) and
exits 0 when the page reached the world with at least N avatars drawn (1 by default), 1 otherwise. Only the
standard library: Marionette is a length-prefixed JSON protocol on a local TCP port.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Marionette:
    def __init__(self, port):
        deadline = time.time() + 60
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        self.next_id = 0
        self.buffer = b""
        self.read()  # the server's greeting

    def read(self):
        while b":" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        length, _, rest = self.buffer.partition(b":")
        length = int(length)
        while len(rest) < length:
            rest += self.sock.recv(65536)
        self.buffer = rest[length:]
        return json.loads(rest[:length])

    def call(self, name, parameters=None):
        self.next_id += 1
        body = json.dumps([0, self.next_id, name, parameters or {}]).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            reply = self.read()
            if reply[0] == 1 and reply[1] == self.next_id:
                if reply[2]:
                    raise RuntimeError(f"{name}: {reply[2]}")
                return reply[3]

    def element(self, selector):
        return self.call("WebDriver:FindElement", {"using": "css selector", "value": selector})["value"][ELEMENT]

    def script(self, source):
        return self.call("WebDriver:ExecuteScript", {"script": source, "args": []})["value"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("name")
    parser.add_argument("password")
    parser.add_argument("--screenshot", default="artifacts/viewer-firefox.png")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--avatars", type=int, default=1, help="wait until the page draws at least this many avatars")
    arguments = parser.parse_args()
    firefox = shutil.which("firefox-esr") or shutil.which("firefox")
    if not firefox:
        print("error: Firefox is not installed (apt-get install -y firefox-esr)", file=sys.stderr)
        return 1
    profile = tempfile.mkdtemp(prefix="tessera-firefox-")
    port = 2828 + os.getpid() % 1000
    with open(os.path.join(profile, "user.js"), "w") as prefs:
        prefs.write(f'user_pref("marionette.port", {port});\n')
        prefs.write('user_pref("webgl.force-enabled", true);\n')
    # Headless Firefox draws WebGL through Mesa's software renderer over EGL.
    environment = dict(os.environ, LIBGL_ALWAYS_SOFTWARE="1", MOZ_WEBGL_FORCE_EGL="1")
    browser = subprocess.Popen(
        [firefox, "--headless", "--marionette", "--no-remote", "--profile", profile, "--width", "1280", "--height", "800"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    try:
        session = Marionette(port)
        session.call("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": True}}})
        session.call("WebDriver:SetWindowRect", {"width": 1280, "height": 800})
        session.call("WebDriver:Navigate", {"url": arguments.url})
        for selector, text in (("#login-name", arguments.name), ("#login-password", arguments.password)):
            element = session.element(selector)
            session.call("WebDriver:ElementClear", {"id": element})
            session.call("WebDriver:ElementSendKeys", {"id": element, "text": text})
        session.call("WebDriver:ElementClick", {"id": session.element("#login-submit")})
        deadline = time.time() + arguments.timeout
        seen = {}
        while time.time() < deadline:
            seen = session.script("""
                const view = document.querySelector('#view');
                return { state: document.body.dataset.state, avatars: Number(view?.dataset.avatars ?? 0),
                         objects: Number(view?.dataset.objects ?? 0), region: view?.dataset.region ?? '',
                         frames: Number(view?.dataset.frames ?? 0), error: document.querySelector('#login-error')?.textContent ?? '',
                         webgl: !!document.createElement('canvas').getContext('webgl') };""")
            if seen.get("state") == "world" and seen.get("avatars", 0) >= arguments.avatars and seen.get("frames", 0) > 30:
                break
            time.sleep(0.5)
        time.sleep(2)
        os.makedirs(os.path.dirname(arguments.screenshot) or ".", exist_ok=True)
        png = session.call("WebDriver:TakeScreenshot", {"full": False})["value"]
        with open(arguments.screenshot, "wb") as file:
            file.write(base64.b64decode(png))
        print(json.dumps({"browser": "firefox", **seen, "screenshot": arguments.screenshot}))
        ok = seen.get("state") == "world" and seen.get("avatars", 0) >= arguments.avatars
        session.call("WebDriver:DeleteSession")
        return 0 if ok else 1
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
