#!/usr/bin/env python3
"""A loopback stand-in of the Okta System Log API, for the `okta` case.

The okta plugin (0.12.0) polls https://<organization>.okta.com/api/v1/logs
with `since` and `limit` query parameters and an `Authorization: SSWS
<api_token>` header, every `refresh_interval` seconds. It stamps each event
with its `published` time (RFC 3339) and asks for the next page with
`since` = the last event's published time + 1 s; it ignores Link headers.

This module
  - generates a fixed list of System Log events (events()): fixed ids and
    published times, at least one alert for every rule of
    okta_rules-okta-0.12.0.yaml (once rules/okta_enable.yaml has enabled
    the ones it ships disabled), plus events no rule matches;
  - serves them over HTTPS on 127.0.0.1:443, PAGE_SIZE (or `limit`, if
    smaller) per request, each event once; later requests get `[]`;
  - runs one command (Falco or bulkhead) next to that server, inside
    `unshare -m -n --propagation private`: a private mount namespace in which
    a temporary hosts file is bind-mounted over /etc/hosts (ORG.okta.com ->
    127.0.0.1) and a CA bundle holding only the test's own CA over
    /etc/ssl/certs/ca-certificates.crt (where Go reads it on Debian), and a
    private network namespace, so that the loopback port 443 is the test's
    own and nothing can reach the real Okta. The CA and the server
    certificate are made with `openssl` into a temporary folder per run.
  - stops the command with SIGINT once the server has served every event and
    either the expected number of alert lines appeared on stdout and then
    GRACE_S passed without another, or (no expectation, or fewer lines)
    IDLE_S passed without a new one. Every wait is bounded.

    run(cmd, env=..., json_case=True, expect=N) -> Result   (the driver side)

Needs root, unshare, mount and openssl, and a bind mount must work in the
new namespaces; run() raises Skip otherwise.
Standard library only. Run it directly to print the events as JSON.
"""

import fcntl
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True

ORG = "bulkhead-test"
HOST = ORG + ".okta.com"
API_TOKEN = "00bulkheadTestTokenNotASecret"
PAGE_SIZE = 12          # events per response at most (three pages)
IDLE_S = 5.0            # recording: quiet time after the last alert
GRACE_S = 2.0           # expected count reached: quiet time before SIGINT
TIMEOUT_S = 90.0        # from the command's start to SIGINT, at most
STOP_TIMEOUT_S = 20.0   # from SIGINT to exit, then SIGKILL
HOSTS_TARGET = "/etc/hosts"
CA_TARGET = "/etc/ssl/certs/ca-certificates.crt"
UNSHARE = ["unshare", "-m", "-n", "--propagation", "private"]


class Skip(Exception):
    """The case cannot run here (not root, no unshare/openssl, ...)."""


# ---------------------------------------------------------------------------
# The events

ACTORS = {
    "admin": {"id": "00u1admin00000000001", "type": "User",
              "alternateId": "ada.admin@example.com", "displayName": "Ada Admin"},
    "alice": {"id": "00u1alice00000000002", "type": "User",
              "alternateId": "alice@example.com", "displayName": "Alice Example"},
    "bob": {"id": "00u1bob0000000000003", "type": "User",
            "alternateId": "bob@example.com", "displayName": "Bob Builder"},
    "carol": {"id": "00u1carol00000000004", "type": "User",
              "alternateId": "carol@example.com", "displayName": 'Carol "CJ" Jones'},
    "zoe": {"id": "00u1zoe0000000000005", "type": "User",
            "alternateId": "zoe@example.com", "displayName": "Zo\u00eb \u00c5ngstr\u00f6m"},
    # A client app without a display name: the field is set, but empty.
    "app": {"id": "0oa1svc0000000000006", "type": "PublicClientApp",
            "alternateId": "reporting-job"},
}

CLIENTS = {
    "lyon": {"userAgent": {"rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) "
                                           "AppleWebKit/537.36 (KHTML, like Gecko) "
                                           "Chrome/122.0.0.0 Safari/537.36",
                           "os": "Mac OS X", "browser": "CHROME"},
             "zone": "null", "device": "Computer", "id": None, "ipAddress": "198.51.100.7",
             "geographicalContext": {"city": "Lyon", "state": "Auvergne-Rhone-Alpes",
                                     "country": "France", "postalCode": "69001",
                                     "geolocation": {"lat": 45.7578, "lon": 4.832}}},
    "austin": {"userAgent": {"rawUserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
                                             "Gecko/20100101 Firefox/123.0",
                             "os": "Windows 10", "browser": "FIREFOX"},
               "zone": "Office", "device": "Computer", "id": None, "ipAddress": "203.0.113.24",
               "geographicalContext": {"city": "Austin", "state": "Texas",
                                       "country": "United States", "postalCode": "78701",
                                       "geolocation": {"lat": 30.2672, "lon": -97.7431}}},
    "tokyo": {"userAgent": {"rawUserAgent": "Okta Verify/9.2.1 (iPhone; iOS 17.3)",
                            "os": "iOS", "browser": "UNKNOWN"},
              "zone": "null", "device": "Mobile", "id": None, "ipAddress": "2001:db8::2a",
              "geographicalContext": {"city": "T\u014dky\u014d", "state": "Tokyo",
                                      "country": "Japan", "postalCode": "100-0001",
                                      "geolocation": {"lat": 35.6895, "lon": 139.6917}}},
    # No geographical context at all: country is empty.
    "api": {"userAgent": {"rawUserAgent": "okta-sdk-python/2.9.5", "os": "Unknown",
                          "browser": "UNKNOWN"},
            "zone": "null", "device": "Unknown", "id": "0oa1svc0000000000006",
            "ipAddress": "192.0.2.55"},
}


def _user(key):
    a = ACTORS[key]
    return {"id": a["id"], "type": "User", "alternateId": a["alternateId"],
            "displayName": a.get("displayName", "")}


def _app(alternate_id, display_name, app_id):
    return {"id": app_id, "type": "AppInstance", "alternateId": alternate_id,
            "displayName": display_name}


def _group(name, group_id):
    return {"id": group_id, "type": "UserGroup", "alternateId": "unknown", "displayName": name}


GITHUB = _app("GitHub Enterprise", "GitHub Enterprise Cloud", "0oa1github000000000a")
GOOGLE = _app("Google Workspace", "Google Workspace", "0oa1google000000000b")
ENGINEERING = _group("Engineering", "00g1eng0000000000001")
SUPER_ADMIN = {"id": "ra1superadmin0000001", "type": "ROLE", "alternateId": "SUPER_ADMIN",
               "displayName": "Super Administrator"}

# (seconds after the previous event, published suffix form, eventType, actor,
#  client, outcome result, outcome reason, targets, displayMessage, extra)
# A published form of "Z" prints milliseconds and Z, "noms" no fraction,
# "+01:00" the same instant in UTC+1.
BASE = 1709629200  # 2024-03-05T09:00:00Z
_EVENTS = [
    # 1-9: one admin session creating and equipping bob
    (0, "Z", "user.session.start", "alice", "lyon", "SUCCESS", None, [],
     "User login to Okta", {"legacyEventType": "core.user_auth.login_success"}),
    (17, "Z", "user.authentication.sso", "alice", "lyon", "SUCCESS", None, [GOOGLE],
     "User single sign on to app", {"requestUri": "/app/google/exk1google000000000b/sso/saml"}),
    (17, "Z", "user.session.access_admin_app", "admin", "austin", "SUCCESS", None, [],
     "User accessing Okta admin app", {"requestUri": "/admin/dashboard"}),
    (17, "Z", "user.lifecycle.create", "admin", "austin", "SUCCESS", None, [_user("bob")],
     "Create okta user", {}),
    (17, "noms", "user.lifecycle.activate", "admin", "austin", "SUCCESS", None, [_user("bob")],
     "Activate Okta user", {}),
    (17, "Z", "group.user_membership.add", "admin", "austin", "SUCCESS", None,
     [_user("bob"), ENGINEERING], "Add user to group membership", {}),
    (17, "Z", "application.user_membership.add", "admin", "austin", "SUCCESS", None,
     [_user("bob"), GITHUB], "Add user to application membership", {}),
    (17, "Z", "user.account.privilege.grant", "admin", "austin", "SUCCESS", None,
     [_user("bob"), SUPER_ADMIN], "Grant user privilege", {}),
    (17, "Z", "system.api_token.create", "admin", "austin", "SUCCESS", None, [],
     "Create API token", {}),
    # 10-15: bob fails MFA three times in a minute (both MFA rules fire on the third)
    (17, "Z", "policy.evaluate_sign_on", "bob", "lyon", "ALLOW", None, [],
     "Evaluation of sign-on policy", {}),
    (11, "Z", "user.authentication.auth_via_mfa", "bob", "lyon", "FAILURE",
     "INVALID_CREDENTIALS", [], "Authentication of user via MFA", {}),
    (11, "Z", "user.authentication.auth_via_mfa", "bob", "lyon", "FAILURE",
     "INVALID_CREDENTIALS", [], "Authentication of user via MFA", {}),
    (11, "Z", "user.authentication.auth_via_mfa", "bob", "lyon", "SUCCESS", None, [],
     "Authentication of user via MFA", {}),
    (11, "Z", "user.authentication.auth_via_mfa", "bob", "lyon", "FAILURE",
     'Verification "timed out"', [], "Authentication of user via MFA", {}),
    (11, "Z", "user.authentication.auth_via_mfa", "zoe", "tokyo", "FAILURE",
     "INVALID_CREDENTIALS", [], "Authentication of user via MFA", {}),
    # 16-19: carol denies four pushes (both MFA rules fire on the third and fourth)
    (9, "Z", "user.mfa.okta_verify.deny_push", "carol", "austin", "DENY", "User rejected",
     [], "User rejected Okta push verify", {}),
    (9, "Z", "user.mfa.okta_verify.deny_push", "carol", "austin", "DENY", "User rejected",
     [], "User rejected Okta push verify", {}),
    (9, "+01:00", "user.mfa.okta_verify.deny_push", "carol", "austin", "DENY",
     "User rejected", [], "User rejected Okta push verify", {}),
    (9, "Z", "user.mfa.okta_verify.deny_push", "carol", "austin", "DENY",
     "User rejected", [], "User rejected Okta push verify", {}),
    # 20-30: account administration
    (17, "Z", "user.account.lock", "bob", "lyon", "FAILURE", "LOCKED_OUT", [],
     "Max sign in attempts exceeded", {}),
    (17, "Z", "user.lifecycle.suspended", "admin", "austin", "SUCCESS", None,
     [_user("zoe")], "Suspend Okta user", {}),
    (17, "Z", "user.lifecycle.unsuspend", "admin", "austin", "SUCCESS", None,
     [_user("zoe")], "Unsuspend Okta user", {}),
    (17, "Z", "user.account.update_password", "zoe", "tokyo", "SUCCESS", None,
     [_user("zoe")], "User update password for Okta", {}),
    (17, "Z", "user.account.reset_password", "admin", "austin", "SUCCESS", None,
     [_user("carol")], "Fired when the user's Okta password is reset", {}),
    (17, "Z", "user.mfa.factor.deactivate", "admin", "austin", "SUCCESS", None,
     [_user("carol")], "Reset factor for user", {}),
    (17, "Z", "user.mfa.factor.reset_all", "admin", "austin", "SUCCESS", None,
     [_user("carol")], "Reset all factors for user", {}),
    # No alert; the next event has no actor displayName, and the plugin
    # parses each event over the last one it parsed, so Falco shows bob there.
    (17, "Z", "user.authentication.verify", "bob", "lyon", "SUCCESS", None, [],
     "Verify user identity", {}),
    (17, "Z", "system.org.rate_limit.violation", "app", "api", "DENY", None, [],
     "Rate limit violation", {"requestUri": "/api/v1/users"}),
    (17, "Z", "user.session.impersonation.initiate", "admin", "austin", "SUCCESS", None,
     [_user("zoe")], "Initiate impersonation session", {}),
    (17, "Z", "user.lifecycle.deactivate", "admin", "austin", "SUCCESS", None,
     [_user("bob")], "Deactivate Okta user", {}),
    # 31-34: more sessions (the app's has no country), nothing matches the last two
    (17, "+01:00", "user.session.start", "zoe", "tokyo", "SUCCESS", None, [],
     "User login to Okta", {}),
    (17, "Z", "user.session.start", "app", "api", "SUCCESS", None, [],
     "User login to Okta", {}),
    (17, "Z", "user.session.end", "alice", "lyon", "SUCCESS", None, [],
     "User logout from Okta", {}),
    (17, "Z", "app.oauth2.token.grant.access_token", "app", "api", "SUCCESS", None, [],
     "OAuth2 access token is granted", {}),
    # 35-37: ten minutes later; bob's old failures are out of the 300 s window
    (600, "Z", "user.authentication.auth_via_mfa", "bob", "lyon", "FAILURE",
     "INVALID_CREDENTIALS", [], "Authentication of user via MFA", {}),
    (17, "Z", "user.account.privilege.grant", "admin", "austin", "SUCCESS", None,
     [SUPER_ADMIN], "Grant user privilege", {}),
    (17, "Z", "user.authentication.verify", "alice", "lyon", "SUCCESS", None, [],
     "Verify user identity", {}),
]


def _published(seconds, millis, form):
    if form == "+01:00":
        t = time.gmtime(seconds + 3600)
        return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%03d+01:00" % millis
    t = time.gmtime(seconds)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", t)
    return text + "Z" if form == "noms" else text + ".%03dZ" % millis


def events():
    """The System Log events, in published order (deterministic)."""
    out = []
    seconds = BASE
    for n, (gap, form, etype, actor, client, result, reason, targets, message,
            extra) in enumerate(_EVENTS, 1):
        seconds += gap
        millis = (n * 137) % 1000
        uri = extra.get("requestUri", "/api/v1/authn")
        ev = {
            "actor": dict(ACTORS[actor], detailEntry=None),
            "client": CLIENTS[client],
            "device": None,
            "authenticationContext": {
                "authenticationProvider": None, "credentialProvider": None,
                "credentialType": None, "issuer": None, "interface": None,
                "authenticationStep": 0,
                "externalSessionId": "102bulkheadSession%04d" % (1 + n // 8)},
            "displayMessage": message,
            "eventType": etype,
            "outcome": {"result": result, "reason": reason},
            "published": _published(seconds, millis, form),
            "securityContext": {"asNumber": 64496, "asOrg": "example networks",
                                "isp": "example isp", "domain": "example.net",
                                "isProxy": None},
            "severity": "WARN" if result in ("FAILURE", "DENY") else "INFO",
            "debugContext": {"debugData": {
                "requestId": "bulkhead-req-%04d" % n,
                "requestUri": uri,
                "url": uri + "?"}},
            "legacyEventType": extra.get("legacyEventType"),
            "transaction": {"type": "WEB", "id": "bulkhead-txn-%04d" % n, "detail": {}},
            "uuid": "6f1c0e52-%04x-11ee-9c1a-00000000%04d" % (n, n),
            "version": "0",
            "request": {"ipChain": [{"ip": CLIENTS[client]["ipAddress"],
                                     "version": "V6" if ":" in CLIENTS[client]["ipAddress"]
                                     else "V4"}]},
            "target": targets or None,
        }
        out.append(ev)
    return out


# ---------------------------------------------------------------------------
# The server (runs inside the namespaces)

class _State:
    def __init__(self, evs, log):
        self.events = evs
        self.cursor = 0
        self.requests = 0
        self.served_at = None  # monotonic time the last event was served
        self.lock = threading.Lock()
        self.log = log


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "okta-stand-in/1"

    def log_message(self, fmt, *args):
        self.server.state.log.write("%.3f %s\n" % (time.monotonic(), fmt % args))
        self.server.state.log.flush()

    def _send(self, status, body, extra_headers=()):
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        state = self.server.state
        url = urlsplit(self.path)
        if url.path != "/api/v1/logs":
            self._send(404, {"errorCode": "E0000022", "errorSummary": "The endpoint does not "
                             "support the provided HTTP method", "errorCauses": []})
            return
        if self.headers.get("Authorization") != "SSWS " + API_TOKEN:
            self._send(401, {"errorCode": "E0000011", "errorSummary": "Invalid token provided",
                             "errorCauses": []})
            return
        query = parse_qs(url.query)
        try:
            limit = int(query.get("limit", ["100"])[0])
        except ValueError:
            limit = 100
        limit = max(1, min(limit, 1000, PAGE_SIZE))
        with state.lock:
            state.requests += 1
            page = state.events[state.cursor:state.cursor + limit]
            state.cursor += len(page)
            if page and state.cursor == len(state.events):
                state.served_at = time.monotonic()
            after = state.cursor
        state.log.write("%.3f request %d since=%s limit=%s -> %d events\n" % (
            time.monotonic(), state.requests, query.get("since", ["-"])[0],
            query.get("limit", ["-"])[0], len(page)))
        nxt = "https://%s/api/v1/logs?limit=%d&after=%d" % (HOST, limit, after)
        self._send(200, page, [("Link", '<%s>; rel="next"' % nxt)])


def _serve(cert, key, state):
    server = ThreadingHTTPServer(("127.0.0.1", 443), _Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.state = state
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    return server


def _loopback_up():
    """`ip link set lo up` in the new network namespace, with one ioctl."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s, siocgifflags, ifr))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH22x", b"lo", flags | iff_up))


def _is_alert(line, json_case):
    if json_case:
        return line.startswith(b"{")
    return len(line) > 20 and line[2:3] == b":" and line[5:6] == b":" and line[18:20] == b": "


def _inside(spec_path):
    """Entry point inside the namespaces: mounts, server, command, stop."""
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    work = spec["work"]
    summary = {"rc": None, "timed_out": False, "killed": False, "served_all": False,
               "requests": 0, "alerts": 0, "events": 0}

    def done():
        with open(os.path.join(work, "summary.json"), "w", encoding="utf-8") as f:
            json.dump(summary, f)

    subprocess.run(["mount", "--bind", spec["hosts"], HOSTS_TARGET], check=True)
    subprocess.run(["mount", "--bind", spec["ca_bundle"], CA_TARGET], check=True)
    _loopback_up()
    with open(os.path.join(work, "server.log"), "w", encoding="utf-8") as log:
        state = _State(events(), log)
        summary["events"] = len(state.events)
        server = _serve(spec["cert"], spec["key"], state)
        try:
            _run_command(spec, state, summary)
        finally:
            server.shutdown()
            server.server_close()
    done()


def _run_command(spec, state, summary):
    work = spec["work"]
    expect = spec.get("expect")
    json_case = spec["json_case"]
    stderr = open(os.path.join(work, "stderr"), "wb")
    proc = subprocess.Popen(spec["cmd"], env=spec["env"], cwd=spec["cwd"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
                            start_new_session=True)
    lines = []
    last = {"alert": None, "count": 0}

    def reader():
        for line in proc.stdout:
            lines.append(line)
            if _is_alert(line, json_case):
                last["count"] += 1
                last["alert"] = time.monotonic()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    start = time.monotonic()
    while proc.poll() is None:
        now = time.monotonic()
        if now - start > spec["timeout"]:
            summary["timed_out"] = True
            break
        served = state.served_at
        if served is not None:
            quiet_since = max(served, last["alert"] or 0.0)
            reached = expect is not None and last["count"] >= expect
            if now - quiet_since >= (GRACE_S if reached else IDLE_S):
                break
        time.sleep(0.1)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            summary["killed"] = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    t.join(timeout=10)
    stderr.close()
    with open(os.path.join(work, "stdout"), "wb") as f:
        f.write(b"".join(lines))
    summary["rc"] = proc.returncode
    summary["served_all"] = state.served_at is not None
    summary["requests"] = state.requests
    summary["alerts"] = last["count"]


# ---------------------------------------------------------------------------
# The driver side

class Result:
    def __init__(self, work, summary):
        self.summary = summary
        self.returncode = summary["rc"]
        self.timed_out = summary["timed_out"]
        self.killed = summary["killed"]
        self.served_all = summary["served_all"]
        self.requests = summary["requests"]
        with open(os.path.join(work, "stdout"), "rb") as f:
            self.stdout = f.read().decode("utf-8", errors="surrogateescape")
        with open(os.path.join(work, "stderr"), "rb") as f:
            self.stderr = f.read().decode("utf-8", errors="replace")
        with open(os.path.join(work, "server.log"), encoding="utf-8") as f:
            self.server_log = f.read()

    def problem(self):
        """Why the run is not usable, or None."""
        if self.timed_out:
            return "no stop condition within %.0f s (server served all events: %s)" % (
                TIMEOUT_S, self.served_all)
        if self.killed:
            return "did not exit within %.0f s of SIGINT" % STOP_TIMEOUT_S
        if not self.served_all:
            return "exited (%s) before the server had served every event" % self.returncode
        return None


def check_prerequisites():
    if os.geteuid() != 0:
        raise Skip("the okta case needs root (a private mount namespace and port 443)")
    for tool in ("unshare", "mount", "openssl"):
        if shutil.which(tool) is None:
            raise Skip("the okta case needs the %s command" % tool)
    for target in (HOSTS_TARGET, CA_TARGET):
        if not os.path.isfile(target):
            raise Skip("no %s to bind-mount over" % target)
    # The namespaces, and a bind mount in them (of a file over itself).
    probe = subprocess.run(UNSHARE + ["mount", "--bind", HOSTS_TARGET, HOSTS_TARGET],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
    if probe.returncode != 0:
        raise Skip("unshare failed: %s" % probe.stderr.decode(errors="replace").strip())


def make_pki(pki):
    """A self-signed CA and a server certificate for HOST, made with openssl."""
    def ossl(*args):
        r = subprocess.run(["openssl"] + list(args), cwd=pki, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("openssl %s failed: %s" % (args[0], r.stdout.decode(
                errors="replace")))
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ossl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
         "-subj", "/O=bulkhead tests/CN=bulkhead okta test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    with open(os.path.join(pki, "server.ext"), "w", encoding="ascii") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n" % HOST)
    ossl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=" + HOST)
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-set_serial", "0x%x" % int.from_bytes(os.urandom(8), "big"), "-days", "2",
         "-extfile", "server.ext", "-out", "server.crt")
    return os.path.join(pki, "ca.crt"), os.path.join(pki, "server.crt"), \
        os.path.join(pki, "server.key")


def run(cmd, env, cwd, json_case, expect=None, timeout=TIMEOUT_S):
    """Runs cmd beside the stand-in server in private namespaces; a Result.

    expect: the number of alert lines to wait for (None: until IDLE_S of
    quiet after the last event was served). Raises Skip when this machine
    cannot run the case.
    """
    check_prerequisites()
    tmp = tempfile.mkdtemp(prefix="bulkhead-okta-")
    try:
        pki = os.path.join(tmp, "pki")      # keys: root only
        etc = os.path.join(tmp, "etc")      # what the runners read: world-readable
        work = os.path.join(tmp, "work")
        os.mkdir(pki, 0o700)
        os.mkdir(etc, 0o755)
        os.mkdir(work, 0o700)
        os.chmod(tmp, 0o755)
        ca, cert, key = make_pki(pki)
        hosts = os.path.join(etc, "hosts")
        with open(hosts, "w", encoding="ascii") as f:
            f.write("127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.0.1\t%s\n" % HOST)
        bundle = os.path.join(etc, "ca-certificates.crt")
        shutil.copyfile(ca, bundle)
        for p in (hosts, bundle):
            os.chmod(p, 0o644)
        spec = {"work": work, "hosts": hosts, "ca_bundle": bundle, "cert": cert, "key": key,
                "cmd": list(cmd), "env": dict(env), "cwd": cwd, "json_case": json_case,
                "expect": expect, "timeout": timeout}
        spec_path = os.path.join(work, "spec.json")
        with open(spec_path, "w", encoding="utf-8") as f:
            json.dump(spec, f)
        inner = subprocess.run(UNSHARE + ["--", sys.executable, os.path.abspath(__file__),
                                          "--inside", spec_path],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=timeout + STOP_TIMEOUT_S + 60)
        if inner.returncode != 0 or not os.path.exists(os.path.join(work, "summary.json")):
            raise RuntimeError("the okta stand-in failed (%d): %s" % (
                inner.returncode, inner.stdout.decode(errors="replace")[-4000:]))
        with open(os.path.join(work, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        return Result(work, summary)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inside":
        _inside(sys.argv[2])
    else:
        json.dump(events(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
