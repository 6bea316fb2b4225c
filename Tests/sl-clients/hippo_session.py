#!/usr/bin/env python3
"""Drives one Second Life client session against a Tessera grid with hippolyzer's HippoClient.

The independent client for the LLUDP integration test: it logs in over XML-RPC, then runs steps
and prints one JSON object per step on stdout (flushed), e.g. {"step": "login", "ok": true, ...}.
Logging goes to stderr. The first failing step prints {"step": ..., "ok": false, "error": ...}
and the process exits with status 1 (after a best-effort logout).

Two ways to run it:

* Commands from stdin (main interface; a test interleaves them with other clients), one per line,
  each answered by exactly one JSON line:
      wait-avatar FIRST LAST      an avatar with that name (ObjectUpdate PCode 47 + NameValue)
      say TEXT                    ChatFromViewer on channel 0 (normal say), waits for its ACK
      say-channel N TEXT          the same on channel N
      wait-chat TEXT              a ChatFromSimulator from someone else whose message contains TEXT
      walk-east [SECONDS]         AgentUpdate AT_POS facing east until the main region changes
      teleport RX RY X Y Z        to the region whose corner is (RX, RY) metres, local (X, Y, Z)
      position                    own region handle, region name and position
      avatars                     every avatar known, with names and positions
      timeout SECONDS             the bound of every later wait
      logout                      LogoutRequest, waits for LogoutReply, closes; then exits 0
  End of input without `logout` logs out as well.
      python3 hippo_session.py --login-uri http://127.0.0.1:PORT/ --first A --last B \
          --password P --region NAME --commands

* Scripted: the same steps from options, in this order (each only if given): --expect-avatar,
  --say, --expect-chat, --walk-east, --teleport-region-x/--teleport-region-y, then logout.

`--self-check` imports everything, builds the messages it would send, and exits 0.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import shlex
import sys
import threading
import time
import urllib.parse
from typing import Any, Callable, Dict, List, Optional

LOG = logging.getLogger("hippo_session")

# AgentControlFlags.AT_POS: walk forward, along the body rotation's x axis.
AGENT_CONTROL_AT_POS = 1
# ChatType.NORMAL (say).
CHAT_TYPE_NORMAL = 1


class StepFailed(Exception):
    """A step could not complete; the message says what was wrong."""


def emit(step: str, ok: bool, **fields: Any) -> None:
    record: Dict[str, Any] = {"step": step, "ok": ok}
    record.update(fields)
    sys.stdout.write(json.dumps(record, sort_keys=False) + "\n")
    sys.stdout.flush()


def text_of(value: Any) -> str:
    """A template text field as str (hippolyzer returns str, or bytes when it is not NUL-terminated)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.rstrip("\x00")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).split(b"\x00", 1)[0].decode("utf-8", errors="replace")
    return str(value)


def vec(v: Any) -> Optional[List[float]]:
    if v is None:
        return None
    return [round(float(c), 3) for c in (v.X, v.Y, v.Z)]


def split_handle(handle: Optional[int]) -> Optional[List[int]]:
    if handle is None:
        return None
    return [handle >> 32, handle & 0xFFFFFFFF]


class Session:
    """One logged-in HippoClient plus what the steps need to observe."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.timeout: float = args.timeout
        self.client = None  # HippoClient
        self.chat: List[Dict[str, Any]] = []
        self.chat_consumed = 0
        self.chat_event = asyncio.Event()
        self.logged_out = False

    # ---- helpers -------------------------------------------------------------------------

    @property
    def agent_id(self):
        return self.client.session.agent_id

    def main_region(self):
        region = self.client.main_region
        if region is None:
            raise StepFailed("no main region (the session has no region it completed movement into)")
        return region

    def own_avatar_state(self) -> Dict[str, Any]:
        """Own position as hippolyzer sees it: from our avatar's ObjectUpdate/terse updates."""
        session = self.client.session
        avatar = session.objects.lookup_avatar(session.agent_id)
        state: Dict[str, Any] = {"position": None, "position_handle": None}
        if avatar is None:
            return state
        try:
            state["position"] = vec(avatar.RegionPosition)
        except ValueError:
            return state
        state["position_handle"] = avatar.RegionHandle
        state["position_source"] = avatar.LocationType.name.lower()
        return state

    def where(self) -> Dict[str, Any]:
        region = self.client.main_region
        info: Dict[str, Any] = {
            "region": region.name if region is not None else None,
            "handle": region.handle if region is not None else None,
            "region_corner": split_handle(region.handle) if region is not None else None,
            "sim": f"{region.circuit_addr[0]}:{region.circuit_addr[1]}" if region is not None else None,
        }
        info.update(self.own_avatar_state())
        return info

    async def wait_until(self, what: str, predicate: Callable[[], Any], timeout: float,
                         interval: float = 0.05) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise StepFailed(f"timed out after {timeout:g} s waiting for {what}")
            await asyncio.sleep(interval)

    async def bounded(self, what: str, awaitable, timeout: Optional[float] = None):
        limit = self.timeout if timeout is None else timeout
        try:
            return await asyncio.wait_for(awaitable, limit)
        except asyncio.TimeoutError:
            raise StepFailed(f"timed out after {limit:g} s waiting for {what}") from None

    def agent_update(self, control_flags: int, reliable: bool = False):
        from hippolyzer.lib.base.datatypes import Quaternion, Vector3
        from hippolyzer.lib.base.message.message import Block, Message
        from hippolyzer.lib.base.message.msgtypes import PacketFlags

        session = self.client.session
        position = self.own_avatar_state()["position"] or [128.0, 128.0, 25.0]
        message = Message(
            "AgentUpdate",
            Block(
                "AgentData",
                AgentID=session.agent_id,
                SessionID=session.id,
                # Facing east: the identity rotation looks along +x.
                BodyRotation=Quaternion(0.0, 0.0, 0.0, 1.0),
                HeadRotation=Quaternion(0.0, 0.0, 0.0, 1.0),
                State=0,
                CameraCenter=Vector3(position[0] - 3.0, position[1], position[2] + 1.5),
                CameraAtAxis=Vector3(1.0, 0.0, 0.0),
                CameraLeftAxis=Vector3(0.0, 1.0, 0.0),
                CameraUpAxis=Vector3(0.0, 0.0, 1.0),
                Far=64.0,
                ControlFlags=control_flags,
                Flags=0,
            ),
            flags=PacketFlags.RELIABLE if reliable else 0,
        )
        circuit = self.client.main_circuit
        if reliable:
            return circuit.send_reliable(message)
        circuit.send(message)
        return None

    def on_chat(self, message) -> None:
        try:
            data = message["ChatData"][0]
            line = {
                "from_name": text_of(data["FromName"]),
                "source_id": str(data["SourceID"]),
                "source_type": int(data["SourceType"]),
                "chat_type": int(data["ChatType"]),
                "message": text_of(data["Message"]),
                "position": vec(data["Position"]),
            }
        except Exception as error:  # a malformed ChatFromSimulator is a finding, keep it
            line = {"error": f"could not read ChatFromSimulator: {error!r}"}
        self.chat.append(line)
        self.chat_event.set()

    # ---- steps -----------------------------------------------------------------------------

    async def login(self) -> Dict[str, Any]:
        from hippolyzer.lib.client.hippo_client import HippoClient

        args = self.args
        self.client = HippoClient()
        self.client.settings.AUTO_REQUEST_PARCELS = False
        self.client.settings.AUTO_REQUEST_MATERIALS = False
        if args.start:
            start = args.start
        else:
            start = f"uri:{args.region}&{args.x:g}&{args.y:g}&{args.z:g}"
        username = f"{args.first} {args.last}"
        try:
            await self.bounded("login and the first region's handshake", self.client.login(
                username, args.password, login_uri=args.login_uri, start_location=start), args.login_timeout)
        except StepFailed:
            raise
        except KeyError as error:
            # hippolyzer reads the reply's keys without checking `login`: a refusal lands here.
            raise StepFailed(f"login refused or reply incomplete (missing key {error})") from None
        except Exception as error:
            raise StepFailed(f"login failed: {type(error).__name__}: {error}") from None
        self.client.session.message_handler.subscribe("ChatFromSimulator", self.on_chat)
        region = self.main_region()
        result = {
            "agent_id": str(self.agent_id),
            "start": start,
            "circuit_code": self.client.session.circuit_code,
            "seed_caps": sorted(k for k in region.cap_urls.keys() if k != "Seed"),
        }
        result.update(self.where())
        return result

    async def wait_avatar(self, name: str) -> Dict[str, Any]:
        wanted = " ".join(name.split())
        if len(wanted.split(" ")) != 2:
            raise StepFailed(f"wait-avatar needs 'First Last', got {name!r}")

        def find():
            for avatar in self.client.session.objects.all_avatars:
                if avatar.FullID == self.agent_id or avatar.Object is None:
                    continue
                name_values = avatar.Object.NameValue
                if not name_values:
                    continue
                names = name_values.to_dict()
                full = f"{names.get('FirstName', '')} {names.get('LastName', '')}"
                if full == wanted:
                    return avatar
            return None

        avatar = await self.wait_until(f"avatar {wanted!r} in the object list", find, self.timeout)
        position = None
        try:
            position = vec(avatar.RegionPosition)
        except ValueError:
            pass
        return {
            "name": wanted,
            "full_id": str(avatar.FullID),
            "local_id": avatar.Object.LocalID,
            "pcode": int(avatar.Object.PCode),
            "handle": avatar.RegionHandle,
            "position": position,
        }

    async def say(self, text: str, channel: int = 0) -> Dict[str, Any]:
        ack = self.client.send_chat(text, channel=channel, chat_type=CHAT_TYPE_NORMAL)
        await self.bounded("the ACK of ChatFromViewer", ack)
        return {"text": text, "channel": channel}

    async def wait_chat(self, text: str) -> Dict[str, Any]:
        own = str(self.agent_id)
        deadline = time.monotonic() + self.timeout
        while True:
            while self.chat_consumed < len(self.chat):
                line = self.chat[self.chat_consumed]
                self.chat_consumed += 1
                if "error" in line:
                    raise StepFailed(line["error"])
                if line["source_id"] != own and text in line["message"]:
                    return dict(line)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [l.get("message") for l in self.chat]
                raise StepFailed(f"timed out after {self.timeout:g} s waiting for chat containing {text!r}; "
                                 f"chat seen: {seen!r}")
            self.chat_event.clear()
            try:
                await asyncio.wait_for(self.chat_event.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def walk_east(self, limit: float) -> Dict[str, Any]:
        start_region = self.main_region()
        start_handle = start_region.handle
        start = self.where()
        samples: List[Dict[str, Any]] = []
        began = time.monotonic()
        last_sample = -1.0
        crossed = None
        while time.monotonic() - began < limit:
            self.agent_update(AGENT_CONTROL_AT_POS)
            elapsed = time.monotonic() - began
            if elapsed - last_sample >= 0.5 and len(samples) < 400:
                state = self.own_avatar_state()
                samples.append({"t": round(elapsed, 2), "handle": state["position_handle"],
                                "position": state["position"]})
                last_sample = elapsed
            region = self.client.main_region
            if region is not None and region.handle != start_handle:
                crossed = region
                break
            await asyncio.sleep(0.1)
        if crossed is None:
            # Stop walking before reporting the failure.
            self.agent_update(0)
            state = self.own_avatar_state()
            raise StepFailed(f"no border crossing within {limit:g} s (still in handle {start_handle}, "
                             f"last position {state['position']})")
        crossed_after = round(time.monotonic() - began, 2)
        # The new region must finish its handshake (RegionHandshake, seed caps) like at login.
        await self.bounded("the new region's handshake after the crossing", asyncio.shield(crossed.connected))
        await self.bounded("the ACK of the stopping AgentUpdate", self.agent_update(0, reliable=True))
        new_handle = crossed.handle

        def in_new_region():
            state = self.own_avatar_state()
            return state if state["position_handle"] == new_handle and state["position"] else None

        state = await self.wait_until("own avatar's position in the new region (ObjectUpdate with our FullID)",
                                      in_new_region, self.timeout)
        return {
            "from_handle": start_handle,
            "from_region": start_region.name,
            "from_position": start["position"],
            "to_handle": new_handle,
            "to_region_corner": split_handle(new_handle),
            "to_region": crossed.name,
            "to_sim": f"{crossed.circuit_addr[0]}:{crossed.circuit_addr[1]}",
            "position": state["position"],
            "crossed_after_s": crossed_after,
            "samples": samples,
        }

    async def teleport(self, region_x: int, region_y: int, x: float, y: float, z: float) -> Dict[str, Any]:
        from hippolyzer.lib.base.datatypes import Vector3

        if region_x < 0 or region_y < 0 or region_x > 0xFFFFFFFF or region_y > 0xFFFFFFFF:
            raise StepFailed(f"region corner out of range: {region_x}, {region_y}")
        handle = (region_x << 32) | region_y
        from_handle = self.main_region().handle
        done = self.client.teleport(handle, Vector3(x, y, z))
        try:
            await self.bounded("TeleportFinish/TeleportLocal and the new region's handshake", done)
        except StepFailed:
            raise
        except Exception as error:
            raise StepFailed(f"teleport failed: {type(error).__name__}: {error}") from None
        region = self.main_region()
        if region.handle != handle:
            raise StepFailed(f"teleport completed but the main region is handle {region.handle}, not {handle}")

        def arrived():
            state = self.own_avatar_state()
            return state if state["position_handle"] == handle and state["position"] else None

        state = await self.wait_until("own avatar's position in the teleport's region", arrived, self.timeout)
        return {
            "from_handle": from_handle,
            "to_handle": handle,
            "to_region_corner": [region_x, region_y],
            "to_region": region.name,
            "to_sim": f"{region.circuit_addr[0]}:{region.circuit_addr[1]}",
            "requested_position": [x, y, z],
            "position": state["position"],
        }

    def avatars(self) -> Dict[str, Any]:
        listed = []
        for avatar in self.client.session.objects.all_avatars:
            entry: Dict[str, Any] = {"full_id": str(avatar.FullID), "handle": avatar.RegionHandle,
                                     "has_object": avatar.Object is not None, "self": avatar.FullID == self.agent_id}
            if avatar.Object is not None and avatar.Object.NameValue:
                names = avatar.Object.NameValue.to_dict()
                entry["name"] = f"{names.get('FirstName', '')} {names.get('LastName', '')}"
            try:
                entry["position"] = vec(avatar.RegionPosition)
            except ValueError:
                entry["position"] = None
            listed.append(entry)
        return {"avatars": listed}

    async def logout(self) -> Dict[str, Any]:
        from hippolyzer.lib.base.message.message import Block, Message

        session = self.client.session
        circuit = self.client.main_circuit
        if session is None or circuit is None:
            raise StepFailed("not logged in")
        reply = session.message_handler.wait_for(("LogoutReply",), take=False)
        # Reliable, unlike HippoClient.logout(): the test wants the server to get it and answer.
        circuit.send_reliable(Message("LogoutRequest", Block("AgentData", AgentID=session.agent_id,
                                                                SessionID=session.id)))
        message = await self.bounded("LogoutReply", reply)
        replied_agent = str(message["AgentData"][0]["AgentID"])
        # LogoutRequest has been answered: close without HippoClient sending a second one.
        circuit.is_alive = False
        await self.close()
        if replied_agent != str(session.agent_id):
            raise StepFailed(f"LogoutReply for agent {replied_agent}, not {session.agent_id}")
        return {"logout_reply": True, "agent_id": replied_agent}

    async def close(self) -> None:
        if self.client is None or self.logged_out:
            return
        self.logged_out = True
        try:
            await self.client.aclose()
        except Exception:
            LOG.exception("closing the client")


# ---- command interpretation ---------------------------------------------------------------

async def run_command(session: Session, line: str) -> Optional[bool]:
    """Runs one stdin command. Returns False when the session is over, None to go on.
    Raises StepFailed (with the step name attached) on failure."""
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    if not words:
        return None
    command, rest = words[0], line.strip()[len(line.strip().split(None, 1)[0]):].strip()
    step = command
    try:
        if command == "wait-avatar":
            emit(step, True, **await session.wait_avatar(" ".join(words[1:])))
        elif command == "say":
            if not rest:
                raise StepFailed("say needs a text")
            emit(step, True, **await session.say(rest))
        elif command == "say-channel":
            if len(words) < 3:
                raise StepFailed("say-channel needs a channel and a text")
            channel = int(words[1])
            text = rest[len(rest.split(None, 1)[0]):].strip()
            emit(step, True, **await session.say(text, channel))
        elif command == "wait-chat":
            if not rest:
                raise StepFailed("wait-chat needs a text")
            emit(step, True, **await session.wait_chat(rest))
        elif command == "walk-east":
            limit = float(words[1]) if len(words) > 1 else session.args.walk_timeout
            emit(step, True, **await session.walk_east(limit))
        elif command == "teleport":
            if len(words) != 6:
                raise StepFailed("teleport needs REGION_X REGION_Y X Y Z (region corner in metres, local position)")
            emit(step, True, **await session.teleport(int(words[1]), int(words[2]),
                                                      float(words[3]), float(words[4]), float(words[5])))
        elif command == "position":
            emit(step, True, **session.where())
        elif command == "avatars":
            emit(step, True, **session.avatars())
        elif command == "timeout":
            value = float(words[1]) if len(words) > 1 else float("nan")
            if not (value > 0 and math.isfinite(value)):
                raise StepFailed("timeout needs a positive number of seconds")
            session.timeout = value
            emit(step, True, timeout=value)
        elif command == "logout":
            emit(step, True, **await session.logout())
            return False
        else:
            raise StepFailed(f"unknown command {command!r}")
    except StepFailed as failure:
        failure.step = step  # type: ignore[attr-defined]
        raise
    except (ValueError, IndexError) as error:
        failure = StepFailed(f"bad arguments for {command}: {error}")
        failure.step = step  # type: ignore[attr-defined]
        raise failure from None
    return None


def stdin_lines(loop: asyncio.AbstractEventLoop) -> asyncio.Queue:
    """Lines of stdin in a queue (None at end of input); a daemon thread never blocks the exit."""
    queue: asyncio.Queue = asyncio.Queue()

    def reader():
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="stdin", daemon=True).start()
    return queue


def scripted_commands(args: argparse.Namespace) -> List[str]:
    commands = []
    if args.expect_avatar:
        commands.append(f"wait-avatar {args.expect_avatar}")
    if args.say:
        commands.append(f"say {args.say}")
    if args.expect_chat:
        commands.append(f"wait-chat {args.expect_chat}")
    if args.walk_east:
        commands.append("walk-east")
    if args.teleport_region_x is not None or args.teleport_region_y is not None:
        if args.teleport_region_x is None or args.teleport_region_y is None:
            raise SystemExit("--teleport-region-x and --teleport-region-y go together")
        commands.append(f"teleport {args.teleport_region_x} {args.teleport_region_y} "
                        f"{args.teleport_x:g} {args.teleport_y:g} {args.teleport_z:g}")
    commands.append("logout")
    return commands


async def main_async(args: argparse.Namespace) -> int:
    session = Session(args)
    step = "login"
    try:
        emit("login", True, **await session.login())
        if args.commands:
            lines = stdin_lines(asyncio.get_running_loop())
            while True:
                line = await lines.get()
                if line is None:
                    step = "logout"
                    emit("logout", True, at_end_of_input=True, **await session.logout())
                    break
                step = line.split(None, 1)[0] if line.strip() else step
                if await run_command(session, line) is False:
                    break
        else:
            for line in scripted_commands(args):
                step = line.split(None, 1)[0]
                if await run_command(session, line) is False:
                    break
        return 0
    except StepFailed as failure:
        emit(getattr(failure, "step", step), False, error=str(failure))
    except Exception as error:  # anything hippolyzer raised that a step did not expect
        LOG.exception("step %s", step)
        emit(step, False, error=f"{type(error).__name__}: {error}")
    finally:
        await session.close()
    return 1


def self_check(args: argparse.Namespace) -> int:
    """Imports everything the session uses and builds the messages it sends."""
    import aiohttp  # noqa: F401
    from importlib.metadata import version
    from hippolyzer.lib.base.datatypes import Quaternion, UUID, Vector3
    from hippolyzer.lib.base.message.message import Block, Message
    from hippolyzer.lib.base.message.udpserializer import UDPMessageSerializer
    from hippolyzer.lib.client.hippo_client import HippoClient  # noqa: F401

    serializer = UDPMessageSerializer()
    built = []
    for message in (
        Message("AgentUpdate", Block("AgentData", AgentID=UUID.random(), SessionID=UUID.random(),
                                     BodyRotation=Quaternion(0, 0, 0, 1), HeadRotation=Quaternion(0, 0, 0, 1),
                                     State=0, CameraCenter=Vector3(1, 2, 3), CameraAtAxis=Vector3(1, 0, 0),
                                     CameraLeftAxis=Vector3(0, 1, 0), CameraUpAxis=Vector3(0, 0, 1), Far=64.0,
                                     ControlFlags=AGENT_CONTROL_AT_POS, Flags=0)),
        Message("LogoutRequest", Block("AgentData", AgentID=UUID.random(), SessionID=UUID.random())),
    ):
        built.append({"message": message.name, "bytes": len(serializer.serialize(message))})
    commands = scripted_commands(args) if args.login_uri else []
    emit("self-check", True, python=sys.version.split()[0], hippolyzer=version("hippolyzer"),
         aiohttp=version("aiohttp"), built=built, scripted_commands=commands)
    return 0


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--login-uri", help="XML-RPC login URI, e.g. http://127.0.0.1:9000/")
    parser.add_argument("--first", help="first name")
    parser.add_argument("--last", help="last name")
    parser.add_argument("--password", help="password (sent as $1$ + MD5, as viewers do)")
    parser.add_argument("--region", help="start region name (start = uri:REGION&X&Y&Z)")
    parser.add_argument("--x", type=float, default=128.0, help="start x in the region (default 128)")
    parser.add_argument("--y", type=float, default=128.0, help="start y in the region (default 128)")
    parser.add_argument("--z", type=float, default=25.0, help="start z in the region (default 25)")
    parser.add_argument("--start", help="raw start location instead of --region (e.g. last, home)")
    parser.add_argument("--timeout", type=float, default=30.0, help="bound of every wait, seconds (default 30)")
    parser.add_argument("--login-timeout", type=float, default=60.0, help="bound of the login (default 60)")
    parser.add_argument("--walk-timeout", type=float, default=120.0,
                        help="bound of walk-east until the crossing (default 120)")
    parser.add_argument("--commands", action="store_true", help="read commands from stdin, one per line")
    parser.add_argument("--expect-avatar", help="scripted: wait for this avatar, 'First Last'")
    parser.add_argument("--say", help="scripted: say this line on channel 0")
    parser.add_argument("--expect-chat", help="scripted: wait for chat from someone else containing this")
    parser.add_argument("--walk-east", action="store_true", help="scripted: walk east across a border")
    parser.add_argument("--teleport-region-x", type=int, help="scripted: teleport target region corner x, metres")
    parser.add_argument("--teleport-region-y", type=int, help="scripted: teleport target region corner y, metres")
    parser.add_argument("--teleport-x", type=float, default=128.0, help="teleport local x (default 128)")
    parser.add_argument("--teleport-y", type=float, default=128.0, help="teleport local y (default 128)")
    parser.add_argument("--teleport-z", type=float, default=25.0, help="teleport local z (default 25)")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")
    parser.add_argument("--self-check", action="store_true", help="import everything and exit 0")
    args = parser.parse_args(argv)
    for name in ("timeout", "login_timeout", "walk_timeout"):
        value = getattr(args, name)
        if not (value > 0 and math.isfinite(value)):
            parser.error(f"--{name.replace('_', '-')} must be a positive number of seconds")
    if not args.self_check:
        missing = [f"--{n.replace('_', '-')}" for n in ("login_uri", "first", "last", "password")
                   if not getattr(args, n)]
        if not args.region and not args.start:
            missing.append("--region (or --start)")
        if missing:
            parser.error("missing " + ", ".join(missing))
    return args


def bypass_proxies_for(login_uri: Optional[str]) -> None:
    """HippoClient's HTTP session trusts proxy variables; the grid under test is never proxied."""
    hosts = {"127.0.0.1", "localhost", "::1"}
    if login_uri:
        host = urllib.parse.urlsplit(login_uri).hostname
        if host:
            hosts.add(host)
    for variable in ("NO_PROXY", "no_proxy"):
        present = [h for h in os.environ.get(variable, "").split(",") if h]
        os.environ[variable] = ",".join(present + sorted(hosts - set(present)))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level.upper(), logging.WARNING),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if sys.version_info < (3, 12):
        emit("self-check" if args.self_check else "login", False,
             error=f"hippolyzer needs Python >= 3.12, this is {sys.version.split()[0]}")
        return 1
    bypass_proxies_for(args.login_uri)
    if args.self_check:
        return self_check(args)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
