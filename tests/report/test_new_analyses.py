"""The analyses behind the report suite's new sections, checked against the marts they read
and against each other on the landed small estate (no figures copied from an output)."""

from __future__ import annotations

import pandas as pd
import pytest

from luckin.core.settings import load_settings
from luckin.core.sessions import WarehouseSession


@pytest.fixture(scope="module")
def q(landed, compiled_duckdb):
    """Run an analysis (by name) or plain SQL on the landed DuckDB warehouse."""
    frames: dict[str, pd.DataFrame] = {}
    with landed.active(), WarehouseSession(load_settings("duckdb").warehouse) as wh:
        def run(name_or_sql: str) -> pd.DataFrame:
            if name_or_sql not in frames:
                sql = compiled_duckdb[name_or_sql].sql if name_or_sql.startswith("r0") else name_or_sql
                frames[name_or_sql] = wh.query(sql)
            return frames[name_or_sql]
        yield run


def test_net_revenue_bridge_adds_up_to_the_revenue_kept(q) -> None:
    bridge = q("r01_net_revenue_bridge").set_index("step_name")["amount_usd"].astype(float)
    assert list(bridge.index) == ["List price", "Discounts", "Net sales", "Refunded orders", "Revenue kept"]
    assert bridge["List price"] + bridge["Discounts"] == pytest.approx(bridge["Net sales"], abs=0.01)
    assert bridge["Net sales"] + bridge["Refunded orders"] == pytest.approx(bridge["Revenue kept"], abs=0.01)
    key = q("r00_key_metrics").iloc[0]
    assert bridge["Revenue kept"] == pytest.approx(float(key.revenue_usd), abs=0.01)


def test_store_contribution_is_revenue_less_goods_waste_and_labour(q) -> None:
    mart = q("select * from marts.fct_store_contribution_monthly")
    num = mart[["net_revenue_usd", "cost_of_goods_usd", "waste_usd", "labour_cost_usd", "contribution_usd"]].astype(float)
    assert (num.net_revenue_usd - num.cost_of_goods_usd - num.waste_usd - num.labour_cost_usd
            - num.contribution_usd).abs().max() < 0.011
    daily = q("select sum(revenue_usd) as r from marts.fct_store_daily_revenue").iloc[0, 0]
    assert num.net_revenue_usd.sum() == pytest.approx(float(daily), abs=0.05)
    assert (num.cost_of_goods_usd > 0).any() and (mart.labour_hours.astype(float) > 0).any()
    stores = q("r01_store_contribution")
    assert stores.contribution_usd.astype(float).sum() == pytest.approx(num.contribution_usd.sum(), abs=0.05)
    positive = stores[stores.recent_monthly_contribution_usd.astype(float) > 0]
    paid_back = positive.payback_months.astype(float) * positive.recent_monthly_contribution_usd.astype(float)
    assert list(paid_back) == pytest.approx(list(positive.fit_out_cost_usd.astype(float)), rel=0.01)
    assert stores[stores.recent_monthly_contribution_usd.astype(float) <= 0].payback_months.isna().all()


def test_price_change_compares_two_equal_windows_around_the_largest_change(q) -> None:
    impact = q("r05_price_change_impact")
    assert list(impact.period) == ["before", "after"]
    days = (pd.to_datetime(impact.end_date) - pd.to_datetime(impact.start_date)).dt.days + 1
    assert list(days) == [28, 28]
    change = pd.Timestamp(impact.change_date.iloc[0])
    assert pd.Timestamp(impact.end_date.iloc[0]) < change == pd.Timestamp(impact.start_date.iloc[1])
    changes = q("select valid_from_date, count(*) as n from marts.dim_sku_prices where previous_price_usd is not null "
                "group by 1 order by n desc, valid_from_date desc limit 1").iloc[0]
    assert pd.Timestamp(changes.valid_from_date) == change and int(changes.n) == int(impact.sizes_changed.iloc[0])
    assert ((impact.changed_sizes_unit_share >= 0) & (impact.changed_sizes_unit_share <= 1)).all()


def test_clv_against_cac_covers_every_registered_user(q) -> None:
    clv = q("r02_clv_cac_by_channel")
    assert clv.registered_users.sum() == int(q("r00_key_metrics").iloc[0].registered_users)
    acquisition_cost = q("select sum(p.cac_usd) as c from marts.dim_customers d inner join "
                         "marts.fct_campaign_performance p on d.acquisition_campaign_id = p.campaign_id "
                         "where not d.is_deleted").iloc[0, 0]
    rebuilt = (clv.cac_per_customer_usd.astype(float) * clv.ordering_customers).sum()
    assert rebuilt == pytest.approx(float(acquisition_cost), rel=0.01)


def test_the_referral_rule_accounts_for_every_referral_sign_up(q) -> None:
    """Referral sign-ups split by the campaign the first-order rule credits; the invite coupons
    pay for later orders, so the referral campaign's new customers are few."""
    referred = q("r04_referral_attribution")
    channel = q("r02_acquisition_by_channel")
    signups = int(channel.loc[channel.registration_channel == "referral", "registered_users"].sum())
    assert int(referred.referred_users.sum()) == signups
    assert referred.share_of_referred_users.astype(float).sum() == pytest.approx(1.0, abs=0.001)
    coupons = q("r04_referral_coupons")
    campaigns = q("r04_campaign_performance")
    for row in coupons.itertuples():
        credited = int(campaigns.loc[campaigns.campaign_name == row.campaign_name, "new_customers"].sum())
        assert row.redeemed_on_first_orders + row.redeemed_on_later_orders == row.coupons_redeemed
        assert credited <= row.redeemed_on_first_orders + 1  # the rule credits only first orders


def test_campaign_return_is_computed_from_cost_and_revenue(q) -> None:
    roi = q("r04_campaign_roi")
    spend = roi[roi.media_spend_usd.astype(float) > 0]
    expected = spend.attributed_revenue_usd.astype(float) / spend.media_spend_usd.astype(float)
    assert (spend.roas.astype(float) - expected).abs().max() < 0.006
    margin = float(roi.estate_contribution_margin.iloc[0])
    mart = q("select sum(contribution_usd) / sum(net_revenue_usd) as m from marts.fct_store_contribution_monthly")
    assert margin == pytest.approx(float(mart.iloc[0, 0]), abs=0.0001)


def test_supplier_performance_covers_every_purchase_order(q) -> None:
    suppliers = q("r06_supplier_performance")
    orders = q("select count(*) as n, count(first_received_at) as received from marts.fct_purchase_orders").iloc[0]
    assert suppliers.purchase_orders.sum() == orders.n and suppliers.delivered_orders.sum() == orders.received
    for col in ("on_time_rate", "fill_rate"):
        assert suppliers[col].astype(float).between(0, 1).all()
    assert (suppliers.avg_lead_time_days.astype(float) >= 0).all()
    monthly = q("r06_purchase_orders_monthly")
    assert monthly.purchase_orders.sum() == orders.n


def test_stock_out_flags_follow_the_stated_rule(q) -> None:
    flags = q("r06_stockout_flags")
    assert len(flags) and (flags.stock_out_days > 0).all()
    rule = (flags.stock_out_days >= 3) & (flags.stock_out_days * 4 >= flags.counted_days)
    assert (flags.is_flagged == rule).all()
    assert set(flags.store_name) <= set(q("select store_name from marts.dim_stores").store_name)


def test_ai_systems_lists_the_three_schemas(q) -> None:
    ai = q("r07_ai_systems")
    assert set(ai.source_schema) == {"luckyus_algo_recommend", "luckyus_algo_feature", "luckyus_app_abtest"}
    assert "t_rec_exposure_log" in set(ai.source_table)


def test_store_profiles_are_complete_per_store(q) -> None:
    hourly = q("r03_store_hourly")
    shares = hourly.groupby("store_id").share_of_orders.sum().astype(float)
    assert (shares - 1).abs().max() < 0.01
    assert hourly.order_hour.between(0, 23).all()
    weekday = q("r03_store_weekday")
    assert weekday.iso_weekday.between(1, 7).all()
    mix = q("r03_store_product_mix")
    assert mix.groupby("store_id").product_rank.max().max() <= 5
    ops = q("r03_store_operations")
    open_stores = q("select count(*) from marts.dim_stores where is_open").iloc[0, 0]
    assert len(ops) == open_stores and ops.store_id.is_unique
    devices = q("r03_store_devices")
    assert devices.devices.sum() == int(q("r00_key_metrics").iloc[0].iot_devices)


def test_monthly_kpis_add_up_to_the_key_metrics(q) -> None:
    months, key = q("r00_monthly_kpis"), q("r00_key_metrics").iloc[0]
    assert months.completed_orders.sum() == int(key.completed_orders)
    assert months.revenue_usd.astype(float).sum() == pytest.approx(float(key.revenue_usd), abs=0.05)
    full = months[months.is_full_month]
    assert pd.Timestamp(full.order_month.min()) == pd.Timestamp(key.first_full_month)
    assert pd.Timestamp(full.order_month.max()) == pd.Timestamp(key.latest_full_month)
