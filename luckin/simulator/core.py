"""Rows for the 15 core schemas, generated from the plan in ``world.py``.

How determinism and ``--append-days`` fit together:
- Every random draw comes from a numpy stream keyed by (seed, what, day or entity), so a day's
  rows depend only on the seed, the scale and the days before it — never on how far the
  simulation runs.
- Each entity gets its whole lifecycle up front (an order's paid/completed/refunded times, a
  coupon's use or expiry, a device's outages). ``project`` then shows the estate as it looked
  at an instant: rows created by then, with the status and ``update_time`` of the last change
  by then. So the estate simulated to day T and then continued by D days equals the estate
  simulated to T + D directly, and the continuation is a set of inserts and updates.
- The day loop's own state at its last day (``GeneratorState``) travels with the world, so a
  world saved after day T (``checkpoint.py``) goes on to T + D by generating D days, not T + D.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from luckin.core.memory import release_free_memory

from . import world as w
from .plan import (NAT, OPEN_STORES, POPUP_TEMPLATE, TEMPLATES, Template, WELCOME_TEMPLATE, _days, _interp_by_month, _miles, _pickup_line_probs, as_of_instant, discount_cents, expected_discount, local_to_utc, menu_on, month_key, plan, repeat_templates, stream)


@dataclass(frozen=True)
class DirtyRates:
    """Rates of the documented dirty rows. Override with [simulator.dirty] in .dlt/config.toml."""

    zero_verify_date: float = 0.12      # t_user.legacy_verify_time = '0000-00-00 00:00:00'
    null_email: float = 0.08            # app allowed sign-up by phone only
    emoji_nickname: float = 0.03        # utf8mb4 names
    orphan_order_lines: float = 0.0005  # lines whose (test) order was hard-deleted
    duplicate_coupons: float = w.DUPLICATE_COUPON_SHARE
    bad_device_readings: float = w.BAD_READING_SHARE


# --- The simulation --------------------------------------------------------------------------------
@dataclass
class GeneratorState:
    """Where the day loop stands after its last day: what the next day's draws depend on."""

    through: date
    next_order_id: int
    next_item_id: int
    next_coupon_id: int
    users: dict[str, np.ndarray]            # per user so far (see USER_STATE), index = user_idx
    first_due: dict[int, np.ndarray]        # day ordinal -> users whose first order falls on it
    rehomed: frozenset[int]                 # stores whose opening day has moved customers


USER_STATE = ("home", "prop", "last", "nu_coupon", "nu_template", "nu_expire")
LIFECYCLES = ("users", "orders", "items", "coupons", "status_log", "make_events")


@dataclass
class World:
    """Full lifecycles up to the horizon; ``project`` cuts them at an instant."""

    scale: float
    seed: int
    horizon: date
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    state: GeneratorState | None = None     # to continue past the horizon (None: start over)


# Small codes of the two longest lifecycles (45M rows at scale 10) kept in a byte or two
# instead of eight; the projections widen them again for the tables.
_COMPACT = {"status_log": {"from_status": np.int8, "to_status": np.int8},
            "make_events": {"event_type": np.int8, "store_idx": np.int16, "station": np.int8}}


def _cat(parts: list[dict[str, np.ndarray]], dtypes: dict | None = None) -> pd.DataFrame:
    """Join the days' pieces of a lifecycle, column by column, letting each piece go as it is
    joined (and the frame takes the joined arrays as they are): the pieces, the arrays and a
    frame copy of them would otherwise be held at once, three times the lifecycle."""
    if not parts:
        return pd.DataFrame()
    dtypes = dtypes or {}
    columns = {k: np.concatenate([p.pop(k) for p in parts], dtype=dtypes.get(k)) for k in list(parts[0])}
    parts.clear()
    return pd.DataFrame(columns, copy=False)


def _mixed_hour_times(rs: np.random.Generator, d: date, n: int) -> np.ndarray:
    hours = np.array(list(w.HOUR_WEIGHTS))
    weights = np.array(list(w.HOUR_WEIGHTS.values()), float)
    h = rs.choice(hours, size=n, p=weights / weights.sum())
    offset = h.astype(np.int64) * 3_600_000 + rs.integers(0, 3_600_000, size=n)
    base = np.datetime64(d, "ms")
    return base + offset.astype("timedelta64[ms]")


def simulate_world(scale: float, seed: int, horizon: date, dirty: DirtyRates | None = None,
                   progress=None, resume: World | None = None) -> World:
    """Generate every lifecycle from the pop-up sign-ups to the end of ``horizon``; with
    ``resume`` (a world generated with the same scale, seed and dirt, and its state), only the
    days after it. The resumed world's lifecycles are taken over: its frames are emptied."""
    dirty = dirty or DirtyRates()
    pl = plan()
    if resume is not None and (resume.scale, resume.seed) != (scale, seed):
        raise ValueError(f"cannot continue a world of scale {resume.scale}, seed {resume.seed} "
                         f"at scale {scale}, seed {seed}")
    start = w.POPUP_START if resume is None else resume.state.through + timedelta(days=1)
    days = _days(start, horizon)
    n_stores = len(OPEN_STORES)
    store_ids = np.array([s.shop_id for s in OPEN_STORES])

    # Expected registrations per day (scale 1): pop-up sign-ups, then proportional to demand.
    reg_weight = {}
    for d in _days(w.FIRST_OPENING, max(horizon, w.BASE_AS_OF)):
        reg_weight[d] = pl.completed(d).sum() * _interp_by_month(w.MONTHLY_ACQUISITION, d)
    base_total = sum(v for d, v in reg_weight.items() if d <= w.BASE_AS_OF)
    per_weight = (w.REGISTERED_USERS / (1 - 0.003) - w.POPUP_SIGNUPS) / base_total

    cap = int((w.REGISTERED_USERS * 1.25 + 2_000) * scale * (1 + max(0, (horizon - w.BASE_AS_OF).days) / 200)) + 1_000
    if resume is not None:
        cap += len(resume.state.users["home"])  # room for the users so far, however they came
    u_home = np.zeros(cap, np.int16)          # home store index into OPEN_STORES (-1 none)
    u_home[:] = -1
    u_prop = np.zeros(cap)
    u_last = np.full(cap, -10_000, np.int32)   # day ordinal of the last order
    u_nu_coupon = np.full(cap, -1, np.int64)   # welcome coupon id
    u_nu_template = np.zeros(cap, np.int32)
    u_nu_expire = np.full(cap, NAT)
    n_users = 0
    first_due: dict[int, list[np.ndarray]] = defaultdict(list)

    users, orders, items, coupons, status_log, make_events = [], [], [], [], [], []
    next_order_id, next_item_id, next_coupon_id = 1, 1, 1
    rehomed: set[int] = set()
    if resume is not None:
        st = resume.state
        n_users = len(st.users["home"])
        for array, name in zip((u_home, u_prop, u_last, u_nu_coupon, u_nu_template, u_nu_expire), USER_STATE):
            array[:n_users] = st.users[name]
        for ordinal, due in st.first_due.items():
            first_due[ordinal].append(due)
        next_order_id, next_item_id, next_coupon_id = st.next_order_id, st.next_item_id, st.next_coupon_id
        rehomed = set(st.rehomed)
        # taken over, not copied: each column of the old world goes as the new days join it
        users, orders, items, coupons, status_log, make_events = (
            [_parts(resume.frames.pop(name))] for name in LIFECYCLES)

    for di, d in enumerate(days):
        rs = stream(seed, "day", d.isoformat())
        ordinal = d.toordinal()
        day_start_local = np.datetime64(d, "ms")

        # 1. Registrations.
        if d < w.FIRST_OPENING:
            expected_regs = w.POPUP_SIGNUPS / (w.FIRST_OPENING - w.POPUP_START).days * 2 if d <= date(2025, 6, 24) else 0
        else:
            expected_regs = reg_weight.get(d, reg_weight[max(reg_weight)]) * per_weight
        n_reg = int(rs.poisson(expected_regs * scale))
        if n_users + n_reg > cap:
            raise RuntimeError("user capacity exceeded; raise the estimate in simulate_world")
        if n_reg:
            uid = np.arange(n_users, n_users + n_reg)
            popup = d < w.FIRST_OPENING
            if popup:
                reg_local = day_start_local + rs.integers(11 * 3_600_000, 19 * 3_600_000, n_reg).astype("timedelta64[ms]")
                channel = np.full(n_reg, 1)
                will = rs.random(n_reg) < 0.80
                delay = np.where(rs.random(n_reg) < 0.25, 0, rs.geometric(1 / 6, n_reg))
                first_day = w.FIRST_OPENING.toordinal() + delay
                template = POPUP_TEMPLATE
            else:
                hours = rs.choice(np.arange(6, 24), size=n_reg, p=_REG_HOURS)
                reg_local = day_start_local + (hours * 3_600_000 + rs.integers(0, 3_600_000, n_reg)).astype("timedelta64[ms]")
                channel = rs.choice([2, 3, 4, 5, 6], size=n_reg, p=[0.42, 0.22, 0.14, 0.12, 0.10])
                will = rs.random(n_reg) < (w.SHARE_USERS_WHO_ORDER - 0.80 * w.POPUP_SIGNUPS / w.REGISTERED_USERS) / (1 - w.POPUP_SIGNUPS / w.REGISTERED_USERS)
                delay = np.where(rs.random(n_reg) < 0.55, 0, rs.geometric(1 / 5, n_reg))
                first_day = ordinal + delay
                template = WELCOME_TEMPLATE
            reg_utc = local_to_utc(reg_local)
            u_prop[uid] = rs.lognormal(0.0, 1.0, n_reg)
            users.append(dict(
                user_idx=uid, register_time=reg_utc, register_channel=channel,
                gender=rs.choice([0, 1, 2], size=n_reg, p=[0.3, 0.33, 0.37]),
                has_email=rs.random(n_reg) >= dirty.null_email,
                emoji=rs.random(n_reg) < dirty.emoji_nickname,
                zero_verify=rs.random(n_reg) < dirty.zero_verify_date,
                verify_delay_s=rs.integers(5, 600, n_reg),
                deleted=rs.random(n_reg) < 0.003,
                birthday_days=np.where(rs.random(n_reg) < 0.6, rs.integers(18 * 365, 60 * 365, n_reg), -1),
                name_seed=rs.integers(0, 2**31, n_reg),
                first_day=np.where(will, first_day, -1),
            ))
            for fd in np.unique(first_day[will]):
                first_due[int(fd)].append(uid[will & (first_day == fd)])
            # Everyone gets the welcome coupon at sign-up.
            cid = np.arange(next_coupon_id, next_coupon_id + n_reg)
            next_coupon_id += n_reg
            expire = np.minimum(reg_utc + np.timedelta64(template.valid_days, "D").astype("timedelta64[ms]"),
                                as_of_instant(template.end))
            u_nu_coupon[uid] = cid
            u_nu_template[uid] = template.template_id
            u_nu_expire[uid] = expire
            coupons.append(dict(coupon_id=cid, template_id=np.full(n_reg, template.template_id),
                                user_idx=uid, issue_time=reg_utc, expire_time=expire,
                                use_time=np.full(n_reg, NAT), order_id=np.full(n_reg, -1)))
            n_users += n_reg

        if d < w.FIRST_OPENING:
            continue

        # 2. Demand per store and today's first orders.
        expected_total = pl.completed(d) * scale / w.COMPLETION_RATE
        # Day-to-day variation: a mean-one +-6% shock per store, then stochastic rounding.
        # (Plain Poisson counts would put the season's total 0.3% off at scale 1 too often.)
        shocked = expected_total * np.exp(rs.normal(-0.0018, 0.06, n_stores))
        n_store = np.floor(shocked).astype(np.int64) + (rs.random(n_stores) < shocked % 1)
        first_uids = np.concatenate(first_due.pop(ordinal, [np.zeros(0, np.int64)])).astype(np.int64)
        open_mask = expected_total > 0
        if len(first_uids):
            p_open = expected_total / expected_total.sum()
            home = rs.choice(n_stores, size=len(first_uids), p=p_open)
            u_home[first_uids] = home
        else:
            home = np.zeros(0, np.int64)
        f_store = np.bincount(home, minlength=n_stores)

        # Cannibalisation: on an opening day, some nearby customers switch home store.
        for si, s in enumerate(OPEN_STORES):
            if s.open_date == d and s.shop_id not in rehomed:
                rehomed.add(s.shop_id)
                for oi, other in enumerate(OPEN_STORES):
                    if other.open_date < d and _miles(other, s) <= w.CANNIBALISATION_MILES:
                        cust = np.flatnonzero(u_home[:n_users] == oi)
                        move = cust[rs.random(len(cust)) < w.REHOME_SHARE]
                        u_home[move] = si

        # 3. Repeat orders from existing customers, mostly at their home store.
        rep_users, rep_store = [], []
        is_customer = u_last[:n_users] > -10_000
        since = ordinal - u_last[:n_users]
        weight_all = np.where(is_customer & (since > 0), u_prop[:n_users] * (np.exp(-since / 40.0) + 0.06), 0.0)
        for si in np.flatnonzero(open_mask):
            r = max(int(n_store[si]) - int(f_store[si]), 0)
            if r == 0:
                continue
            local = weight_all * (u_home[:n_users] == si)
            n_visit = int(round(r * 0.10)) if local.sum() > 0 else r
            n_home = r - n_visit
            picks = []
            if n_home:
                picks.append(rs.choice(n_users, size=n_home, p=local / local.sum()))
            if n_visit and weight_all.sum() > 0:
                picks.append(rs.choice(n_users, size=n_visit, p=weight_all / weight_all.sum()))
            if picks:
                pu = np.concatenate(picks)
                rep_users.append(pu)
                rep_store.append(np.full(len(pu), si))
        rep_u = np.concatenate(rep_users) if rep_users else np.zeros(0, np.int64)
        rep_s = np.concatenate(rep_store) if rep_store else np.zeros(0, np.int64)

        o_user = np.concatenate([first_uids, rep_u]).astype(np.int64)
        o_store = np.concatenate([home, rep_s]).astype(np.int64)
        o_first = np.concatenate([np.ones(len(first_uids), bool), np.zeros(len(rep_u), bool)])
        n = len(o_user)
        if n == 0:
            continue
        u_last[o_user] = ordinal

        # 4. Times, channel, outcome.
        created_local = _mixed_hour_times(rs, d, n)
        order_sort = np.argsort(created_local, kind="stable")
        o_user, o_store, o_first, created_local = o_user[order_sort], o_store[order_sort], o_first[order_sort], created_local[order_sort]
        created = local_to_utc(created_local).astype("datetime64[s]").astype("datetime64[ms]")
        oid = np.arange(next_order_id, next_order_id + n)
        next_order_id += n
        delivery = (~o_first) & (rs.random(n) < w.DELIVERY_SHARE / (1 - o_first.mean() if o_first.mean() < 0.9 else 0.5))
        outcome_draw = rs.random(n)
        cancel_before = outcome_draw < w.CANCEL_RATE * 0.4
        cancel_after = (~cancel_before) & (outcome_draw < w.CANCEL_RATE)
        refunded = (outcome_draw >= w.CANCEL_RATE) & (outcome_draw < w.CANCEL_RATE + w.REFUND_RATE)
        test_order = rs.random(n) < dirty.orphan_order_lines

        # 5. Lines.
        menu = menu_on(d)
        lc, lp = _pickup_line_probs()
        n_lines = np.where(delivery, 3 + rs.poisson(w.DELIVERY_EXTRA_LINES_MEAN, n), rs.choice(lc, size=n, p=lp))
        total_lines = int(n_lines.sum())
        line_order = np.repeat(np.arange(n), n_lines)
        line_no = np.arange(total_lines) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
        pidx = rs.choice(len(menu.product_ids), size=total_lines, p=menu.probs)
        large = menu.is_drink[pidx] & (rs.random(total_lines) < w.LARGE_SIZE_SHARE)
        qty = np.where(rs.random(total_lines) < w.DOUBLE_QUANTITY_SHARE, 2, 1)
        unit_c = np.round(menu.prices[pidx] * 100).astype(np.int64) + np.where(large, int(w.LARGE_SIZE_UPCHARGE * 100), 0)
        line_gross_c = unit_c * qty
        gross_c = np.bincount(line_order, weights=line_gross_c, minlength=n).astype(np.int64)
        first_unit_c = unit_c[line_no == 0]

        # 6. Discounts: opening-day $1.99 drinks, welcome coupons, app coupons.
        line_disc_c = np.zeros(total_lines, np.int64)
        order_disc_c = np.zeros(n, np.int64)
        coupon_of = np.full(n, -1, np.int64)
        coupon_template = np.zeros(n, np.int64)
        if d == w.FIRST_OPENING:
            promo = menu.is_drink[pidx]
            line_disc_c = np.where(promo, np.maximum(unit_c - int(w.OPENING_DAY_DRINK_PRICE * 100), 0) * qty, 0)
            order_disc_c = np.bincount(line_order, weights=line_disc_c, minlength=n).astype(np.int64)
        else:
            nu_coupon = u_nu_coupon[o_user]
            nu_ok = o_first & (nu_coupon > 0) & (u_nu_expire[o_user] > created) & (rs.random(n) < w.NEW_USER_COUPON_USE)
            templates_today = repeat_templates(d)
            aov_target = w.MONTHLY_AOV.get(month_key(d), w.MONTHLY_AOV[max(w.MONTHLY_AOV)])
            tw = np.array([_template_weight(t, d) for t in templates_today], float)
            welcome_type = np.where(u_nu_template[o_user] == POPUP_TEMPLATE.template_id, POPUP_TEMPLATE.coupon_type, WELCOME_TEMPLATE.coupon_type)
            welcome_val = np.where(u_nu_template[o_user] == POPUP_TEMPLATE.template_id, POPUP_TEMPLATE.value, WELCOME_TEMPLATE.value)
            welcome_disc = np.where(nu_ok, discount_cents(welcome_type, welcome_val, gross_c, first_unit_c), 0)
            u_rep = _repeat_coupon_rate(templates_today, tw, aov_target, gross_c, first_unit_c,
                                        welcome_disc, o_first, delivery)
            rep_use = (~o_first) & (~delivery) & (rs.random(n) < u_rep)
            del_use = delivery & (rs.random(n) < w.DELIVERY_COUPON_USE)
            use_app = rep_use | del_use
            chosen = rs.choice(len(templates_today), size=n, p=tw / tw.sum())
            t_type = np.array([templates_today[i].coupon_type for i in chosen])
            t_val = np.array([templates_today[i].value for i in chosen])
            t_id = np.array([templates_today[i].template_id for i in chosen])
            ctype = np.where(nu_ok, welcome_type, t_type)
            cval = np.where(nu_ok, welcome_val, t_val)
            any_coupon = nu_ok | use_app
            disc = discount_cents(ctype, cval, gross_c, first_unit_c)
            order_disc_c = np.where(any_coupon, disc, 0)
            coupon_template = np.where(nu_ok, u_nu_template[o_user], np.where(use_app, t_id, 0))
            # Welcome coupons: mark used (the coupon row already exists since sign-up).
            coupon_of = np.where(nu_ok, nu_coupon, -1)
            # App coupons: claimed in the app shortly before the order, same day.
            k = int(use_app.sum())
            if k:
                cid = np.arange(next_coupon_id, next_coupon_id + k)
                next_coupon_id += k
                coupon_of[use_app] = cid
                lead = rs.integers(2 * 60_000, 3 * 3_600_000, k).astype("timedelta64[ms]")
                issue = np.maximum(created[use_app] - lead, local_to_utc(np.full(k, day_start_local + np.timedelta64(6, "h"))))
                issue = issue.astype("datetime64[s]").astype("datetime64[ms]")
                valid = np.array([TEMPLATES[t - 1].valid_days for t in t_id[use_app]])
                coupons.append(dict(coupon_id=cid, template_id=t_id[use_app], user_idx=o_user[use_app],
                                    issue_time=issue, expire_time=issue + (valid * 86_400_000).astype("timedelta64[ms]"),
                                    use_time=np.full(k, NAT), order_id=np.full(k, -1)))
            # Spread order discounts over lines in proportion to line value (cents exact).
            share = line_gross_c / np.maximum(gross_c[line_order], 1)
            raw = np.floor(order_disc_c[line_order] * share).astype(np.int64)
            rest = order_disc_c - np.bincount(line_order, weights=raw, minlength=n).astype(np.int64)
            raw[line_no == 0] += rest
            line_disc_c = raw
            # App pushes that nobody used: issued to recent customers, expire unused.
            n_unused = int(rs.poisson(k * (1 / w.REDEMPTION_RATE - 1))) if k else 0
            if n_unused and n_users:
                cand = np.flatnonzero(u_last[:n_users] > ordinal - 60)
                if len(cand):
                    cid = np.arange(next_coupon_id, next_coupon_id + n_unused)
                    next_coupon_id += n_unused
                    tpick = rs.choice(len(templates_today), size=n_unused, p=tw / tw.sum())
                    tid = np.array([templates_today[i].template_id for i in tpick])
                    valid = np.array([templates_today[i].valid_days for i in tpick])
                    issue = local_to_utc(day_start_local + rs.integers(6 * 3_600_000, 22 * 3_600_000, n_unused).astype("timedelta64[ms]"))
                    issue = issue.astype("datetime64[s]").astype("datetime64[ms]")
                    coupons.append(dict(coupon_id=cid, template_id=tid, user_idx=rs.choice(cand, size=n_unused),
                                        issue_time=issue, expire_time=issue + (valid * 86_400_000).astype("timedelta64[ms]"),
                                        use_time=np.full(n_unused, NAT), order_id=np.full(n_unused, -1)))

        pay_c = gross_c - order_disc_c

        # 7. Lifecycle times (UTC, ms).
        month_prod = _interp_by_month(w.MONTHLY_PRODUCTION_SECONDS, d)
        prod_ms = (rs.gamma(4.0, month_prod / 4.0, n) * 1000).astype(np.int64)
        wait_ms = (prod_ms * rs.uniform(0.25, 0.55, n)).astype(np.int64)
        paid = created + rs.integers(5_000, 40_000, n).astype("timedelta64[ms]")
        queued = paid + rs.integers(500, 4_000, n).astype("timedelta64[ms]")
        started = queued + wait_ms.astype("timedelta64[ms]")
        finished = queued + prod_ms.astype("timedelta64[ms]")
        handed = finished + np.where(delivery, rs.integers(180_000, 720_000, n), rs.integers(20_000, 600_000, n)).astype("timedelta64[ms]")
        cancel = np.where(cancel_before, created + rs.integers(30_000, 300_000, n).astype("timedelta64[ms]"),
                          np.where(cancel_after, paid + rs.integers(20_000, 120_000, n).astype("timedelta64[ms]"), NAT))
        refund_at = np.where(refunded, handed + (rs.exponential(1.5 * 86_400_000, n).clip(600_000, 7 * 86_400_000)).astype("timedelta64[ms]"), NAT)
        secs = lambda a: a.astype("datetime64[s]").astype("datetime64[ms]")  # noqa: E731 (DATETIME columns hold whole seconds)
        paid_s = np.where(cancel_before, NAT, secs(paid))
        complete_s = np.where(cancel_before | cancel_after, NAT, secs(handed))

        # Welcome/app coupons used by this order get their use time and order id later (see _coupons_frame).
        orders.append(dict(
            order_id=oid, user_idx=o_user, store_idx=o_store, is_first=o_first, channel=np.where(delivery, 2, 1),
            item_count=np.bincount(line_order, weights=qty, minlength=n).astype(np.int64),
            gross_c=gross_c, discount_c=order_disc_c, pay_c=pay_c, coupon_id=coupon_of, coupon_template=coupon_template,
            created=created, paid=paid_s, completed=complete_s, cancelled=secs(cancel), refunded=secs(refund_at),
            cancel_before=cancel_before, production_ms=prod_ms, is_test=test_order,
            remark_draw=rs.random(n), platform=rs.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15]),
            delivery_fee_c=rs.choice([299, 399, 499, 599], size=n), distance_c=rs.integers(20, 260, n),
            failed_payment=rs.random(n) < w.FAILED_PAYMENT_RATE, pay_method=rs.choice([1, 2, 3, 4], size=n, p=[0.46, 0.30, 0.18, 0.06]),
        ))
        iid = np.arange(next_item_id, next_item_id + total_lines)
        next_item_id += total_lines
        items.append(dict(item_id=iid, order_id=oid[line_order], product_id=menu.product_ids[pidx], large=large,
                          quantity=qty, unit_c=unit_c, disc_c=line_disc_c, pay_c=line_gross_c - line_disc_c,
                          created=created[line_order]))
        sl_order, sl_from, sl_to, sl_time = _status_transitions(oid, created, paid_s, queued, finished, complete_s,
                                                                secs(cancel), secs(refund_at), cancel_before, cancel_after)
        status_log.append(dict(order_id=sl_order, from_status=sl_from, to_status=sl_to, time=sl_time))
        made = ~cancel_before
        full = made & ~cancel_after
        ev_o = np.concatenate([oid[made], oid[full], oid[full], oid[full]])
        ev_t = np.concatenate([np.full(made.sum(), 1), np.full(full.sum(), 2), np.full(full.sum(), 3), np.full(full.sum(), 4)])
        ev_time = np.concatenate([queued[made], started[full], finished[full], handed[full]])
        ev_store = np.concatenate([o_store[made], o_store[full], o_store[full], o_store[full]])
        ev_sort = np.lexsort((ev_t, ev_time))
        make_events.append(dict(order_id=ev_o[ev_sort], event_type=ev_t[ev_sort], time=ev_time[ev_sort],
                                store_idx=ev_store[ev_sort], station=rs.integers(1, 5, len(ev_o))))
        if progress is not None:
            progress(di + 1, len(days))

    state = GeneratorState(
        through=max(horizon, start - timedelta(days=1)), next_order_id=next_order_id, next_item_id=next_item_id,
        next_coupon_id=next_coupon_id,
        users={name: a[:n_users].copy() for name, a in
               zip(USER_STATE, (u_home, u_prop, u_last, u_nu_coupon, u_nu_template, u_nu_expire))},
        first_due={ordinal: np.concatenate(due) for ordinal, due in first_due.items()},
        rehomed=frozenset(rehomed))
    world = World(scale=scale, seed=seed, horizon=horizon, state=state)
    for name, parts in zip(LIFECYCLES, (users, orders, items, coupons, status_log, make_events)):
        world.frames[name] = _cat(parts, _COMPACT.get(name))
        release_free_memory()  # the pieces were small heap blocks that the big arrays would not reuse
    world.frames["dirty"] = pd.DataFrame([dirty.__dict__])
    return world


def _parts(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A lifecycle frame back as the column arrays ``_cat`` joins, to add days after it."""
    return {name: frame[name].to_numpy() for name in frame.columns}


_REG_HOURS = np.array([2, 5, 8, 9, 8, 9, 9, 8, 8, 7, 6, 5, 5, 4, 3, 2, 1.5, 1], float)
_REG_HOURS = _REG_HOURS / _REG_HOURS.sum()


def _template_weight(t: Template, d: date) -> float:
    if t.campaign_id == 9:  # store-opening coupons around each opening
        near = any(s.open_date and 0 <= (d - s.open_date).days <= 14 for s in OPEN_STORES[2:])
        return 3.0 if near else 0.05
    return {3: 1.0, 4: 1.2, 5: 1.0, 6: 0.6, 7: 1.3, 8: 1.0}.get(t.campaign_id, 1.0)


def _repeat_coupon_rate(templates: list[Template], weights: np.ndarray, aov_target: float,
                        gross_c: np.ndarray, first_unit_c: np.ndarray, welcome_disc_c: np.ndarray,
                        is_first: np.ndarray, delivery: np.ndarray) -> float:
    """Share of repeat pickup orders that use an app coupon so that the day meets its AOV plan.

    Uses the day's realised baskets and welcome-coupon discounts; only the app coupons' own
    discount is an expectation (over the day's template mix).
    """
    needed = gross_c.sum() / 100 - len(gross_c) * aov_target - welcome_disc_c.sum() / 100
    repeat_pickup = ~is_first & ~delivery
    if repeat_pickup.sum() == 0:
        return 0.0

    def mean_discount(mask: np.ndarray) -> float:
        if mask.sum() == 0:
            return 0.0
        gross, first = gross_c[mask].mean() / 100, first_unit_c[mask].mean() / 100
        disc = np.array([expected_discount(t, gross, first) for t in templates])
        return float((disc * weights).sum() / weights.sum())

    needed -= delivery.sum() * w.DELIVERY_COUPON_USE * mean_discount(delivery)
    return float(np.clip(needed / (repeat_pickup.sum() * mean_discount(repeat_pickup)), 0.02, 0.95))


def _status_transitions(oid, created, paid, queued, finished, completed, cancelled, refunded,
                        cancel_before, cancel_after):
    made = ~cancel_before & ~cancel_after
    s = lambda a: a.astype("datetime64[s]").astype("datetime64[ms]")  # noqa: E731
    parts = [
        (oid, np.full(len(oid), -1), np.full(len(oid), 10), created),
        (oid[~cancel_before], np.full((~cancel_before).sum(), 10), np.full((~cancel_before).sum(), 20), paid[~cancel_before]),
        (oid[made], np.full(made.sum(), 20), np.full(made.sum(), 30), s(queued[made])),
        (oid[made], np.full(made.sum(), 30), np.full(made.sum(), 40), s(finished[made])),
        (oid[made], np.full(made.sum(), 40), np.full(made.sum(), 50), completed[made]),
        (oid[cancel_before], np.full(cancel_before.sum(), 10), np.full(cancel_before.sum(), 60), cancelled[cancel_before]),
        (oid[cancel_after], np.full(cancel_after.sum(), 20), np.full(cancel_after.sum(), 60), cancelled[cancel_after]),
    ]
    ref = ~np.isnat(refunded)
    parts.append((oid[ref], np.full(ref.sum(), 50), np.full(ref.sum(), 70), refunded[ref]))
    o = np.concatenate([p[0] for p in parts])
    f = np.concatenate([p[1] for p in parts])
    t = np.concatenate([p[2] for p in parts])
    tm = np.concatenate([p[3] for p in parts])
    order = np.lexsort((t, tm))
    return o[order], f[order], t[order], tm[order]
