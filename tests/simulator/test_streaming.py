"""The simulator writes the estate as it projects it: each table is handed over as soon as its
step has made it and let go once written, so memory holds the world and one step's tables (a
scale-10 estate does not fit twice in this machine's memory)."""

from __future__ import annotations

import gc
import threading
import weakref
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from luckin.simulator import world as w
from luckin.simulator.core import simulate_world
from luckin.simulator.spec import load_estate
from luckin.simulator import tables
from luckin.simulator.tables import project
from luckin.simulator.targets import TableWriter, write_tsv

DAY = w.BASE_AS_OF


@pytest.fixture(scope="module")
def world():
    return simulate_world(0.02, 42, DAY)


def test_a_projection_handed_to_a_sink_is_the_projection_kept_whole(world):
    whole, live_whole = project(world, DAY)
    handed: dict[tuple[str, str], pd.DataFrame] = {}
    rest, live = project(world, DAY, sink=handed.__setitem__)
    assert rest == {}
    assert list(handed) == list(whole)
    for key, frame in whole.items():
        pd.testing.assert_frame_equal(handed[key], frame, check_exact=True, obj=str(key))
    pd.testing.assert_frame_equal(live.unused_coupons, live_whole.unused_coupons, check_exact=True)
    pd.testing.assert_frame_equal(live.stock, live_whole.stock, check_exact=True)


def test_the_projection_lets_each_table_go_once_its_step_is_over(world, monkeypatch):
    """Each table reaches the sink the moment its step makes it; when a later step hands a table
    over, every table of the steps before is gone (the sink kept none): the projection holds
    no reference to what it handed over, bar the two small tables a later step reads again."""
    core = {(t.schema, t.name) for s in load_estate().values() for t in s.tables.values() if t.rows == "core"}
    step = ["none"]
    for name in ("_shops", "_menu", "_users", "_orders", "_market", "_production", "_iot", "_supply_chain",
                 "_settlement"):
        def run_step(*args, _name=name, _step=getattr(tables, name)):
            step[0] = _name
            return _step(*args)

        monkeypatch.setattr(tables, name, run_step)
    earlier: list[tuple[tuple[str, str], str, weakref.ref]] = []
    still_held: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def sink(key, frame):
        gc.collect()
        alive = [k for k, made_by, ref in earlier if made_by != step[0] and ref() is not None]
        if alive:
            still_held[key] = alive
        earlier.append((key, step[0], weakref.ref(frame)))

    tables.project(world, DAY, sink=sink)
    assert {k for k, _, _ in earlier} == core
    assert len({made_by for _, made_by, _ in earlier}) == 9  # every step handed over its own tables
    kept = {k for held in still_held.values() for k in held}
    assert kept <= {("luckyus_sales_shop", "t_shop"), ("luckyus_iot_device", "t_device")}, still_held


def test_the_writer_holds_a_bounded_number_of_frames_and_writes_them_all_in_order():
    """With the writes stalled, `put` blocks once workers + 1 frames wait: the projection waits
    for the server instead of piling the estate up in memory."""
    estate = load_estate()
    tables = list(estate["luckyus_sales_order"].tables.values())[:6]
    release, written, done = threading.Event(), [], []

    def write(table, frame):
        release.wait(10)
        written.append(table.qualified)

    put: list[str] = []

    def produce():
        with TableWriter(write, workers=1, done=done.append) as writer:
            for t in tables:
                writer.put(t, pd.DataFrame({"x": [1]}))
                put.append(t.qualified)

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join(1.0)
    # one frame in the write, one waiting, the third `put` blocked: nothing more taken on
    assert producer.is_alive() and len(put) == 2, put
    release.set()
    producer.join(10)
    assert not producer.is_alive()
    assert written == done == [t.qualified for t in tables]


@pytest.mark.parametrize(("budget_in_frames", "taken"), [(2, 2), (0, 1)])
def test_the_writer_holds_at_most_its_budget_of_bytes(budget_in_frames, taken):
    """At scale 10 one table is up to 1.4 GB: the bytes waiting are bounded too, not only the
    count. With three threads free and the writes stalled, `put` blocks once the frames taken
    reach the budget; a frame bigger than the budget is taken alone."""
    tables = list(load_estate()["luckyus_sales_order"].tables.values())[:5]
    frame = pd.DataFrame({"x": range(1000)})
    size = int(frame.memory_usage(deep=True, index=False).sum())
    release, written, put = threading.Event(), [], []

    def write(table, frame):
        release.wait(10)
        written.append(table.qualified)

    def produce():
        with TableWriter(write, workers=3, budget=max(1, budget_in_frames * size)) as writer:
            for t in tables:
                writer.put(t, frame.copy())
                put.append(t.qualified)

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join(1.0)
    assert producer.is_alive() and len(put) == taken, put
    release.set()
    producer.join(10)
    assert not producer.is_alive()
    assert sorted(written) == sorted(t.qualified for t in tables)


def test_a_failed_write_stops_the_writer_and_names_the_table():
    tables = list(load_estate()["luckyus_sales_order"].tables.values())[:4]

    def write(table, frame):
        if table is tables[1]:
            raise RuntimeError(f"{table.qualified}: loaded 0 rows of 1")

    with pytest.raises(RuntimeError, match=tables[1].qualified):
        with TableWriter(write, workers=1) as writer:
            for t in tables:
                writer.put(t, None)


@pytest.mark.parametrize("values", [pd.Series(["ok", "tab\there"], dtype="str"),
                                    pd.Series([7, None, "line\nbreak"], dtype=object)])
def test_a_value_the_bulk_file_cannot_carry_is_refused_by_name(tmp_path, values):
    """A tab or a newline would shift every later column of the row in the tab-separated bulk
    file: the write refuses it, naming the table and column, in string and mixed columns alike."""
    table = load_estate()["luckyus_sales_order"].tables["t_order"]
    frame = pd.DataFrame({c: [None] * len(values) for c in table.column_names})
    frame["remark"] = values
    with pytest.raises(ValueError, match="luckyus_sales_order.t_order.remark"):
        write_tsv(table, frame, tmp_path / "t_order.tsv")


# Three days at the end of the history, and two over a store's opening, a campaign's end and
# another's start (the menus and campaigns change then, at the turn of a local day).
@pytest.mark.parametrize("earlier, later", [(DAY - timedelta(days=3), DAY), (date(2025, 11, 30), date(2025, 12, 2))])
def test_the_rows_written_after_a_day_turn_that_day_into_the_later_one(world, earlier, later):
    """What an append writes: the tables projected some days on, each holding only its rows
    written after the first day. Upserted by primary key onto the estate of the first day,
    they give the estate of the later day, every core table exactly; and they are the change,
    not the history."""
    before: dict[tuple[str, str], pd.DataFrame] = {}
    after: dict[tuple[str, str], pd.DataFrame] = {}
    delta: dict[tuple[str, str], pd.DataFrame] = {}
    project(world, earlier, sink=before.__setitem__)
    project(world, later, sink=after.__setitem__)
    project(world, later, sink=delta.__setitem__, since=earlier)
    assert list(delta) == list(after)
    core = {(t.schema, t.name): t for s in load_estate().values() for t in s.tables.values() if t.rows == "core"}
    for key, new in after.items():
        keys = list(core[key].primary_key)
        merged = (pd.concat([before[key], delta[key]], ignore_index=True)
                  .drop_duplicates(keys, keep="last").sort_values(keys, kind="stable").reset_index(drop=True))
        expected = new.sort_values(keys, kind="stable").reset_index(drop=True)
        written = lambda frame: frame.astype(object).where(frame.notna(), None)  # noqa: E731 - NULL as the target stores it
        pd.testing.assert_frame_equal(written(merged), written(expected), check_dtype=False, obj=str(key))
    order_key = ("luckyus_sales_order", "t_order")
    assert 0 < len(delta[order_key]) < len(after[order_key]) / 10
    # old coupons used or expired since are in it, not only new ones
    coupon_key = ("luckyus_isales_market", "t_coupon")
    assert (delta[coupon_key].id.isin(before[coupon_key].id)).any()


def test_a_history_of_days_projects_before_anyone_has_a_second_phone():
    """`luckin simulate --as-of` takes any day from the first opening: three days in, no user has
    ordered two weeks after signing up, so every user has one device (this crashed on the empty
    lookup of second phones)."""
    early = w.FIRST_OPENING + timedelta(days=2)
    frames: dict[tuple[str, str], pd.DataFrame] = {}
    project(simulate_world(0.02, 42, early), early, sink=frames.__setitem__)
    users, devices = frames[("luckyus_sales_user", "t_user")], frames[("luckyus_sales_user", "t_user_device")]
    assert len(users) > 0
    assert sorted(devices.user_id) == sorted(users.id)
