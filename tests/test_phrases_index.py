"""The quick-reply index alone: Chinese without spaces, single characters, in-place changes."""

from __future__ import annotations

from bot.services.phrases.index import Entry, Index, terms


def entry(number: int, title: str, text: str, language: str = "zh") -> Entry:
    """A phrase with no category words."""
    return Entry(number, title, text, "", language)


def test_terms_are_han_pairs_and_characters_and_words() -> None:
    assert terms("催发货 Refunds") == {"催": 1, "发": 1, "货": 1, "催发": 2, "发货": 2, "refund": 2}


def test_pairs_rank_and_single_characters_count_only_alone() -> None:
    index = Index.build(
        [entry(1, "发货", "已为您催促仓库发货"), entry(2, "退款", "请尽快确认收货"), entry(3, "x", "快递")]
    )
    assert index.search("仓库发货", language="zh") == [1]
    assert index.search("快递丢件", language="zh") == [3]  # 尽快 shares 快, not a pair
    assert index.search("快", language="zh") == [2, 3]


def test_the_title_outweighs_the_text_and_the_asker_language_breaks_ties() -> None:
    index = Index.build(
        [
            entry(1, "note", "refund soon", "en"),
            entry(2, "refund", "soon", "en"),
            entry(3, "退款", "refund", "zh"),
        ]
    )
    assert index.search("refund", language="en") == [2, 1, 3]
    assert index.search("refund", language="zh")[:1] == [2]


def test_put_replaces_and_drop_forgets_one_phrase() -> None:
    index = Index.build([entry(1, "发货", "催促仓库"), entry(2, "退款", "原路退回")])
    index.put(entry(1, "改地址", "地址已修改"))
    assert index.search("仓库", language="zh") == [] and index.search("地址", language="zh") == [1]
    index.drop(2)
    assert index.search("退回", language="zh") == []
