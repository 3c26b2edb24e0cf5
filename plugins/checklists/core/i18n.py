"""User-facing labels in the site language (Japanese first, English available).

The engine's fixed words live here, keyed per language. What checks say (summaries, evidence,
values) comes with both languages in the check itself (`checklists.core.message`); `localize`
picks one. The language of a run is the site's `theme.language` (`language`), or the
command line's `--lang`.
"""

from __future__ import annotations

from checklists.core import message
from checklists.core.verdict import Verdict

LANGUAGES = message.LANGUAGES

VERDICT_LABELS: dict[str, dict[Verdict, str]] = {
    "ja": {
        Verdict.VERIFIED: "検証済み",
        Verdict.BROKEN: "主張違反",
        Verdict.CONTRADICTED: "記載と矛盾",
        Verdict.NOT_YET: "未対応",
        Verdict.DONE_UNTICKED: "完了・未チェック",
        Verdict.ERROR: "検証不可",
        Verdict.UNVERIFIED: "未計測",
        Verdict.NOT_APPLICABLE: "対象外",
        Verdict.WAIVED: "免除",
        Verdict.WAIVER_EXPIRED: "免除期限切れ",
        Verdict.UNBOUND: "未連携",
        Verdict.STALE: "古い計測",
        Verdict.MEASURED: "計測値",
        Verdict.GUIDE_CONTRADICTED: "指南の矛盾",
    },
    "en": {
        Verdict.VERIFIED: "Verified",
        Verdict.BROKEN: "Claim broken",
        Verdict.CONTRADICTED: "Contradicts the text",
        Verdict.NOT_YET: "Not yet",
        Verdict.DONE_UNTICKED: "Done, not ticked",
        Verdict.ERROR: "Cannot verify",
        Verdict.UNVERIFIED: "Not measured",
        Verdict.NOT_APPLICABLE: "Not applicable",
        Verdict.WAIVED: "Waived",
        Verdict.WAIVER_EXPIRED: "Waiver expired",
        Verdict.UNBOUND: "Unbound",
        Verdict.STALE: "Stale measurement",
        Verdict.MEASURED: "Measured",
        Verdict.GUIDE_CONTRADICTED: "Guide contradicts itself",
    },
}

VERDICT_HINTS: dict[str, dict[Verdict, str]] = {
    "ja": {
        Verdict.VERIFIED: "チェック済みの主張がターゲットで成り立つことを確認しました",
        Verdict.BROKEN: "チェック済みの項目ですが、ターゲットでは成り立っていません",
        Verdict.CONTRADICTED: (
            "計測値が本文に書かれた数値と食い違っています（「約」は ±25%、範囲は両端を含む）"
        ),
        Verdict.NOT_YET: "未チェックの項目で、ターゲットでもまだ成り立っていません（予定）",
        Verdict.DONE_UNTICKED: "ターゲットでは成り立っていますが、チェックが付いていません",
        Verdict.ERROR: "チェックを実行できませんでした。理由は根拠を参照してください",
        Verdict.UNVERIFIED: "判断に必要な証拠（スキャンレポートや計測結果）がまだありません",
        Verdict.NOT_APPLICABLE: "このターゲットには当てはまりません",
        Verdict.WAIVED: "期限付きで免除されています",
        Verdict.WAIVER_EXPIRED: "免除の期限が切れています",
        Verdict.UNBOUND: "この項目はまだチェックに結び付けられていません",
        Verdict.STALE: "計測後に Dockerfile が変わっています。計測し直すまで判定しません",
        Verdict.MEASURED: "計測値です。ガイドはこの値の上限も数値も定めていません",
        Verdict.GUIDE_CONTRADICTED: (
            "ガイド自身のコード例が、ガイドの規則を満たしていません（ターゲットの判定ではなく、"
            "ビルドも失敗させません）"
        ),
    },
    "en": {
        Verdict.VERIFIED: "The ticked claim holds in the target",
        Verdict.BROKEN: "The item is ticked but does not hold in the target",
        Verdict.CONTRADICTED: (
            "The measured value disagrees with the number the text states"
            " (約: ±25%; a range includes both ends)"
        ),
        Verdict.NOT_YET: "The item is not ticked and does not hold yet (planned)",
        Verdict.DONE_UNTICKED: "The item holds in the target but is not ticked",
        Verdict.ERROR: "The check could not run; see the evidence for why",
        Verdict.UNVERIFIED: "There is no evidence yet (no scan report or measurement)",
        Verdict.NOT_APPLICABLE: "The item does not apply to this target",
        Verdict.WAIVED: "The item is waived until the given date",
        Verdict.WAIVER_EXPIRED: "The waiver has expired",
        Verdict.UNBOUND: "The item is not bound to a check yet",
        Verdict.STALE: "The Dockerfile changed after the measurement; measure again",
        Verdict.MEASURED: "A measured value; the guide states no limit or number for it",
        Verdict.GUIDE_CONTRADICTED: (
            "The guide's own code example breaks one of the guide's rules (a verdict on the"
            " guide, not on the target; it does not fail the build)"
        ),
    },
}

# Metrics are judged against a limit, not against a ticked box.
METRIC_HINTS: dict[str, dict[Verdict, str]] = {
    "ja": {
        Verdict.VERIFIED: "計測値がガイドの上限を満たしています",
        Verdict.BROKEN: "計測値がガイドの上限を満たしていません",
    },
    "en": {
        Verdict.VERIFIED: "The measured value meets the guide's limit",
        Verdict.BROKEN: "The measured value does not meet the guide's limit",
    },
}

VERDICT_ICONS: dict[Verdict, str] = {
    Verdict.VERIFIED: "✓",
    Verdict.BROKEN: "✗",
    Verdict.CONTRADICTED: "≠",
    Verdict.NOT_YET: "○",
    Verdict.DONE_UNTICKED: "☑",
    Verdict.ERROR: "⚠",
    Verdict.UNVERIFIED: "?",
    Verdict.NOT_APPLICABLE: "–",
    Verdict.WAIVED: "⏸",
    Verdict.WAIVER_EXPIRED: "⏰",
    Verdict.UNBOUND: "·",
    Verdict.STALE: "↻",
    Verdict.MEASURED: "≈",
    Verdict.GUIDE_CONTRADICTED: "⇄",
}

TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "summary": "{total}項目中 {verified} 検証済み",
        "summary_detail": "内訳",
        "report_link": "準拠レポート",
        "evidence": "根拠",
        "check": "チェック",
        "params": "パラメータ",
        "waiver": "免除",
        "waiver_text": "理由: {reason}（期限 {until}{by}）",
        "waiver_by": "、承認 {by}",
        "claim": "作者の主張",
        "claim_ticked": "完了 [x]",
        "claim_open": "未完了 [ ]",
        "claim_limit": "上限 {limit}",
        "claim_stated": "本文・表の記載",
        "claim_snippet": "ガイドのコード例（{where}）がガイドの規則を守っているか",
        "snippets_title": "ガイド自身のコード例の点検（ターゲットの判定ではありません）",
        "claims_counts": (
            "ガイドの記載 {total} 件（リスト項目・表の行・コード例）: 検証 {checked}、"
            "散文のまま {prose}、未検証 {unchecked}"
        ),
        "claim_block": "ガイドのコード例（{where}）がターゲットで通用するか",
        "hint_fails": "{hint}。このビルドを失敗させます",
        "compliance_title": "準拠レポート",
        "compliance_intro": (
            "ガイドのチェックリスト項目ごとの判定です。各項目はビルド時に対象リポジトリ"
            " {target} に対して検証されています。"
        ),
        "col_verdict": "判定",
        "col_section": "セクション",
        "col_item": "項目",
        "col_check": "チェック",
        "col_evidence": "根拠",
        "col_location": "場所",
        "unbound_title": "チェック未連携の項目",
        "unbound_none": "すべての項目がチェックに連携されています。",
        "no_items": "チェックリスト項目はありません。",
        "snippets_intro": (
            "ガイドのコード例を、ガイドの規則（チェック）で、対象リポジトリと同じように検査した"
            "結果です。「指南の矛盾」はガイド自身の例が自分の規則を破っていることを示します。"
            "ターゲットの判定ではなく、見出しの数にも入らず、ビルドも失敗させません。"
        ),
        "snippets_none": "規則に結び付けたコード例はありません。",
        "claims_title": "ガイドの記載と検証の対応",
        "claims_intro": (
            "ガイドのリスト項目・表の行・コード例のすべてと、それをどのチェックで検証しているか、"
            "または散文のままにしている理由です（段落と見出しは散文として数えません）。"
        ),
        "claim_status_checked": "検証",
        "claim_status_prose": "散文のまま",
        "claim_status_unchecked": "未検証（理由なし）",
        "claim_kind_item": "リスト項目",
        "claim_kind_row": "表の行",
        "claim_kind_block": "コード例",
        "col_status": "扱い",
        "col_kind": "種類",
        "value": "観測値",
        "badge_label": "準拠",
        "no_section": "見出しの前",
        "filter": "判定で絞り込む",
        "filter_all": "すべて",
        "stated": "著者の記載値",
        "stated_rule": "（{accepted} なら一致）",
        "measured_value": "計測値",
        "dated": "{label}（{date}）",
        "fix": "修正方法",
        "fix_catalog": "修正方法（チェック一覧）",
        "fix_guide": "ガイドの該当箇所",
        "legend": "判定の凡例",
        "group_by": "まとめ方",
        "group_section": "セクション別",
        "group_severity": "重大度別",
        "group_none": "まとめない",
        "sort_hint": "列見出しのボタンで並べ替えできます",
        "col_severity": "重大度",
        "severity_critical": "緊急",
        "severity_high": "高",
        "severity_medium": "中",
        "severity_low": "低",
        "severity_info": "情報",
        "severity_none": "重大度なし",
        "causes_title": "共通の原因",
        "causes_intro": (
            "ターゲットの同じ箇所・同じ理由で成り立たない項目をまとめています。"
            "直すべき箇所は {causes} 件で、{items} 項目に影響しています。"
        ),
        "cause_items": "影響する項目（{count}）",
        "cause_ref": "共通の原因 {n}（{count} 項目に共通）",
        "cause_none": "複数の項目に共通する原因はありません。",
        "items_title": "項目ごとの判定",
        "group_count": "{count} 項目",
        "catalog_title": "チェック一覧",
        "catalog_intro": (
            "ガイドの主張を検証するチェックの一覧です。各ページはチェックの定義から生成されます。"
        ),
        "catalog_stated": (
            "メトリクスを本文の数値に結び付けると、計測値をその数値と照合します。"
            "「約 N」（およそ・概ね・N前後・N程度も同じ）は N の ±25% 以内、"
            "範囲「A〜B」は両端を含み、「80%以上」のような比較は上限・下限として扱い、"
            "数値だけの「N」は最後の有効数字の半単位以内で一致とします"
            "（180MB なら 175〜185MB。整数の末尾の 0 は有効数字に数えません）。"
            "外れた計測値は「記載と矛盾」です。バインディングの `limit` は本文より優先されます。"
        ),
        "catalog_area": "チェック: {area}",
        "catalog_field": "項目",
        "catalog_check": "チェック",
        "catalog_metric": "メトリクス",
        "catalog_severity": "重大度",
        "catalog_related": "関連ルール",
        "catalog_source": "実装",
        "catalog_what": "何を確認するか",
        "catalog_why": "なぜ重要か",
        "catalog_fix": "修正方法",
        "catalog_samples": "サンプル",
        "catalog_pass": "合格する例",
        "catalog_fail": "不合格の例",
        "section_hint": "このセクションの {total} 件中 {held} 件が成立。最も悪い判定: {worst}",
        "disabled": (
            "このビルドではチェックが無効です（`enabled: false` または "
            "`CHECKLISTS_ENABLED=false`）。"
        ),
        "list_separator": "、",
        "waived_until": "免除（期限 {until}）: {reason}",
        "fails_build_note": "（ビルドを失敗させます）",
        "gh_more": "ほかに {more} 件の失敗項目には注釈を付けていません。{where} を参照してください",
        "gh_counts": "連携済み {items} 項目: {counts}。",
        "gh_summary": "要約",
        "gh_all_hold": "ガイドの主張はすべて成り立っているか、未計測であることが明示されています。",
        "gh_full_report": "レポート全体: {report}",
        "gh_truncated": "（GitHub の上限 1 MiB で打ち切りました。{report} を参照してください）",
        "cli_counts": "連携済み {bound} 項目、未連携 {unbound} 項目: {counts}",
        "cli_failing": "失敗 {count} 項目",
        "cli_no_failures": "失敗なし",
        "cli_list_check": "チェック",
        "cli_list_metric": "メトリクス",
        "explain_severity": "重大度",
        "explain_related": "関連ルール",
        "explain_params": "パラメータ",
        "explain_source": "実装",
        "explain_none": "なし",
    },
    "en": {
        "summary": "{verified} of {total} items verified",
        "summary_detail": "Breakdown",
        "report_link": "Compliance report",
        "evidence": "Evidence",
        "check": "Check",
        "params": "Parameters",
        "waiver": "Waiver",
        "waiver_text": "Reason: {reason} (until {until}{by})",
        "waiver_by": ", approved by {by}",
        "claim": "Author's claim",
        "claim_ticked": "done [x]",
        "claim_open": "open [ ]",
        "claim_limit": "limit {limit}",
        "claim_stated": "stated in the text",
        "claim_snippet": "the guide's code ({where}) keeps the guide's rule",
        "snippets_title": "The guide's own code, checked against its rules (not the target)",
        "claims_counts": (
            "{total} statements of the guide (list items, table rows, code blocks):"
            " {checked} checked, {prose} kept as prose, {unchecked} not checked"
        ),
        "claim_block": "the guide's code ({where}) works on the target",
        "hint_fails": "{hint}. This fails the build",
        "compliance_title": "Compliance report",
        "compliance_intro": (
            "The verdict of every checklist item of the guide, checked at build time against"
            " the target repository {target}."
        ),
        "col_verdict": "Verdict",
        "col_section": "Section",
        "col_item": "Item",
        "col_check": "Check",
        "col_evidence": "Evidence",
        "col_location": "Location",
        "unbound_title": "Items not bound to a check",
        "unbound_none": "Every item is bound to a check.",
        "no_items": "There are no checklist items.",
        "snippets_intro": (
            "The guide's code examples, checked by the guide's rules (its checks) as if they"
            ' were a repository. "Guide contradicts itself" means the guide\'s own example'
            " breaks its own rule: a verdict on the guide, not on the target, outside the"
            " headline, and it does not fail the build."
        ),
        "snippets_none": "No code example is bound to a rule.",
        "claims_title": "What the guide states and how it is checked",
        "claims_intro": (
            "Every list item, table row and code block of the guide, with the checks that"
            " verify it or the reason it stays prose (paragraphs and headings count as prose)."
        ),
        "claim_status_checked": "checked",
        "claim_status_prose": "prose",
        "claim_status_unchecked": "not checked (no reason given)",
        "claim_kind_item": "list item",
        "claim_kind_row": "table row",
        "claim_kind_block": "code block",
        "col_status": "treated as",
        "col_kind": "kind",
        "value": "Observed",
        "badge_label": "compliance",
        "no_section": "Before the first heading",
        "filter": "Filter by verdict",
        "filter_all": "All",
        "stated": "Author's value",
        "stated_rule": " (agrees: {accepted})",
        "measured_value": "Measured",
        "dated": "{label} ({date})",
        "fix": "How to fix",
        "fix_catalog": "How to fix (check catalog)",
        "fix_guide": "The guide's section",
        "legend": "Verdict legend",
        "group_by": "Group by",
        "group_section": "Section",
        "group_severity": "Severity",
        "group_none": "No grouping",
        "sort_hint": "Sort with the buttons in the column headers",
        "col_severity": "Severity",
        "severity_critical": "critical",
        "severity_high": "high",
        "severity_medium": "medium",
        "severity_low": "low",
        "severity_info": "info",
        "severity_none": "no severity",
        "causes_title": "Shared causes",
        "causes_intro": (
            "Items that fail at the same place of the target for the same reason, shown once: "
            "{causes} place(s) to fix, affecting {items} items."
        ),
        "cause_items": "Items it affects ({count})",
        "cause_ref": "Shared cause {n} ({count} items)",
        "cause_none": "No cause is shared by several items.",
        "items_title": "Every item",
        "group_count": "{count} items",
        "catalog_title": "Check catalog",
        "catalog_intro": (
            "The checks that verify the guide's claims, generated from their definitions."
        ),
        "catalog_stated": (
            "A metric bound on a sentence that states a number is judged against it: "
            '"約 N" (also およそ, 概ね, N前後, N程度) agrees within ±25% of N, a range "A〜B" '
            'includes both ends, a comparison ("80%以上") is a limit, and a bare "N" agrees '
            "within half a unit of its last significant digit (180MB: 175–185MB; a whole number's "
            "trailing zeros are not significant). A reading outside it contradicts the text. "
            "A binding's `limit` wins over the text."
        ),
        "catalog_area": "Checks: {area}",
        "catalog_field": "Field",
        "catalog_check": "check",
        "catalog_metric": "metric",
        "catalog_severity": "Severity",
        "catalog_related": "Related rules",
        "catalog_source": "Source",
        "catalog_what": "What it checks",
        "catalog_why": "Why it matters",
        "catalog_fix": "How to fix",
        "catalog_samples": "Samples",
        "catalog_pass": "Passes",
        "catalog_fail": "Fails",
        "section_hint": "{held} of {total} claims in this section hold; worst verdict: {worst}",
        "disabled": (
            "Checks are turned off in this build (`enabled: false` or `CHECKLISTS_ENABLED=false`)."
        ),
        "list_separator": ", ",
        "waived_until": "waived until {until}: {reason}",
        "fails_build_note": " (fails the build)",
        "gh_more": "{more} more failing item(s) are not annotated; see {where}",
        "gh_counts": "{items} bound items: {counts}.",
        "gh_summary": "summary",
        "gh_all_hold": "Every claim of the guide holds or is honestly marked as not yet measured.",
        "gh_full_report": "Full report: {report}",
        "gh_truncated": "(truncated at GitHub's 1 MiB limit; see {report})",
        "cli_counts": "{bound} bound, {unbound} unbound: {counts}",
        "cli_failing": "{count} failing",
        "cli_no_failures": "no failures",
        "cli_list_check": "check",
        "cli_list_metric": "metric",
        "explain_severity": "severity",
        "explain_related": "related",
        "explain_params": "parameters",
        "explain_source": "source",
        "explain_none": "none",
    },
}


def language(code: str | None) -> str:
    """The supported language closest to the theme's language (ja by default)."""
    base = (code or "ja").split("-")[0].lower()
    return base if base in LANGUAGES else "en"
