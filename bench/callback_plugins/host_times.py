# -*- coding: utf-8 -*-
# An Ansible callback for bench/fleet: when each host's run of each task
# started and ended, so that the time the role spent on one host can be told
# from the play's wall time. Ansible's own timing callbacks measure a task
# from its start to its last host (profile_tasks, and the json callback
# under the linear strategy), which for a fleet is the slowest batch, not a
# host.
#
# Loaded from ANSIBLE_CALLBACK_PLUGINS (it needs no enabling); writes one
# JSON object a line, {"host", "task", "start", "end", "status"} with times
# in seconds since the epoch, to the file HOST_TIMES_FILE names (appending);
# does nothing without it.
from __future__ import annotations

DOCUMENTATION = r"""
name: host_times
type: aggregate
short_description: Start and end of every task on every host, to a file
description:
  - Appends one JSON line per host and task to the file in HOST_TIMES_FILE.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "host_times"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self, display=None):
        super().__init__(display)
        self.path = os.environ.get("HOST_TIMES_FILE")
        self.started = {}

    def v2_runner_on_start(self, host, task):
        # Called when a worker starts the task for the host: after any wait
        # for a free fork or for the task's throttle.
        self.started[(host.get_name(), task._uuid)] = time.time()

    def _end(self, result, status):
        end = time.time()
        host, task = result._host.get_name(), result._task
        start = self.started.pop((host, task._uuid), None)
        if self.path is None or start is None:
            return
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"host": host, "task": task.get_name(),
                                "start": start, "end": end,
                                "status": status}) + "\n")

    def v2_runner_on_ok(self, result):
        self._end(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._end(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._end(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._end(result, "unreachable")
