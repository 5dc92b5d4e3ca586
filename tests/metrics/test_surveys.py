"""CSAT, CES, NPS and review ratings: contract, hand-computed values, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import (
    CES,
    CSAT,
    ENPS,
    NPS,
    CSATMean,
    InvalidParameterError,
    ReviewRating,
    SurveyResponse,
    UndefinedMetricError,
    UndefinedMetricWarning,
    ces,
    csat,
    enps,
    nps,
    nps_breakdown,
    review_rating,
)

from tests.metrics.contract import MetricContract


class TestCSAT(MetricContract):
    metric_cls = CSAT
    function = csat
    items = st.lists(st.integers(1, 5), max_size=60)


class TestCSATSevenPoint(MetricContract):
    metric_cls = CSAT
    function = csat
    items = st.lists(
        st.integers(1, 7).map(lambda s: SurveyResponse(kind="csat", score=s, scale=7)),
        max_size=30,
    )
    params = {"scale": 7}


class TestCSATMean(MetricContract):
    metric_cls = CSATMean
    function = csat
    items = st.lists(st.integers(1, 5), max_size=60)
    function_params = {"method": "mean"}


class TestENPS(MetricContract):
    metric_cls = ENPS
    function = enps
    items = st.lists(st.integers(0, 10), max_size=60)


def test_enps_by_hand() -> None:
    # 3 promoters, 2 passives, 2 detractors of 7: 100 * (3 - 2) / 7.
    assert enps([10, 9, 9, 8, 7, 6, 0]) == pytest.approx(100 / 7)
    assert ENPS.input_kind == "staff_surveys"


class TestCES(MetricContract):
    metric_cls = CES
    function = ces
    items = st.lists(st.integers(1, 7), max_size=60)


class TestNPS(MetricContract):
    metric_cls = NPS
    function = nps
    items = st.lists(st.integers(0, 10), max_size=60)


class TestReviewRating(MetricContract):
    metric_cls = ReviewRating
    function = review_rating
    items = st.lists(st.sampled_from([1, 1.5, 2, 3, 3.5, 4, 4.5, 5]), max_size=60)


# --- hand-computed values -------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "answers", "expected"),
    [
        (2, [1, 2, 2, 2], 3 / 4),
        (3, [1, 2, 3, 3], 2 / 4),
        (4, [1, 2, 3, 4, 4], 3 / 5),
        (5, [1, 2, 3, 4, 5], 2 / 5),
        (7, [5, 6, 7, 1], 2 / 4),
        (10, [8, 9, 10, 10, 1], 3 / 5),
    ],
)
def test_csat_satisfied_set_per_scale(scale: int, answers: list[int], expected: float) -> None:
    assert csat(answers, scale=scale) == pytest.approx(expected)


def test_csat_overridden_satisfied_set() -> None:
    # 10-point scale, counting 8-10 as satisfied: 8, 9, 10 of 5 answers.
    assert csat([8, 9, 10, 7, 1], scale=10, satisfied=[8, 9, 10]) == pytest.approx(0.6)


def test_csat_result_carries_wilson_interval() -> None:
    metric = CSAT()
    metric.update([5] * 8 + [2] * 2)
    result = metric.compute()
    # Wilson 8/10 at 95 %: centre (0.8 + 1.9208/10) / 1.38415 = 0.71668,
    # half 1.95996 * sqrt(0.016 + 0.0096040) / 1.38415 = 0.22660.
    assert result.value == 0.8
    assert result.interval == pytest.approx((0.49016, 0.94332), abs=1e-5)
    assert result.details["satisfied"] == 8


def test_csat_mean_interval_is_t_based() -> None:
    metric = CSATMean()
    metric.update([1, 2, 3, 4, 5])
    result = metric.compute()
    # mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445: 3 ± 2.776445 * 0.707107
    assert result.value == 3.0
    assert result.interval == pytest.approx((3 - 1.963243, 3 + 1.963243), abs=1e-5)


def test_ces_scale_and_direction_travel_with_the_result() -> None:
    seven = CES()
    seven.update([7, 5, 6])
    five = CES(scale=5)
    five.update([1, 2, 3])
    assert seven.compute().value == 6.0
    assert seven.compute().details == {"scale": 7, "direction": "higher_is_better"}
    assert five.compute().details["direction"] == "lower_is_better"


def test_ces_refuses_answers_from_the_other_scale() -> None:
    answers = [SurveyResponse(kind="ces", score=4, scale=5)]
    with pytest.raises(ValueError, match=r"response 0 is on a 5-point scale"):
        ces(answers)  # default scale is 7


def test_nps_hand_example_and_breakdown() -> None:
    answers = [10, 9, 8, 7, 6, 0, 10, 9, 9, 3]  # 5 promoters, 2 passives, 3 detractors
    assert nps(answers) == pytest.approx(20.0)
    assert nps_breakdown(answers) == {"promoters": 5, "passives": 2, "detractors": 3}
    metric = NPS()
    metric.update(answers)
    result = metric.compute()
    assert result.details["shares"] == {"promoters": 0.5, "passives": 0.2, "detractors": 0.3}
    # adjusted Wald: n'=13, p'=5.75/13, d'=3.75/13, se=sqrt((p'+d'-(p'-d')^2)/13)
    p, d = 5.75 / 13, 3.75 / 13
    se = math.sqrt((p + d - (p - d) ** 2) / 13)
    assert result.interval == pytest.approx(
        (100 * (p - d - 1.959964 * se), 100 * (p - d + 1.959964 * se)), abs=1e-4
    )


def test_nps_extremes() -> None:
    assert nps([10, 9]) == 100.0
    assert nps([0, 6]) == -100.0
    assert nps([7, 8]) == 0.0


def test_review_rating_counts_and_means() -> None:
    metric = ReviewRating()
    metric.update([5, 4.5, 1])
    assert metric.compute().value == pytest.approx(3.5)
    assert metric.compute().n == 3


def test_numpy_input_is_accepted() -> None:
    assert csat(np.array([5, 4, 1, 1])) == 0.5
    assert nps(np.array([10, 0])) == 0.0


# --- undefined values -------------------------------------------------------------


def test_empty_input_warns_and_returns_nan() -> None:
    with pytest.warns(UndefinedMetricWarning, match="csat is undefined"):
        assert math.isnan(csat([]))


def test_zero_division_options() -> None:
    assert csat([], zero_division=1.0) == 1.0
    with pytest.raises(UndefinedMetricError, match="nps is undefined"):
        nps([], zero_division="raise")


# --- bad input --------------------------------------------------------------------


def test_out_of_range_scores_are_named_with_their_position() -> None:
    with pytest.raises(
        ValueError,
        match=r"csat: 2 score\(s\) are not whole numbers on the 5-point csat scale 1-5: "
        r"6 at position 1, 0 at position 3",
    ):
        csat([5, 6, 4, 0])


def test_fractional_nps_answer_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"7.5 at position 0"):
        nps([7.5])


def test_response_of_another_kind_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="csat expects csat answers; response 1 is a nps answer"):
        csat([5, SurveyResponse(kind="nps", score=9)])


def test_non_numeric_item_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"item 0 is '5' \(str\)"):
        csat(["5"])


@pytest.mark.parametrize("responses", [None, 5, "55"])
def test_not_a_collection_of_responses_is_named(responses: object) -> None:
    with pytest.raises(TypeError, match=r"csat: responses must be numbers, SurveyResponse"):
        csat(responses)  # type: ignore[arg-type]


def test_invalid_scale_parameter_message() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'scale' parameter of CSAT must be one of 2, 3, 4, 5, 7, 10\. "
        r"Got 6 instead\.",
    ):
        CSAT(scale=6)


def test_invalid_zero_division_message() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'zero_division' parameter of NPS must be 'warn', 'raise' or a float\. "
        r"Got 'sometimes' instead\.",
    ):
        NPS(zero_division="sometimes")


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(InvalidParameterError, match=r"NPS got an unexpected parameter 'scale'"):
        NPS(scale=10)


def test_invalid_method_message() -> None:
    with pytest.raises(InvalidParameterError, match=r"The 'method' parameter of csat"):
        csat([5], method="median")  # type: ignore[arg-type]


@given(st.lists(st.integers(0, 10), min_size=1, max_size=80))
def test_nps_equals_mean_of_plus_minus_scores(answers: list[int]) -> None:
    # Law: NPS = 100 * mean of (+1 promoter, 0 passive, -1 detractor).
    signs = [1 if a >= 9 else -1 if a <= 6 else 0 for a in answers]
    assert nps(answers) == pytest.approx(100 * sum(signs) / len(signs))


@given(st.lists(st.integers(1, 5), min_size=1, max_size=80))
def test_csat_share_is_mean_of_indicator(answers: list[int]) -> None:
    assert csat(answers) == pytest.approx(sum(a >= 4 for a in answers) / len(answers))


def test_parameter_message_says_things_once() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        CSAT(confidence=1.5)
    text = str(caught.value)
    assert text.count("Got") == 1 and text.count("must be") == 1 and "confidence" in text
