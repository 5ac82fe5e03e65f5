"""What the MySQL side of the simulation hands to the Redis side.

Redis holds live state derived from the same world as the MySQL tables (device state for the
devices in ``t_device``, stock for the stores in ``t_shop``...). ``core.generate_core`` builds
these frames; ``redis_writer.write_redis_estate`` turns them into keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd


@dataclass(frozen=True)
class LiveState:
    as_of: datetime  # naive UTC: the simulated "now" of the estate
    scale: float
    seed: int
    # shop_id, shop_no, is_open (bool)
    shops: pd.DataFrame
    # device_id, device_sn, shop_id, type_code, model, is_online (bool),
    # last_heartbeat_at (datetime64, naive UTC), temperature_f (float, NaN if none), error_code (str|None)
    devices: pd.DataFrame
    # shop_id, material_id, material_code, quantity (float), unit
    stock: pd.DataFrame
    # campaign_id, campaign_name, campaign_type, is_running (bool)
    campaigns: pd.DataFrame
    # template_id, campaign_id, template_name, issued (int), remaining_stock (int)
    coupon_templates: pd.DataFrame
    # user_id, coupon_id, template_id: unused coupons held by users (for per-user coupon caches)
    unused_coupons: pd.DataFrame
    # shop_id, queue_length (int), last_order_seq (int): make-queue length and order-number sequence
    order_queues: pd.DataFrame
    # user_id, last_login_at: users with a live app session (for the sensitive session store)
    active_sessions: pd.DataFrame
