#!/usr/bin/python3
# -*- coding: utf-8 -*-
# The engine_setup role's module: runs engine-setup on the managed host and
# decides from its exit codes and its JSON (install --check --json, status
# --json; docs/status.md), never from its text. Contract of the installer:
# ../shared/cli-contract.md; of the role: docs/fleet.md.

from __future__ import annotations

DOCUMENTATION = r"""
module: engine_setup
short_description: Install, upgrade, pair or remove a Scan Engine with engine-setup
description:
  - Runs the engine-setup release file already copied to the host.
  - C(present) runs C(install --check --json) first; its C(action) says what
    a run would do (install, upgrade, pair, overwrite, none). Nothing to do
    is C(ok); anything else runs the install and is C(changed).
  - In check mode only C(--check) runs; the result says what would change,
    and with C(--diff) which answers would differ.
  - Secrets (the console's shared secret, the console administrator's
    password) are written to 0600 files in a 0700 folder for the run and
    removed afterwards; they are never on a command line and never returned.
options:
  installer: {description: Path of engine-setup on the host., type: path, required: true}
  installer_sha256: {description: Its SHA-256; checked before it runs., type: str, required: true}
  state: {description: present or absent., type: str, default: present, choices: [present, absent]}
  answers: {description: Answers (keys of the answers file)., type: dict, default: {}}
  shared_secret: {description: The console's shared secret., type: str, no_log: true}
  console_admin_password: {description: For component=console., type: str, no_log: true}
  console_fingerprint: {description: Pin of the console key (sha256:HEX)., type: str}
  image: {description: Install into an image - not started, not paired., type: bool, default: false}
  root: {description: Install under this folder (engine-setup --root)., type: path}
  overwrite: {description: Apply changed answers with --overwrite., type: bool, default: true}
  consoles_enable: {description: Console addresses to enable when pending., type: list, elements: str, default: []}
  wait_ready: {description: Seconds to wait for readiness (0 - do not wait)., type: int, default: 600}
  wait_lock: {description: Seconds to wait for another engine-setup run., type: int, default: 600}
  purge: {description: absent also removes the logs., type: bool, default: true}
"""

RETURN = r"""
action: {description: install, upgrade, downgrade, pair, overwrite, none or uninstall., type: str}
engine_id: {description: The engine's id after the run., type: str}
version: {description: The installed version after the run., type: str}
communication: {description: console-to-engine or engine-to-console., type: str}
consoles: {description: status --json's consoles., type: list}
status_rc: {description: Exit code of the last status., type: int}
status: {description: The last status --json object., type: dict}
plan: {description: install --check --json's object, without its answers., type: dict}
"""

import hashlib
import json
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

# Exit codes (cli-contract.md, "Exit codes").
EXIT_OK = 0
EXIT_EXISTS = 7
STATUS_OK = 0
STATUS_NOT_INSTALLED = 9
STATUS_ATTENTION = 10
# Answers the module writes itself from its own options; never taken from
# the answers dictionary, so that a secret cannot reach the answers file.
SECRET_KEYS = ("shared_secret", "shared_secret_file",
               "console_admin_password_file", "console_fingerprint")


def answer_text(value):
    """An answers-file value (docs/answers.md: quoted, with the escapes \\\\
    \\" and \\n) for a YAML value: booleans are yes/no, numbers decimal."""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    s = str(value)
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + s + '"'


class Run:
    """One module run: the host's engine-setup, its options and a private
    folder for the answers and secret files."""

    def __init__(self, module):
        self.m = module
        self.p = module.params
        self.tmp = None
        self.commands = []

    # -- running engine-setup -------------------------------------------
    def root_opts(self):
        return ["--root", self.p["root"]] if self.p["root"] else []

    def run(self, args):
        argv = [self.p["installer"]] + args + self.root_opts()
        rc, out, err = self.m.run_command(argv, environ_update={"LC_ALL": "C"})
        self.commands.append({"argv": argv[1:], "rc": rc})
        return rc, out, err

    def json_of(self, out, what):
        try:
            return json.loads(out)
        except ValueError:
            self.fail(what + " did not print one JSON object", out=out)

    def fail(self, msg, **kw):
        self.cleanup()
        self.m.fail_json(msg=msg, commands=self.commands, **kw)

    def fail_run(self, what, rc, out, err, **kw):
        """Fails with the installer's own message (its standard error)."""
        message = err.strip() or out.strip()
        self.fail("%s exited %d: %s" % (what, rc, message), rc=rc,
                  stdout=out, stderr=err, **kw)

    def status(self, wait=0):
        args = ["status", "--json"]
        if wait > 0:
            args.append("--wait-ready=%d" % wait)
        rc, out, err = self.run(args)
        if rc not in (STATUS_OK, STATUS_NOT_INSTALLED, STATUS_ATTENTION):
            self.fail_run("engine-setup status", rc, out, err)
        return rc, self.json_of(out, "engine-setup status --json")

    def check_installer(self):
        """Fails, running nothing, when the installer on the host is not
        the release file whose SHA-256 the play names."""
        h = hashlib.sha256()
        try:
            with open(self.p["installer"], "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        except OSError as e:
            self.fail("cannot read the installer %s on the host: %s"
                      % (self.p["installer"], e.strerror))
        want = self.p["installer_sha256"].lower()
        if h.hexdigest() != want:
            self.fail("The installer copied to this host has SHA-256 %s, "
                      "not %s (engine_setup_installer_sha256). Nothing was "
                      "run. Check that engine_setup_installer and "
                      "engine_setup_installer_sha256 name the same release "
                      "(its line in SHA256SUMS)." % (h.hexdigest(), want))

    # -- the answers and secret files -----------------------------------
    def private_file(self, name, text):
        path = os.path.join(self.tmp, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def answers_file(self):
        answers = dict(self.p["answers"])
        for key in SECRET_KEYS:
            if key in answers:
                self.fail("engine_setup_answers must not hold %s: give the "
                          "secret as engine_setup_shared_secret, the password "
                          "as engine_setup_console_admin_password and the pin "
                          "as engine_setup_console_fingerprint" % key)
        for key, value in answers.items():
            if value is None:
                self.fail("engine_setup_answers.%s has no value: give it "
                          "one, or leave the key out for its default "
                          "(docs/answers.md)." % key)
        if self.p["image"]:
            # An image is neither started nor paired where it is made.
            answers["start_service"] = "no"
            answers["pair_now"] = "no"
        lines = ["# Written by the Ansible role engine_setup for one run."]
        lines += ["%s = %s" % (k, answer_text(v))
                  for k, v in sorted(answers.items())]
        if self.p["console_fingerprint"]:
            lines.append("console_fingerprint = " +
                         answer_text(self.p["console_fingerprint"]))
        self.secret_file = None
        if self.p["shared_secret"] and pairs(answers):
            self.secret_file = self.private_file("secret", self.p["shared_secret"])
            lines.append("shared_secret_file = " + answer_text(self.secret_file))
        if self.p["console_admin_password"]:
            lines.append("console_admin_password_file = " + answer_text(
                self.private_file("password", self.p["console_admin_password"])))
        self.answers = answers
        return self.private_file("answers", "\n".join(lines) + "\n")

    def cleanup(self):
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    # -- present ----------------------------------------------------------
    def starts(self):
        # Under --root no service manager runs the engine: nothing to wait
        # for (docs/status.md, service-not-running).
        return (not self.p["image"] and not self.p["root"] and
                str(self.answers.get("start_service", "yes")).lower()
                not in ("no", "false"))

    def plan(self, answers):
        rc, out, err = self.run(["install", "--silent", "--answers", answers,
                                 "--check", "--json"])
        if not out.strip():
            self.fail_run("engine-setup install --check", rc, out, err)
        plan = self.json_of(out, "engine-setup install --check --json")
        return rc, plan, err

    def install(self, answers, extra, what):
        args = ["install", "--silent", "--answers", answers,
                "--wait-lock=%d" % self.p["wait_lock"]] + extra
        rc, out, err = self.run(args)
        if rc != EXIT_OK:
            self.fail_run(what, rc, out, err, changed=rc == 6,
                          action=self.action)
        return out

    def enable_consoles(self, st):
        """Enables each pending (disabled) console whose address is one of
        consoles_enable: the seed's consoles.xml edit for Console-to-Engine.
        Returns the addresses enabled."""
        done = []
        for want in self.p["consoles_enable"]:
            pending = [c for c in st.get("consoles") or []
                       if c.get("address") == want and not c.get("enabled")]
            if not pending:
                continue
            done.append(want)
            if self.m.check_mode:
                continue
            rc, out, err = self.run(["consoles", "enable", want, "--restart",
                                     "--wait-lock=%d" % self.p["wait_lock"]])
            if rc != EXIT_OK:
                self.fail_run("engine-setup consoles enable " + want, rc,
                              out, err, changed=bool(done[:-1]))
        return done

    def present(self):
        diff = {"before_header": "installed answers",
                "after_header": "engine_setup_answers"}
        answers = self.answers_file()
        rc, plan, err = self.plan(answers)
        self.action = plan.get("action")
        needs = plan.get("needs")
        if rc not in (EXIT_OK, EXIT_EXISTS) or (rc == EXIT_EXISTS and
                                                needs not in ("overwrite", "upgrade-first")):
            self.fail_run("engine-setup install --check", rc, "", err,
                          plan=strip_plan(plan), action=self.action)
        if needs and not self.p["overwrite"]:
            self.fail_run("engine-setup install --check", rc, "", err,
                          plan=strip_plan(plan), action=self.action)
        diff["before"], diff["after"] = plan_diff(plan)
        changed = self.action != "none"

        enabled = []
        if self.m.check_mode:
            if plan.get("installed") is not None and self.action == "none":
                st_rc, st = self.status()
                enabled = self.enable_consoles(st)
            return self.result(changed or bool(enabled), plan, diff,
                               enabled=enabled, check_exit=rc)

        out = ""
        if needs == "upgrade-first":
            # Another version and other answers: the installer upgrades
            # only with the installation's own answers (docs/upgrade.md).
            # Its shared_secret_file, if any, was this module's temporary
            # file of an earlier run: this run's stands in for it (the
            # upgrade does not pair; the secret is not compared).
            extra = []
            if self.secret_file is not None:
                extra = ["--set", "shared_secret_file=" + self.secret_file]
            out += self.install(plan["installed"]["answers_file"], extra,
                                "engine-setup install (upgrade first)")
        if changed:
            extra = ["--overwrite"] if needs else []
            if self.starts() and self.p["wait_ready"] > 0:
                extra.append("--wait-ready=%d" % self.p["wait_ready"])
            out += self.install(answers, extra, "engine-setup install")
        st_rc, st = self.status()
        enabled = self.enable_consoles(st)
        wait = self.p["wait_ready"] if self.starts() else 0
        st_rc, st = self.status(wait=wait)
        res = self.result(changed or bool(enabled), plan, diff, st_rc, st,
                          enabled=enabled, stdout=out)
        if st_rc != STATUS_OK and not (self.p["image"] and st_rc == STATUS_ATTENTION):
            problems = " ".join(p.get("message", "")
                                for p in st.get("problems") or [])
            self.cleanup()
            self.m.fail_json(msg="engine-setup status exited %d: %s" %
                             (st_rc, problems), **res)
        return res

    # -- absent -----------------------------------------------------------
    def absent(self):
        st_rc, st = self.status()
        if st_rc == STATUS_NOT_INSTALLED:
            self.action = "none"
            return self.result(False, None, None, st_rc, st)
        self.action = "uninstall"
        diff = {"before": "installed: %s %s\n" % (st.get("product"), st.get("version")),
                "after": "not installed\n"}
        if self.m.check_mode:
            return self.result(True, None, diff, st_rc, st)
        args = ["uninstall", "--silent", "--wait-lock=%d" % self.p["wait_lock"]]
        if self.p["purge"]:
            args.append("--purge")
        rc, out, err = self.run(args)
        if rc != EXIT_OK:
            self.fail_run("engine-setup uninstall", rc, out, err,
                          changed=True, action=self.action)
        st_rc, st = self.status()
        if st_rc != STATUS_NOT_INSTALLED:
            self.fail("engine-setup uninstall exited 0, but status exited %d"
                      % st_rc, status=st)
        return self.result(True, None, diff, st_rc, st, stdout=out)

    def result(self, changed, plan, diff, st_rc=None, st=None, **kw):
        res = dict(changed=changed, action=self.action, commands=self.commands, **kw)
        if plan is not None:
            res["plan"] = strip_plan(plan)
        if diff is not None:
            res["diff"] = diff
        if st is not None:
            engine = st.get("engine") or {}
            res.update(status_rc=st_rc, status=st,
                       engine_id=engine.get("id"),
                       communication=engine.get("communication"),
                       version=st.get("version"),
                       consoles=st.get("consoles") or [])
        return res


def pairs(answers):
    """Whether these answers pair during the install (Engine-to-Console and
    pair_now yes, the defaults; cli-contract.md), so that a secret is
    needed at all."""
    def word(key, default):
        v = answers.get(key, default)
        if isinstance(v, bool):
            return "yes" if v else "no"
        return str(v).lower()
    return (word("communication", "engine-to-console") == "engine-to-console"
            and word("pair_now", "yes") not in ("no", "false"))


# Keys of the diff that are not answers a user gives: the module's own
# temporary file, and the installer's notes on the payload and the record.
DIFF_HIDDEN = ("shared_secret_file", "console_admin_password_file",
               "payload", "answers")


def strip_plan(plan):
    """The plan without its answers (they are in the diff) and requirements
    (long; the installer's log has them)."""
    return {k: v for k, v in (plan or {}).items()
            if k not in ("answers", "requirements")}


def plan_diff(plan):
    """Answers-file text before and after: before is the installed answers
    for the keys that differ, after this run's answers."""
    after = {k: v for k, v in (plan.get("answers") or {}).items()
             if k not in DIFF_HIDDEN}
    if plan.get("installed") is None:
        return "", "".join("%s = %s\n" % (k, after[k]) for k in sorted(after))
    before = dict(after)
    for d in plan.get("differs") or []:
        if d.get("key") in DIFF_HIDDEN:
            continue
        if d.get("installed") is None:
            before.pop(d["key"], None)
        else:
            before[d["key"]] = d["installed"]
    text = lambda a: "".join("%s = %s\n" % (k, a[k]) for k in sorted(a))
    b, a = text(before), text(after)
    inst = plan["installed"]
    if inst.get("version") != plan.get("version"):
        b = "# version %s\n" % inst.get("version") + b
        a = "# version %s\n" % plan.get("version") + a
    return b, a


def main():
    module = AnsibleModule(
        argument_spec=dict(
            installer=dict(type="path", required=True),
            installer_sha256=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            answers=dict(type="dict", default={}),
            shared_secret=dict(type="str", no_log=True),
            console_admin_password=dict(type="str", no_log=True),
            console_fingerprint=dict(type="str"),
            image=dict(type="bool", default=False),
            root=dict(type="path"),
            overwrite=dict(type="bool", default=True),
            consoles_enable=dict(type="list", elements="str", default=[]),
            wait_ready=dict(type="int", default=600),
            wait_lock=dict(type="int", default=600),
            purge=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    r = Run(module)
    r.action = None
    r.answers = {}
    r.secret_file = None
    try:
        r.check_installer()
        r.tmp = tempfile.mkdtemp(prefix="engine-setup-ansible.")
        res = r.present() if module.params["state"] == "present" else r.absent()
    finally:
        r.cleanup()
    module.exit_json(**res)


if __name__ == "__main__":
    main()
