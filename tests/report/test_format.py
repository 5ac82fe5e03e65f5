"""The one formatting module (luckin/report/fmt.py): money, counts, shares, dates, codes and
store names read the same everywhere."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from luckin.report import fmt


def test_money_totals_have_no_cents_and_unit_figures_do() -> None:
    assert fmt.money(1760.4) == "$1,760"
    assert fmt.money(999.71) == "$1,000"  # a total rounds to the dollar, like its neighbours
    assert fmt.money(4.714, cents=True) == "$4.71"
    assert fmt.money(-48972) == "-$48,972"
    assert fmt.money(None) == fmt.money(math.nan) == fmt.MISSING


def test_compact_money_for_headline_sentences() -> None:
    assert fmt.compact_money(2_194_799) == "$2.19M"
    assert fmt.compact_money(363_412) == "$363K"
    assert fmt.compact_money(9_871) == "$9,871"
    assert fmt.compact_money(4.71) == "$4.71"


def test_counts_are_whole_and_shares_are_percentages() -> None:
    assert fmt.count(2414.6) == "2,415"
    assert fmt.count(2414.0) == "2,414"
    assert fmt.share(0.5702) == "57.0%"
    assert fmt.share(0.5702, 0) == "57%"
    assert fmt.change(0.042) == "+4.2%" and fmt.change(-0.013) == "-1.3%"


def test_dates_and_months_read_one_way() -> None:
    assert fmt.day(date(2025, 6, 30)) == "Jun 30, 2025"
    assert fmt.month(pd.Timestamp("2025-06-01")) == "Jun 2025"
    assert fmt.long_month("2026-01-01") == "January 2026"
    assert fmt.timestamp(pd.Timestamp("2026-02-14 19:05", tz="America/New_York")) == "Feb 15, 2026 00:05 UTC"


def test_codes_have_one_readable_label() -> None:
    for code in ("app_store", "at_risk", "fixed_price_drink", "coffee_machine", "needs_attention"):
        label = fmt.code_label(code)
        assert "_" not in label and label[0].isupper(), (code, label)
    assert fmt.code_label("app_store") == "App Store"
    assert fmt.code_label("some_new_code") == "Some new code"  # unlisted codes still read
    assert fmt.code_label("Iced Coconut Latte") == "Iced Coconut Latte"  # names are left alone


def test_store_names_and_their_pages() -> None:
    assert fmt.store_short("Luckin Coffee Herald Square") == "Herald Square"
    assert fmt.store_short("Herald Square") == "Herald Square"
    assert fmt.store_page_slug(7) == "03-store-007"


@pytest.mark.parametrize("column, value, expected", [
    ("revenue_usd", 1760.0, "$1,760"),
    ("avg_order_value_usd", 4.714, "$4.71"),
    ("cac_usd", 15.22, "$15.22"),
    ("completed_orders", 2414.0, "2,414"),
    ("recent_weekly_orders", 2414.5, None),  # a count of orders: whole
    ("trading_days", 31.0, "31"),
    ("avg_orders_per_day", 29.234, "29.2"),
    ("offline_share", 0.5702, "57.0%"),
    ("clv_to_cac_ratio", 7.59, "7.6x"),
    ("registration_channel", "app_store", "App Store"),
    ("store_name", "Luckin Coffee Herald Square", "Luckin Coffee Herald Square"),
    ("revenue_month", pd.Timestamp("2025-06-01"), "Jun 2025"),
    ("opened_date", pd.Timestamp("2025-06-30"), "Jun 30, 2025"),
    ("is_flagged", True, "yes"),
    ("production_seconds", 204.4, "204 s"),
])
def test_a_cell_is_formatted_by_its_column(column, value, expected) -> None:
    shown = fmt.value(column, value)
    if expected is None:
        assert "." not in shown and shown.replace(",", "").isdigit(), shown
    else:
        assert shown == expected


def test_headers_from_column_names() -> None:
    assert fmt.label("revenue_usd") == "Revenue (USD)"
    assert fmt.label("avg_order_value_usd") == "Avg order value (USD)"
    assert fmt.label("cac_usd") == "CAC (USD)"
    assert fmt.label("is_flagged") == "Flagged"
