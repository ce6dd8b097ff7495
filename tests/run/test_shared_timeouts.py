"""Regex time-outs are counted per run across the forked worker processes (issue 15 item 9)."""

from __future__ import annotations

import multiprocessing
import pickle
from collections import Counter
from types import SimpleNamespace

import pytest

from qualcoop.match.budget import SharedTimeouts, count_timeout, rule_allowed, share_timeouts

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


def _cc(max_timeouts: int = 5) -> SimpleNamespace:
    return SimpleNamespace(timeouts=Counter(), max_timeouts=max_timeouts,
                           kind_names={"c/bad": "regex.v1", "c/ok": "regex.v1"})


def _spend(cc, n: int) -> None:
    for _ in range(n):
        if rule_allowed(cc, "c/bad"):
            count_timeout(cc, "c/bad")


def test_forked_workers_share_one_count_per_rule():
    cc = _cc(max_timeouts=5)
    share_timeouts(cc)
    mp = multiprocessing.get_context("fork")
    procs = [mp.Process(target=_spend, args=(cc, 10)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    # without sharing each process would have spent its own 5 (15 in all); now the run spent 5
    assert cc.shared_timeouts.get("c/bad") == 5 and cc.shared_timeouts.total() == 5
    assert not rule_allowed(cc, "c/bad") and rule_allowed(cc, "c/ok")


def test_counts_so_far_carry_over_and_unknown_rules_count_locally():
    cc = _cc(max_timeouts=3)
    count_timeout(cc, "c/bad")
    share_timeouts(cc)
    assert cc.shared_timeouts.get("c/bad") == 1
    _spend(cc, 10)
    assert cc.timeouts["c/bad"] == 3 and cc.shared_timeouts.get("c/bad") == 3
    count_timeout(cc, "other/rule")  # not a rule of the codebook: the local count only
    assert "other/rule" not in cc.shared_timeouts and cc.timeouts["other/rule"] == 1


def test_pickled_counts_become_a_private_copy():
    shared = SharedTimeouts(["a", "b"], start={"a": 2})
    copy = pickle.loads(pickle.dumps(shared))
    copy.add("a")
    assert copy.get("a") == 3 and shared.get("a") == 2 and copy.total() == 3
